import { useState } from "hono/jsx/dom";
import { api, messageOf, query } from "../api";
import { when } from "../format";
import { PERMISSIONS, UNBOUND_ONLY, can } from "../permissions";
import type { AdminToken, Me, Organization } from "../types";
import { Confirm } from "../ui/confirm";
import { CopyButton } from "../ui/copy-button";
import { Dialog } from "../ui/dialog";
import { MoreButton } from "../ui/more-button";
import { usePaged } from "../ui/paged";
import { Empty, ErrorMessage, Loading } from "../ui/status";

type Open = { kind: "create" } | { kind: "revoke"; token: AdminToken } | null;

export function TokensPage(props: { me: Me }) {
  const [open, setOpen] = useState<Open>(null);
  const list = usePaged<AdminToken>(async (cursor) => {
    const page = await api<{ tokens: AdminToken[]; next_cursor: string | null }>(
      `/admin/tokens${query({ limit: 50, cursor })}`,
    );
    return { items: page.tokens, next: page.next_cursor };
  }, "tokens");
  const close = () => setOpen(null);

  return (
    <section aria-labelledby="page-title">
      <div class="page-head">
        <h1 id="page-title" tabIndex={-1}>
          Admin tokens
        </h1>
        {can(props.me, "tokens:manage") ? (
          <button type="button" onClick={() => setOpen({ kind: "create" })}>
            Create Admin Token
          </button>
        ) : null}
      </div>
      <ErrorMessage error={list.error} />
      {list.items.length > 0 ? (
        <table class="cards">
          <thead>
            <tr>
              {[
                "Name",
                "Token ID",
                "Permissions",
                "Clients",
                "Created",
                "Expires",
                "Last Used",
                "Status",
                "Actions",
              ].map((c) => (
                <th scope="col">{c}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {list.items.map((t) => (
              <tr>
                <th scope="row" data-label="Name">
                  {t.name}
                </th>
                <td data-label="Token ID">
                  <code class="token">{t.id}</code>
                </td>
                <td data-label="Permissions">{t.permissions.join(", ")}</td>
                <td data-label="Clients">{t.client_ids ? t.client_ids.join(", ") : "All clients"}</td>
                <td data-label="Created">{when(t.created_at)}</td>
                <td data-label="Expires">{when(t.expires_at)}</td>
                <td data-label="Last Used">{when(t.last_used_at)}</td>
                <td data-label="Status">
                  <span class={`badge ${t.revoked_at ? "revoked" : "active"}`}>
                    {t.revoked_at ? "Revoked" : "Active"}
                  </span>
                </td>
                <td data-label="Actions">
                  {t.revoked_at ? null : (
                    <button type="button" class="danger" onClick={() => setOpen({ kind: "revoke", token: t })}>
                      Revoke
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : list.loading || list.error ? null : (
        <Empty>No admin tokens yet. Give each person or script its own token with only the permissions it needs.</Empty>
      )}
      {list.loading ? <Loading what="admin tokens" /> : null}
      <MoreButton what="tokens" show={list.hasMore} loading={list.loading} onMore={list.loadMore} />

      {open?.kind === "create" ? (
        <CreateToken me={props.me} onCreated={() => list.reload()} onClose={close} />
      ) : open?.kind === "revoke" ? (
        <Confirm
          title={`Revoke ${open.token.name}`}
          confirmLabel="Revoke"
          onConfirm={async () => {
            const r = await api<{ token: AdminToken }>(`/admin/tokens/${encodeURIComponent(open.token.id)}/revoke`, {
              method: "POST",
            });
            list.replace(r.token);
            close();
          }}
          onClose={close}
        />
      ) : null}
    </section>
  );
}

/**
 * `Create Admin Token`: the form, then the secret shown once. With `organization`, the token is
 * bound to it (how an operator hands a team its first token): it can then never hold the
 * permissions that act on every organization.
 */
export function CreateToken(props: {
  me: Me;
  organization?: Organization;
  onCreated: () => void;
  onClose: () => void;
}) {
  const bound = props.organization !== undefined;
  const grantable = PERMISSIONS.filter((p) => can(props.me, p) && !(bound && UNBOUND_ONLY.includes(p)));
  const [name, setName] = useState("");
  const [permissions, setPermissions] = useState<string[]>([]);
  const [clientIds, setClientIds] = useState("");
  const [days, setDays] = useState("90");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [created, setCreated] = useState<{ token: AdminToken; secret: string } | null>(null);

  if (created) {
    return (
      <Dialog title="Admin Token Created" onClose={props.onClose} wide>
        <dl class="credentials">
          <dt>Token</dt>
          <dd>
            <code class="token" data-credential="secret">
              {created.secret}
            </code>
            <CopyButton label="Copy Token" value={created.secret} />
          </dd>
        </dl>
        <div class="warning" role="note">
          <strong>Important: save this token now!</strong> It will not be shown again.
        </div>
        <div class="actions">
          <button
            type="button"
            onClick={() => {
              setCreated(null);
              props.onClose();
            }}
          >
            Done
          </button>
        </div>
      </Dialog>
    );
  }

  const toggle = (p: string, on: boolean) =>
    setPermissions((current) => (on ? [...current, p] : current.filter((x) => x !== p)));
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const ids = clientIds.split(/[\s,]+/).filter(Boolean);
      const result = await api<{ token: AdminToken; secret: string }>("/admin/tokens", {
        body: {
          name,
          permissions,
          ...(ids.length ? { client_ids: ids } : {}),
          ...(props.organization ? { organization_id: props.organization.id } : {}),
          expires_in_days: Number(days),
        },
      });
      props.onCreated();
      setCreated(result);
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog
      title={props.organization ? `Create Admin Token for ${props.organization.name}` : "Create Admin Token"}
      onClose={props.onClose}
    >
      <form onSubmit={submit}>
        <label>
          Token Name
          <input
            name="name"
            required
            maxLength={200}
            autocomplete="off"
            value={name}
            onInput={(e: InputEvent) => setName((e.target as HTMLInputElement).value)}
          />
        </label>
        <fieldset>
          <legend>Permissions</legend>
          <div class="checks">
            {grantable.map((p) => (
              <label class="check">
                <input
                  type="checkbox"
                  value={p}
                  checked={permissions.includes(p)}
                  onChange={(e: Event) => toggle(p, (e.target as HTMLInputElement).checked)}
                />
                {p}
              </label>
            ))}
          </div>
        </fieldset>
        <label>
          Client IDs
          <textarea
            name="client_ids"
            rows={2}
            spellcheck={false}
            aria-describedby="client-ids-hint"
            value={clientIds}
            onInput={(e: InputEvent) => setClientIds((e.target as HTMLTextAreaElement).value)}
          />
        </label>
        <p id="client-ids-hint" class="hint">
          Optional, one per line: the token then sees only these clients.{" "}
          {props.organization
            ? `Empty: every client of ${props.organization.name}, and it can create that organization's clients.`
            : "Empty: every client."}
        </p>
        <label>
          Expires in (days)
          <input
            name="expires_in_days"
            type="number"
            min={1}
            max={365}
            required
            value={days}
            onInput={(e: InputEvent) => setDays((e.target as HTMLInputElement).value)}
          />
        </label>
        <ErrorMessage error={error} />
        <div class="actions">
          <button type="submit" disabled={busy}>
            Create Token
          </button>
          <button type="button" class="secondary" onClick={props.onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}
