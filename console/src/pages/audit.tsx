import { useState } from "hono/jsx/dom";
import { filters, gateway, type AuditEntry, type Me } from "../gateway";
import { when } from "../format";
import { byName, nameOf, useDirectory } from "../ui/directory";
import { InlineSelect } from "../ui/inline-select";
import { ListTable } from "../ui/list-table";
import { MoreButton } from "../ui/more-button";
import { NamedId } from "../ui/named-id";
import { OrganizationFilter, useOrganizations } from "../ui/organization-filter";
import { usePaged } from "../ui/paged";
import { Empty, ErrorMessage, Loading } from "../ui/status";
import { AuditChanges } from "./audit-changes";

/** The actions the gateway records. */
const ACTIONS = [
  "client.create",
  "client.update",
  "client.regenerate_secret",
  "client.revoke",
  "client.secret_leaked",
  "workflow.create",
  "workflow.update",
  "workflow.rekey",
  "admin_token.create",
  "admin_token.revoke",
  "organization.create",
  "organization.update",
  "webhook_endpoint.create",
  "webhook_endpoint.update",
  "webhook_endpoint.rotate_secret",
  "webhook_endpoint.delete",
  "webhook_endpoint.disable",
];

/** Actors that are not admin tokens. */
const SYSTEM_ACTORS = [
  { id: "bootstrap", name: "Bootstrap (ADMIN_TOKEN)" },
  { id: "github_secret_scanning", name: "GitHub secret scanning" },
  { id: "system", name: "The gateway itself" },
];

export function AuditPage(props: { me: Me }) {
  const organizations = useOrganizations(props.me);
  const directory = useDirectory(props.me, ["clients", "workflows", "tokens"]);
  const [organizationId, setOrganizationId] = useState("");
  const [actor, setActor] = useState("");
  const [action, setAction] = useState("");
  const [target, setTarget] = useState("");
  const query = filters({ organization_id: organizationId, actor, action, target_id: target });
  const list = usePaged<AuditEntry>(
    async (cursor) => {
      const page = await gateway().auditLog.page({ limit: 50, cursor: cursor ?? undefined, ...query });
      return { items: page.entries, next: page.next_cursor };
    },
    `audit:${JSON.stringify(query)}`,
  );
  const filtered = actor !== "" || action !== "" || target !== "";

  return (
    <section aria-labelledby="page-title">
      <div class="page-head">
        <h1 id="page-title" tabIndex={-1}>
          Audit log
        </h1>
        <div class="filters">
          <OrganizationFilter organizations={organizations} value={organizationId} onChange={setOrganizationId} />
          <InlineSelect label="Actor" value={actor} onChange={setActor}>
            <option value="">All actors</option>
            {[...SYSTEM_ACTORS, ...byName(directory.tokens)].map((a) => (
              <option value={a.id} selected={a.id === actor}>
                {a.name}
              </option>
            ))}
          </InlineSelect>
          <InlineSelect label="Action" value={action} onChange={setAction}>
            <option value="">All actions</option>
            {ACTIONS.map((a) => (
              <option value={a} selected={a === action}>
                {a}
              </option>
            ))}
          </InlineSelect>
          <InlineSelect label="Target" value={target} onChange={setTarget}>
            <option value="">All targets</option>
            {(
              [
                ["Clients", directory.clients],
                ["Workflows", directory.workflows],
                ["Admin tokens", directory.tokens],
              ] as const
            ).map(([group, items]) =>
              items.length ? (
                <optgroup label={group}>
                  {byName<{ id: string; name: string }>(items).map((t) => (
                    <option value={t.id} selected={t.id === target}>
                      {t.name}
                    </option>
                  ))}
                </optgroup>
              ) : null,
            )}
          </InlineSelect>
        </div>
      </div>
      <ErrorMessage error={list.error} />
      {list.items.length > 0 ? (
        <ListTable
          caption="Audit entries, newest first"
          columns={["Time", "Actor", "Action", "Target", "Changes", "IP"]}
        >
          {list.items.map((e) => (
            <tr>
              <td data-label="Time">{when(e.at)}</td>
              <td data-label="Actor">
                <NamedId id={e.actor} name={nameOf(directory, e.actor)} />
              </td>
              <td data-label="Action">
                <code>{e.action}</code>
              </td>
              <td data-label="Target">
                <NamedId id={e.target_id} name={nameOf(directory, e.target_id)} />
              </td>
              <td data-label="Changes">
                <AuditChanges details={e.details} />
              </td>
              <td data-label="IP">{e.ip ?? "—"}</td>
            </tr>
          ))}
        </ListTable>
      ) : list.loading || list.error ? null : filtered ? (
        <Empty>No audit entries match these filters.</Empty>
      ) : (
        <Empty>No audit entries yet. Every management change is recorded here.</Empty>
      )}
      {list.loading ? <Loading what="audit entries" /> : null}
      <MoreButton what="entries" show={list.hasMore} loading={list.loading} onMore={list.loadMore} />
    </section>
  );
}
