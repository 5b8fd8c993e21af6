import { useState } from "hono/jsx/dom";
import { api, messageOf } from "../api";
import type { Workflow } from "../types";
import { Dialog } from "../ui/dialog";
import { ErrorMessage } from "../ui/status";

const originsFrom = (text: string) =>
  text
    .split(/[\s,]+/)
    .map((o) => o.trim())
    .filter(Boolean);

function SecretField(props: { value: string; onInput: (v: string) => void }) {
  return (
    <>
      <label>
        Client Secret
        <input
          name="client_secret"
          type="password"
          required
          autocomplete="off"
          spellcheck={false}
          aria-describedby="secret-hint"
          value={props.value}
          onInput={(e: InputEvent) => props.onInput((e.target as HTMLInputElement).value)}
        />
      </label>
      <p id="secret-hint" class="hint">
        The client's current secret. It proves you own the client and is neither stored nor shown again.
      </p>
    </>
  );
}

function OriginsField(props: { value: string; onInput: (v: string) => void }) {
  return (
    <>
      <label>
        Allowed origins
        <textarea
          name="allowed_origins"
          rows={3}
          spellcheck={false}
          aria-describedby="origins-hint"
          value={props.value}
          onInput={(e: InputEvent) => props.onInput((e.target as HTMLTextAreaElement).value)}
        />
      </label>
      <p id="origins-hint" class="hint">
        One per line, such as https://app.example.com. Empty: any origin.
      </p>
    </>
  );
}

function useSubmit(action: () => Promise<void>) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (err) {
      setError(messageOf(err));
      setBusy(false);
    }
  };
  return { busy, error, submit };
}

export function CreateWorkflow(props: { clientId?: string; onCreated: (w: Workflow) => void; onClose: () => void }) {
  const [clientId, setClientId] = useState(props.clientId ?? "");
  const [secret, setSecret] = useState("");
  const [name, setName] = useState("");
  const [origins, setOrigins] = useState("");
  const form = useSubmit(async () => {
    const { workflow } = await api<{ workflow: Workflow }>("/admin/workflows", {
      body: { client_id: clientId.trim(), client_secret: secret, name, allowed_origins: originsFrom(origins) },
    });
    props.onCreated(workflow);
  });
  return (
    <Dialog title="Create Workflow" onClose={props.onClose}>
      <form onSubmit={form.submit}>
        <label>
          Client ID
          <input
            name="client_id"
            required
            autocomplete="off"
            spellcheck={false}
            value={clientId}
            onInput={(e: InputEvent) => setClientId((e.target as HTMLInputElement).value)}
          />
        </label>
        <SecretField value={secret} onInput={setSecret} />
        <label>
          Workflow Name
          <input
            name="name"
            required
            maxLength={200}
            autocomplete="off"
            value={name}
            onInput={(e: InputEvent) => setName((e.target as HTMLInputElement).value)}
          />
        </label>
        <OriginsField value={origins} onInput={setOrigins} />
        <ErrorMessage error={form.error} />
        <div class="actions">
          <button type="submit" disabled={form.busy}>
            Create Workflow
          </button>
          <button type="button" class="secondary" onClick={props.onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}

export function EditWorkflow(props: { workflow: Workflow; onSaved: (w: Workflow) => void; onClose: () => void }) {
  const w = props.workflow;
  const [name, setName] = useState(w.name);
  const [origins, setOrigins] = useState(w.allowed_origins.join("\n"));
  const [status, setStatus] = useState(w.status);
  const form = useSubmit(async () => {
    const { workflow } = await api<{ workflow: Workflow }>(`/admin/workflows/${encodeURIComponent(w.id)}`, {
      method: "PATCH",
      body: { name, status, allowed_origins: originsFrom(origins) },
    });
    props.onSaved(workflow);
  });
  return (
    <Dialog title={`Edit ${w.name}`} onClose={props.onClose}>
      <form onSubmit={form.submit}>
        <label>
          Workflow Name
          <input
            name="name"
            required
            maxLength={200}
            value={name}
            onInput={(e: InputEvent) => setName((e.target as HTMLInputElement).value)}
          />
        </label>
        <OriginsField value={origins} onInput={setOrigins} />
        <label>
          Status
          <select
            name="status"
            value={status}
            onChange={(e: Event) => setStatus((e.target as HTMLSelectElement).value as Workflow["status"])}
          >
            <option value="active">Active</option>
            <option value="inactive">Inactive</option>
          </select>
        </label>
        <ErrorMessage error={form.error} />
        <div class="actions">
          <button type="submit" disabled={form.busy}>
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

/** Re-key: a new refresh token minted from the client's current secret (after a regeneration). */
export function RekeyWorkflow(props: { workflow: Workflow; onSaved: (w: Workflow) => void; onClose: () => void }) {
  const [secret, setSecret] = useState("");
  const form = useSubmit(async () => {
    const { workflow } = await api<{ workflow: Workflow }>(
      `/admin/workflows/${encodeURIComponent(props.workflow.id)}`,
      { method: "PATCH", body: { client_secret: secret } },
    );
    props.onSaved(workflow);
  });
  return (
    <Dialog title={`Re-key ${props.workflow.name}`} onClose={props.onClose}>
      <form onSubmit={form.submit}>
        <SecretField value={secret} onInput={setSecret} />
        <ErrorMessage error={form.error} />
        <div class="actions">
          <button type="submit" disabled={form.busy}>
            Re-key
          </button>
          <button type="button" class="secondary" onClick={props.onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}
