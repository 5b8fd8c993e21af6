import { useState } from "hono/jsx/dom";
import { gateway, messageOf, type Client } from "../gateway";
import { Dialog } from "../ui/dialog";
import { FormActions } from "../ui/form-actions";
import { Field } from "../ui/field";
import { RATE_LIMIT_FIELD, STATUS_FIELD, nameField } from "./choices";

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
    const changes: { name?: string; rate_limit?: number; status?: "active" | "inactive" } = {};
    if (name !== client.name) changes.name = name;
    if (!sandbox && Number(rateLimit) !== client.rate_limit) changes.rate_limit = Number(rateLimit);
    if (status !== client.status) changes.status = status;
    if (Object.keys(changes).length === 0) return props.onClose();
    setBusy(true);
    setError(null);
    try {
      const result = await gateway().clients.update(client.id, changes);
      props.onSaved(result.client);
    } catch (err) {
      setError(messageOf(err));
      setBusy(false);
    }
  };

  return (
    <Dialog title={`Edit ${client.name}`} onClose={props.onClose}>
      <form onSubmit={submit}>
        <Field {...nameField("Client Name")} value={name} onValue={setName} />
        <Field
          {...RATE_LIMIT_FIELD}
          disabled={sandbox}
          value={rateLimit}
          onValue={setRateLimit}
          hint={sandbox ? "Sandbox clients are fixed at 10 requests per minute." : undefined}
        />
        <Field {...STATUS_FIELD} value={status} onValue={(v) => setStatus(v as "active" | "inactive")} />
        <ErrorMessage error={error} />
        <FormActions submitLabel="Save" busy={busy} onCancel={props.onClose} />
      </form>
    </Dialog>
  );
}
