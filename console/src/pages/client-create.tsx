import { useState } from "hono/jsx/dom";
import { api, messageOf } from "../api";
import type { Client } from "../types";
import { Dialog } from "../ui/dialog";
import { SecretReveal } from "../ui/secret-reveal";
import { ErrorMessage } from "../ui/status";

const SANDBOX_RATE_LIMIT = 10;

/** `Create New Client`: the form, then the credentials shown once. */
export function CreateClient(props: { onCreated: (client: Client) => void; onClose: () => void }) {
  const [name, setName] = useState("");
  const [environment, setEnvironment] = useState<"production" | "sandbox">("production");
  const [rateLimit, setRateLimit] = useState("100");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [created, setCreated] = useState<{ client: Client; client_secret: string } | null>(null);

  if (created) {
    return (
      <SecretReveal
        title="API Client Created Successfully!"
        idLabel="Client ID"
        id={created.client.id}
        copyIdLabel="Copy Client ID"
        secretLabel="Client Secret"
        secret={created.client_secret}
        copySecretLabel="Copy Client Secret"
        onDone={() => {
          setCreated(null);
          props.onClose();
        }}
      />
    );
  }

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const body: Record<string, unknown> = { name, environment };
      if (environment === "production") body.rate_limit = Number(rateLimit);
      const result = await api<{ client: Client; client_secret: string }>("/admin/clients", { body });
      props.onCreated(result.client);
      setCreated(result);
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  };

  const sandbox = environment === "sandbox";
  return (
    <Dialog title="Create New Client" onClose={props.onClose}>
      <form onSubmit={submit}>
        <label>
          Client Name
          <input
            name="name"
            required
            maxLength={200}
            autocomplete="off"
            value={name}
            onInput={(e: InputEvent) => setName((e.target as HTMLInputElement).value)}
          />
        </label>
        <label>
          Environment
          <select
            name="environment"
            value={environment}
            onChange={(e: Event) => setEnvironment((e.target as HTMLSelectElement).value as "production" | "sandbox")}
          >
            <option value="production">Production</option>
            <option value="sandbox">Sandbox</option>
          </select>
        </label>
        <label>
          Rate Limit
          <input
            name="rate_limit"
            type="number"
            inputMode="numeric"
            min={1}
            max={1000}
            required
            disabled={sandbox}
            aria-describedby="rate-limit-hint"
            value={sandbox ? String(SANDBOX_RATE_LIMIT) : rateLimit}
            onInput={(e: InputEvent) => setRateLimit((e.target as HTMLInputElement).value)}
          />
        </label>
        <p id="rate-limit-hint" class="hint">
          {sandbox
            ? "Requests per minute. Sandbox clients are fixed at 10."
            : "Requests per minute, 1 to 1000 (default 100)."}
        </p>
        <ErrorMessage error={error} />
        <div class="actions">
          <button type="submit" disabled={busy}>
            Create Client
          </button>
          <button type="button" class="secondary" onClick={props.onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}
