import { useState } from "hono/jsx/dom";
import { gateway, type Me, type Organization } from "../gateway";
import { number, when } from "../format";
import { useDirectory } from "../ui/directory";
import { ListTable, NameCells } from "../ui/list-table";
import { MoreButton } from "../ui/more-button";
import { usePaged } from "../ui/paged";
import { Empty, ErrorMessage, Loading } from "../ui/status";
import { CreateOrganization, EditOrganization } from "./organization-forms";
import { CreateToken } from "./tokens";

type Open =
  | { kind: "create" }
  | { kind: "edit"; organization: Organization }
  | { kind: "token"; organization: Organization }
  | null;

const COLUMNS = ["Name", "Organization ID", "Clients", "Max Rate Limit", "Created", "Actions"];

/** `Organizations` (organizations:manage only): each customer team, its plan, and its first token. */
export function OrganizationsPage(props: { me: Me }) {
  const [open, setOpen] = useState<Open>(null);
  const directory = useDirectory(props.me, ["clients"]);
  const list = usePaged<Organization>(async (cursor) => {
    const page = await gateway().organizations.page({ limit: 25, cursor: cursor ?? undefined });
    return { items: page.organizations, next: page.next_cursor };
  }, "organizations");
  const close = () => setOpen(null);

  return (
    <section aria-labelledby="page-title">
      <div class="page-head">
        <h1 id="page-title" tabIndex={-1}>
          Organizations
        </h1>
        <button type="button" onClick={() => setOpen({ kind: "create" })}>
          Create Organization
        </button>
      </div>
      <p class="muted">
        Each customer team is an organization: it manages its own clients within its plan. Create one, then give the
        team its first admin token with <strong>Create Admin Token</strong>.
      </p>
      <ErrorMessage error={list.error} />
      {list.items.length > 0 ? (
        <ListTable caption="Organizations, newest first" columns={COLUMNS}>
          {list.items.map((o) => (
            <tr>
              <NameCells name={o.name} id={o.id} idLabel="Organization ID" />
              <td data-label="Clients">
                {number(o.client_count)} / {number(o.max_clients)}
              </td>
              <td data-label="Max Rate Limit">{number(o.max_rate_limit)}/min</td>
              <td data-label="Created">{when(o.created_at)}</td>
              <td data-label="Actions">
                <div class="row-actions">
                  <button type="button" class="secondary" onClick={() => setOpen({ kind: "edit", organization: o })}>
                    Edit
                  </button>
                  <button type="button" class="secondary" onClick={() => setOpen({ kind: "token", organization: o })}>
                    Create Admin Token
                  </button>
                </div>
              </td>
            </tr>
          ))}
        </ListTable>
      ) : list.loading || list.error ? null : (
        <Empty>No organizations yet.</Empty>
      )}
      {list.loading ? <Loading what="organizations" /> : null}
      <MoreButton what="organizations" show={list.hasMore} loading={list.loading} onMore={list.loadMore} />

      {open?.kind === "create" ? (
        <CreateOrganization
          onCreated={() => {
            list.reload();
            close();
          }}
          onClose={close}
        />
      ) : open?.kind === "edit" ? (
        <EditOrganization
          organization={open.organization}
          onSaved={(o) => {
            list.replace(o);
            close();
          }}
          onClose={close}
        />
      ) : open?.kind === "token" ? (
        <CreateToken
          me={props.me}
          clients={directory.clients}
          organization={open.organization}
          onCreated={() => {}}
          onClose={close}
        />
      ) : null}
    </section>
  );
}
