import type { Child } from "hono/jsx";
import { CopyButton } from "./copy-button";
import { Dialog } from "./dialog";

/**
 * A freshly issued secret, shown this once. The secret lives only in the caller's state; `Done`
 * clears that state, which removes it from the page.
 */
export function SecretReveal(props: {
  title: string;
  idLabel: string;
  id: string;
  copyIdLabel: string;
  secretLabel: string;
  secret: string;
  copySecretLabel: string;
  children?: Child;
  onDone: () => void;
}) {
  return (
    <Dialog title={props.title} onClose={props.onDone} wide>
      <dl class="credentials">
        <dt>{props.idLabel}</dt>
        <dd>
          <code class="token" data-credential="id">
            {props.id}
          </code>
          <CopyButton label={props.copyIdLabel} value={props.id} />
        </dd>
        <dt>{props.secretLabel}</dt>
        <dd>
          <code class="token" data-credential="secret">
            {props.secret}
          </code>
          <CopyButton label={props.copySecretLabel} value={props.secret} />
        </dd>
      </dl>
      <div class="warning" role="note">
        <strong>Important: save these credentials now!</strong> The {props.secretLabel.toLowerCase()} will not be shown
        again.
      </div>
      {props.children}
      <div class="actions">
        <button type="button" onClick={props.onDone}>
          Done
        </button>
      </div>
    </Dialog>
  );
}
