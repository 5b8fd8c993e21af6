import { useState } from "hono/jsx/dom";
import { gateway, messageOf, type AdminToken, type Body, type Client, type Me, type Organization } from "../gateway";
import { when } from "../format";
import { DESCRIPTIONS, PERMISSIONS, ROLES, UNBOUND_ONLY, can } from "../permissions";
import { Confirm } from "../ui/confirm";
import { CopyButton } from "../ui/copy-button";
import { Dialog } from "../ui/dialog";
import { FormActions } from "../ui/form-actions";
import { nameField } from "./choices";
import { byName, useDirectory } from "../ui/directory";
import { Field } from "../ui/field";
import { ListTable, NameCells } from "../ui/list-table";
import { MoreButton } from "../ui/more-button";
import { usePaged } from "../ui/paged";
import { Empty, ErrorMessage, Loading } from "../ui/status";

type Open = { kind: "create" } | { kind: "revoke"; token: AdminToken } | null;

export function TokensPage(props: { me: Me }) {
  const [open, setOpen] = useState<Open>(null);
  const directory = useDirectory(props.me, ["clients"]);
  const list = usePaged<AdminToken>(async (cursor) => {
    const page = await gateway().tokens.page({ limit: 50, cursor: cursor ?? undefined });
    return { items: page.tokens, next: page.next_cursor };
  }, "tokens");
  const clientNames = (ids: string[]) =>
    ids.map((id) => directory.clients.find((c) => c.id === id)?.name ?? id).join(", ");
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
        <ListTable
          caption="Admin tokens, newest first"
          columns={[
            "Name",
            "Token ID",
            "Permissions",
            "Clients",
            "Created",
            "Expires",
            "Last Used",
            "Status",
            "Actions",
          ]}
        >
          {list.items.map((t) => (
            <tr>
              <NameCells name={t.name} id={t.id} idLabel="Token ID" />
              <td data-label="Permissions">{t.permissions.join(", ")}</td>
              <td data-label="Clients">{t.client_ids ? clientNames(t.client_ids) : "All clients"}</td>
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
        </ListTable>
      ) : list.loading || list.error ? null : (
        <Empty>No admin tokens yet. Give each person or script its own token with only the permissions it needs.</Empty>
      )}
      {list.loading ? <Loading what="admin tokens" /> : null}
      <MoreButton what="tokens" show={list.hasMore} loading={list.loading} onMore={list.loadMore} />

      {open?.kind === "create" ? (
        <CreateToken me={props.me} clients={directory.clients} onCreated={() => list.reload()} onClose={close} />
      ) : open?.kind === "revoke" ? (
        <Confirm
          title={`Revoke ${open.token.name}`}
          confirmLabel="Revoke"
          onConfirm={async () => {
            const r = await gateway().tokens.revoke(open.token.id);
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
  /** The clients the creator sees, for the client scope (those of `organization` when given). */
  clients: Client[];
  organization?: Organization;
  onCreated: () => void;
  onClose: () => void;
}) {
  const bound = props.organization !== undefined;
  const grantable: string[] = PERMISSIONS.filter((p) => can(props.me, p) && !(bound && UNBOUND_ONLY.includes(p)));
  const scopeChoices = byName(
    props.clients.filter(
      (c) => c.status !== "revoked" && (!props.organization || c.organization_id === props.organization.id),
    ),
  );
  const [name, setName] = useState("");
  const [permissions, setPermissions] = useState<string[]>([]);
  const [clientIds, setClientIds] = useState<string[]>([]);
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

  const toggle = (list: string[], item: string, on: boolean) =>
    on ? [...list.filter((x) => x !== item), item] : list.filter((x) => x !== item);
  const sameSet = (a: string[], b: string[]) => a.length === b.length && a.every((x) => b.includes(x));
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const result = await gateway().tokens.create({
        name,
        permissions: grantable.filter((p) => permissions.includes(p)) as Body<"POST /admin/tokens">["permissions"],
        ...(clientIds.length ? { client_ids: clientIds } : {}),
        ...(props.organization ? { organization_id: props.organization.id } : {}),
        expires_in_days: Number(days),
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
      wide
    >
      <form onSubmit={submit}>
        <Field {...nameField("Token Name")} value={name} onValue={setName} />
        <fieldset>
          <legend>Role</legend>
          <div class="checks roles">
            {ROLES.map((role) => {
              const ticks = role.permissions(grantable);
              return (
                <label class="check">
                  <input
                    type="radio"
                    name="role"
                    checked={ticks.length > 0 && sameSet(ticks, permissions)}
                    onChange={() => setPermissions(ticks)}
                  />
                  {role.name}
                </label>
              );
            })}
          </div>
          <p class="hint">A role ticks its permissions below; change any of them as needed.</p>
        </fieldset>
        <fieldset>
          <legend>Permissions</legend>
          <div class="permissions">
            {grantable.map((p) => (
              <div class="permission">
                <label class="check">
                  <input
                    type="checkbox"
                    value={p}
                    aria-describedby={`permission-${p.replace(":", "-")}`}
                    checked={permissions.includes(p)}
                    onChange={(e: Event) =>
                      setPermissions((current) => toggle(current, p, (e.target as HTMLInputElement).checked))
                    }
                  />
                  <code>{p}</code>
                </label>
                <span id={`permission-${p.replace(":", "-")}`} class="hint">
                  {DESCRIPTIONS[p]}
                </span>
              </div>
            ))}
          </div>
        </fieldset>
        {scopeChoices.length > 0 ? (
          <fieldset>
            <legend>Client scope</legend>
            <p class="hint">
              Tick clients to limit the token to them.{" "}
              {props.organization
                ? `None ticked: every client of ${props.organization.name}, and it can create that organization's clients.`
                : "None ticked: every client."}
            </p>
            <div class="checks scope">
              {scopeChoices.map((c) => (
                <label class="check">
                  <input
                    type="checkbox"
                    value={c.id}
                    checked={clientIds.includes(c.id)}
                    onChange={(e: Event) =>
                      setClientIds((current) => toggle(current, c.id, (e.target as HTMLInputElement).checked))
                    }
                  />
                  {c.name}
                </label>
              ))}
            </div>
          </fieldset>
        ) : null}
        <Field
          label="Expires in (days)"
          name="expires_in_days"
          kind="number"
          min={1}
          max={365}
          required
          value={days}
          onValue={setDays}
        />
        <ErrorMessage error={error} />
        <FormActions submitLabel="Create Token" busy={busy} onCancel={props.onClose} />
      </form>
    </Dialog>
  );
}
