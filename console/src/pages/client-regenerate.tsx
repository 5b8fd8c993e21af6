import { useState } from "hono/jsx/dom";
import { api, messageOf } from "../api";
import { when } from "../format";
import type { Client } from "../types";
import { Dialog } from "../ui/dialog";
import { SecretReveal } from "../ui/secret-reveal";
import { ErrorMessage } from "../ui/status";

const DAY = 86_400;
// The product document's staggered rotation: the old secret keeps working for a week by default.
const GRACE_PERIODS = [
  { seconds: 0, label: "None (the old secret stops at once)" },
  { seconds: DAY, label: "1 day" },
  { seconds: 7 * DAY, label: "7 days" },
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
            : "The previous secret no longer works."}
        </p>
      </SecretReveal>
    );
  }

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const regenerated = await api<Regenerated>(
        `/admin/clients/${encodeURIComponent(props.client.id)}/regenerate-secret`,
        { body: { grace_period_seconds: Number(grace) } },
      );
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
        <label>
          Grace period
          <select name="grace" value={grace} onChange={(e: Event) => setGrace((e.target as HTMLSelectElement).value)}>
            {GRACE_PERIODS.map((p) => (
              <option value={String(p.seconds)}>{p.label}</option>
            ))}
          </select>
        </label>
        <ErrorMessage error={error} />
        <div class="actions">
          <button type="submit" disabled={busy}>
            Regenerate
          </button>
          <button type="button" class="secondary" onClick={props.onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}
