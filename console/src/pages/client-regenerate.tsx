import { useState } from "hono/jsx/dom";
import { gateway, messageOf, type Client } from "../gateway";
import { when } from "../format";
import { Dialog } from "../ui/dialog";
import { FormActions } from "../ui/form-actions";
import { Field } from "../ui/field";
import { SecretReveal } from "../ui/secret-reveal";
import { ErrorMessage } from "../ui/status";

const DAY = 86_400;
// The product document's staggered rotation: the old secret keeps working for a week by default.
const GRACE_PERIODS = [
  { value: "0", label: "None (the old secret stops at once)" },
  { value: String(DAY), label: "1 day" },
  { value: String(7 * DAY), label: "7 days" },
];

interface Regenerated {
  client: Client;
  client_secret: string;
  previous_secret_expires_at: string | null;
}

/** `Regenerate Secret`: choose a grace period, then the new secret shown once. */
export function RegenerateSecret(props: {
  client: Client;
  onRegenerated: (client: Client) => void;
  onClose: () => void;
}) {
  const [grace, setGrace] = useState(String(7 * DAY));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [result, setResult] = useState<Regenerated | null>(null);

  if (result) {
    return (
      <SecretReveal
        title="New Client Secret"
        idLabel="Client ID"
        id={result.client.id}
        copyIdLabel="Copy Client ID"
        secretLabel="Client Secret"
        secret={result.client_secret}
        copySecretLabel="Copy Client Secret"
        onDone={() => {
          setResult(null);
          props.onClose();
        }}
      >
        <p>
          {result.previous_secret_expires_at
            ? `The previous secret keeps working until ${when(result.previous_secret_expires_at)}.`
            : "The previous secret no longer works."}{" "}
          Re-key this client's workflows with the new secret.
        </p>
      </SecretReveal>
    );
  }

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const regenerated = await gateway().clients.regenerateSecret(props.client.id, {
        grace_period_seconds: Number(grace),
      });
      props.onRegenerated(regenerated.client);
      setResult(regenerated);
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog title={`Regenerate the secret of ${props.client.name}`} onClose={props.onClose}>
      <form onSubmit={submit}>
        <p>
          A new secret replaces the current one. During the grace period the old secret and the workflows minted from it
          keep working, so callers can switch over.
        </p>
        <p class="warning" role="note">
          <strong>Workflows must be re-keyed with the new secret.</strong> Each workflow of this client keeps a token
          minted from the current secret: re-key it (Workflows, <em>Re-key</em>) before the grace period ends, or it
          stops working.
        </p>
        <Field
          label="Grace period"
          name="grace"
          kind="select"
          options={GRACE_PERIODS}
          value={grace}
          onValue={setGrace}
        />
        <ErrorMessage error={error} />
        <FormActions submitLabel="Regenerate" busy={busy} onCancel={props.onClose} />
      </form>
    </Dialog>
  );
}
