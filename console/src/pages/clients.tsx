import { useState } from "hono/jsx/dom";
import { filters, gateway, type Client, type Me } from "../gateway";
import { capitalize, when } from "../format";
import { can } from "../permissions";
import { navigate } from "../router";
import { Confirm } from "../ui/confirm";
import { ListTable, NameCells } from "../ui/list-table";
import { MoreButton } from "../ui/more-button";
import { OrganizationFilter, useOrganizations } from "../ui/organization-filter";
import { usePaged } from "../ui/paged";
import { Empty, ErrorMessage, Loading, Notice } from "../ui/status";
import { AlertSettings } from "./client-alert-settings";
import { CreateClient } from "./client-create";
import { EditClient } from "./client-edit";
import { RegenerateSecret } from "./client-regenerate";

type Open =
  | { kind: "create" }
  | { kind: "edit"; client: Client }
  | { kind: "alerts"; client: Client }
  | { kind: "regenerate"; client: Client }
  | { kind: "revoke"; client: Client }
  | null;

const COLUMNS = ["Name", "Client ID", "Environment", "Created", "Last Used", "Rate Limit", "Status", "Actions"];

export function ClientsPage(props: { me: Me }) {
  const { me } = props;
  const [open, setOpen] = useState<Open>(null);
  const organizations = useOrganizations(me);
  const [organizationId, setOrganizationId] = useState("");
  const list = usePaged<Client>(async (cursor) => {
    const page = await gateway().clients.page({
      limit: 25,
      cursor: cursor ?? undefined,
      ...filters({ organization_id: organizationId }),
    });
    return { items: page.clients, next: page.next_cursor };
  }, `clients:${organizationId}`);
  // Creating needs clients:write on every client: a token scoped to some clients cannot create.
  const mayCreate = can(me, "clients:write") && me.client_ids === null;
  const close = () => setOpen(null);
  // Said once a dialog that changes nothing visible in the table has saved (read out: role=status).
  const [notice, setNotice] = useState<string | null>(null);
  /** A dialog saved `client`: the table shows it as it now is, and the dialog closes. */
  const saved = (client: Client, message: string | null = null) => {
    list.replace(client);
    close();
    setNotice(message);
  };

  return (
    <section aria-labelledby="page-title">
      <div class="page-head">
        <h1 id="page-title" tabIndex={-1}>
          Clients
        </h1>
        <div class="filters">
          <OrganizationFilter organizations={organizations} value={organizationId} onChange={setOrganizationId} />
          {mayCreate ? (
            <button type="button" onClick={() => setOpen({ kind: "create" })}>
              Create New Client
            </button>
          ) : null}
        </div>
      </div>
      <ErrorMessage error={list.error} />
      <Notice text={notice} />
      {list.items.length > 0 ? (
        <ListTable caption="API clients, newest first" columns={COLUMNS}>
          {list.items.map((client) => (
            <tr>
              <NameCells name={client.name} id={client.id} idLabel="Client ID" />
              <td data-label="Environment">{capitalize(client.environment)}</td>
              <td data-label="Created">{when(client.created_at)}</td>
              <td data-label="Last Used">{when(client.last_used_at)}</td>
              <td data-label="Rate Limit">{client.rate_limit}/min</td>
              <td data-label="Status">
                <span class={`badge ${client.status}`}>{capitalize(client.status)}</span>
              </td>
              <td data-label="Actions">
                <div class="row-actions">
                  {client.status !== "revoked" && can(me, "clients:write") ? (
                    <button type="button" class="secondary" onClick={() => setOpen({ kind: "edit", client })}>
                      Edit
                    </button>
                  ) : null}
                  {client.status !== "revoked" && can(me, "clients:write") ? (
                    <button
                      type="button"
                      class="secondary"
                      onClick={() => {
                        setNotice(null);
                        setOpen({ kind: "alerts", client });
                      }}
                    >
                      Alert Settings
                    </button>
                  ) : null}
                  {client.status !== "revoked" && can(me, "clients:rotate") ? (
                    <button type="button" class="secondary" onClick={() => setOpen({ kind: "regenerate", client })}>
                      Regenerate Secret
                    </button>
                  ) : null}
                  {client.status !== "revoked" && can(me, "clients:revoke") ? (
                    <button type="button" class="danger" onClick={() => setOpen({ kind: "revoke", client })}>
                      Revoke
                    </button>
                  ) : null}
                  {can(me, "usage:read") ? (
                    <button
                      type="button"
                      class="secondary"
                      onClick={() => navigate(`/clients/${encodeURIComponent(client.id)}/usage`)}
                    >
                      View Usage
                    </button>
                  ) : null}
                </div>
              </td>
            </tr>
          ))}
        </ListTable>
      ) : list.loading ? null : list.error ? null : (
        <Empty>No clients yet.{mayCreate ? " Create one to issue its credentials." : ""}</Empty>
      )}
      {list.loading ? <Loading what="clients" /> : null}
      <MoreButton what="clients" show={list.hasMore} loading={list.loading} onMore={list.loadMore} />

      {open?.kind === "create" ? (
        <CreateClient onCreated={() => list.reload()} onClose={close} />
      ) : open?.kind === "edit" ? (
        <EditClient client={open.client} onSaved={(client) => saved(client)} onClose={close} />
      ) : open?.kind === "alerts" ? (
        <AlertSettings
          client={open.client}
          onSaved={(client) => saved(client, `Alert settings of ${client.name} saved.`)}
          onClose={close}
        />
      ) : open?.kind === "regenerate" ? (
        <RegenerateSecret client={open.client} onRegenerated={list.replace} onClose={close} />
      ) : open?.kind === "revoke" ? (
        <Confirm
          title={`Revoke ${open.client.name}`}
          confirmLabel="Revoke"
          onConfirm={async () => {
            const result = await gateway().clients.revoke(open.client.id);
            list.replace(result.client);
            close();
          }}
          onClose={close}
        />
      ) : null}
    </section>
  );
}
