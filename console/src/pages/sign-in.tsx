import { useState } from "hono/jsx/dom";
import { gatewayAs, messageOf, type Me } from "../gateway";
import { Field } from "../ui/field";
import { ErrorMessage } from "../ui/status";

export function SignIn(props: { notice: string | null; onSignedIn: (token: string, me: Me) => void }) {
  const [token, setToken] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const value = token.trim();
      const me = await gatewayAs(value).me();
      props.onSignedIn(value, me);
    } catch (err) {
      setError(messageOf(err));
      setBusy(false);
    }
  };
  return (
    <main id="main" class="sign-in">
      <h1>Nafsi Gateway console</h1>
      {props.notice ? <p class="notice">{props.notice}</p> : null}
      <form onSubmit={submit}>
        <Field
          label="Admin token"
          name="token"
          kind="password"
          required
          spellcheck={false}
          value={token}
          onValue={setToken}
          hint="The bootstrap ADMIN_TOKEN or an admin token. Kept in this tab only, until you sign out."
        />
        <ErrorMessage error={error} />
        <div class="actions">
          <button type="submit" disabled={busy}>
            Sign in
          </button>
        </div>
      </form>
    </main>
  );
}
