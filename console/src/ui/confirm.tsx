import { useState } from "hono/jsx/dom";
import type { Child } from "hono/jsx";
import { messageOf } from "../gateway";
import { Dialog } from "./dialog";
import { ErrorMessage } from "./status";

/**
 * An in-page confirmation (never the browser's confirm()) for an action that cannot be undone;
 * `message` says what it does when "Are you sure? This cannot be undone." is not the whole story.
 */
export function Confirm(props: {
  title: string;
  message?: Child;
  confirmLabel: string;
  onConfirm: () => Promise<void>;
  onClose: () => void;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const confirm = async () => {
    setBusy(true);
    setError(null);
    try {
      await props.onConfirm();
    } catch (err) {
      setError(messageOf(err));
      setBusy(false);
    }
  };
  return (
    <Dialog title={props.title} onClose={props.onClose}>
      <p>{props.message ?? "Are you sure? This cannot be undone."}</p>
      <ErrorMessage error={error} />
      <div class="actions">
        <button type="button" class="danger" disabled={busy} onClick={confirm}>
          {props.confirmLabel}
        </button>
        <button type="button" class="secondary" onClick={props.onClose} autofocus>
          Cancel
        </button>
      </div>
    </Dialog>
  );
}
