import { useState } from "hono/jsx/dom";
import { gateway, messageOf, type Client } from "../gateway";
import { Dialog } from "../ui/dialog";
import { FormActions } from "../ui/form-actions";
import { Field } from "../ui/field";
import { ENVIRONMENT_FIELD, RATE_LIMIT_FIELD, nameField } from "./choices";
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
      const result = await gateway().clients.create({
        name,
        environment,
        ...(environment === "production" ? { rate_limit: Number(rateLimit) } : {}),
      });
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
        <Field {...nameField("Client Name")} value={name} onValue={setName} />
        <Field
          {...ENVIRONMENT_FIELD}
          value={environment}
          onValue={(v) => setEnvironment(v as "production" | "sandbox")}
        />
        <Field
          {...RATE_LIMIT_FIELD}
          disabled={sandbox}
          value={sandbox ? String(SANDBOX_RATE_LIMIT) : rateLimit}
          onValue={setRateLimit}
          hint={`Requests per minute${sandbox ? ". Sandbox clients are fixed at 10." : ", 1 to 1000 (default 100)."}`}
        />
        <ErrorMessage error={error} />
        <FormActions submitLabel="Create Client" busy={busy} onCancel={props.onClose} />
      </form>
    </Dialog>
  );
}
