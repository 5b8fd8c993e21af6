import { useState } from "hono/jsx/dom";
import { api, messageOf } from "../api";
import type { Client } from "../types";
import { Dialog } from "../ui/dialog";
import { ErrorMessage } from "../ui/status";

/** `Edit`: name, rate limit (production only) and Active / Inactive. Sends only what changed. */
export function EditClient(props: { client: Client; onSaved: (client: Client) => void; onClose: () => void }) {
  const { client } = props;
  const [name, setName] = useState(client.name);
  const [rateLimit, setRateLimit] = useState(String(client.rate_limit));
  const [status, setStatus] = useState<"active" | "inactive">(client.status === "inactive" ? "inactive" : "active");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const sandbox = client.environment === "sandbox";

  const submit = async (event: Event) => {
    event.preventDefault();
    const changes: Record<string, unknown> = {};
    if (name !== client.name) changes.name = name;
    if (!sandbox && Number(rateLimit) !== client.rate_limit) changes.rate_limit = Number(rateLimit);
    if (status !== client.status) changes.status = status;
    if (Object.keys(changes).length === 0) return props.onClose();
    setBusy(true);
    setError(null);
    try {
      const result = await api<{ client: Client }>(`/admin/clients/${encodeURIComponent(client.id)}`, {
        method: "PATCH",
        body: changes,
      });
      props.onSaved(result.client);
    } catch (err) {
      setError(messageOf(err));
      setBusy(false);
    }
  };

  return (
    <Dialog title={`Edit ${client.name}`} onClose={props.onClose}>
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
          Rate Limit
          <input
            name="rate_limit"
            type="number"
            inputMode="numeric"
            min={1}
            max={1000}
            required
            disabled={sandbox}
            value={rateLimit}
            onInput={(e: InputEvent) => setRateLimit((e.target as HTMLInputElement).value)}
          />
        </label>
        {sandbox ? <p class="hint">Sandbox clients are fixed at 10 requests per minute.</p> : null}
        <label>
          Status
          <select
            name="status"
            value={status}
            onChange={(e: Event) => setStatus((e.target as HTMLSelectElement).value as "active" | "inactive")}
          >
            <option value="active">Active</option>
            <option value="inactive">Inactive</option>
          </select>
        </label>
        <ErrorMessage error={error} />
        <div class="actions">
          <button type="submit" disabled={busy}>
            Save
          </button>
          <button type="button" class="secondary" onClick={props.onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}
