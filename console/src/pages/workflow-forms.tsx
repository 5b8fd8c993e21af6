import { useState } from "hono/jsx/dom";
import { gateway, messageOf, type Workflow } from "../gateway";
import { Dialog } from "../ui/dialog";
import { Field } from "../ui/field";
import { FormActions } from "../ui/form-actions";
import { STATUS_FIELD, nameField } from "./choices";
import { ErrorMessage } from "../ui/status";

const originsFrom = (text: string) =>
  text
    .split(/[\s,]+/)
    .map((o) => o.trim())
    .filter(Boolean);

const SECRET_HINT = "The client's current secret. It proves you own the client and is neither stored nor shown again.";
const ORIGINS_HINT = "One per line, such as https://app.example.com. Empty: any origin.";

const OriginsField = (props: { value: string; onValue: (v: string) => void }) => (
  <Field
    label="Allowed origins"
    name="allowed_origins"
    kind="textarea"
    rows={3}
    value={props.value}
    onValue={props.onValue}
    hint={ORIGINS_HINT}
  />
);

const SecretField = (props: { value: string; onValue: (v: string) => void }) => (
  <Field
    label="Client Secret"
    name="client_secret"
    kind="password"
    required
    spellcheck={false}
    value={props.value}
    onValue={props.onValue}
    hint={SECRET_HINT}
  />
);

/** A form's submit: busy while the call runs, and the API's message when it fails. */
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

export function CreateWorkflow(props: { onCreated: (w: Workflow) => void; onClose: () => void }) {
  const [clientId, setClientId] = useState("");
  const [secret, setSecret] = useState("");
  const [name, setName] = useState("");
  const [origins, setOrigins] = useState("");
  const form = useSubmit(async () => {
    const { workflow } = await gateway().workflows.create({
      client_id: clientId.trim(),
      client_secret: secret,
      name,
      allowed_origins: originsFrom(origins),
    });
    props.onCreated(workflow);
  });
  return (
    <Dialog title="Create Workflow" onClose={props.onClose}>
      <form onSubmit={form.submit}>
        <Field label="Client ID" name="client_id" required spellcheck={false} value={clientId} onValue={setClientId} />
        <SecretField value={secret} onValue={setSecret} />
        <Field {...nameField("Workflow Name")} value={name} onValue={setName} />
        <OriginsField value={origins} onValue={setOrigins} />
        <ErrorMessage error={form.error} />
        <FormActions submitLabel="Create Workflow" busy={form.busy} onCancel={props.onClose} />
      </form>
    </Dialog>
  );
}

export function EditWorkflow(props: { workflow: Workflow; onSaved: (w: Workflow) => void; onClose: () => void }) {
  const w = props.workflow;
  const [name, setName] = useState(w.name);
  const [origins, setOrigins] = useState(w.allowed_origins.join("\n"));
  const [status, setStatus] = useState<string>(w.status);
  const form = useSubmit(async () => {
    const { workflow } = await gateway().workflows.update(w.id, {
      name,
      status: status as Workflow["status"],
      allowed_origins: originsFrom(origins),
    });
    props.onSaved(workflow);
  });
  return (
    <Dialog title={`Edit ${w.name}`} onClose={props.onClose}>
      <form onSubmit={form.submit}>
        <Field {...nameField("Workflow Name")} value={name} onValue={setName} />
        <OriginsField value={origins} onValue={setOrigins} />
        <Field {...STATUS_FIELD} value={status} onValue={setStatus} />
        <ErrorMessage error={form.error} />
        <FormActions submitLabel="Save" busy={form.busy} onCancel={props.onClose} />
      </form>
    </Dialog>
  );
}

/** Re-key: a new refresh token minted from the client's current secret (after a regeneration). */
export function RekeyWorkflow(props: { workflow: Workflow; onSaved: (w: Workflow) => void; onClose: () => void }) {
  const [secret, setSecret] = useState("");
  const form = useSubmit(async () => {
    const { workflow } = await gateway().workflows.update(props.workflow.id, { client_secret: secret });
    props.onSaved(workflow);
  });
  return (
    <Dialog title={`Re-key ${props.workflow.name}`} onClose={props.onClose}>
      <form onSubmit={form.submit}>
        <SecretField value={secret} onValue={setSecret} />
        <ErrorMessage error={form.error} />
        <FormActions submitLabel="Re-key" busy={form.busy} onCancel={props.onClose} />
      </form>
    </Dialog>
  );
}
