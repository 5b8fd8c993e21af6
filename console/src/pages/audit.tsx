import { useState } from "hono/jsx/dom";
import { api, query } from "../api";
import { when } from "../format";
import type { AuditEntry, Me } from "../types";
import { MoreButton } from "../ui/more-button";
import { OrganizationFilter, useOrganizations } from "../ui/organization-filter";
import { usePaged } from "../ui/paged";
import { Empty, ErrorMessage, Loading } from "../ui/status";

export function AuditPage(props: { me: Me }) {
  const organizations = useOrganizations(props.me);
  const [organizationId, setOrganizationId] = useState("");
  const list = usePaged<AuditEntry>(async (cursor) => {
    const page = await api<{ entries: AuditEntry[]; next_cursor: string | null }>(
      `/admin/audit-log${query({ limit: 50, cursor, organization_id: organizationId })}`,
    );
    return { items: page.entries, next: page.next_cursor };
  }, `audit:${organizationId}`);
  return (
    <section aria-labelledby="page-title">
      <div class="page-head">
        <h1 id="page-title" tabIndex={-1}>
          Audit log
        </h1>
        <OrganizationFilter organizations={organizations} value={organizationId} onChange={setOrganizationId} />
      </div>
      <ErrorMessage error={list.error} />
      {list.items.length > 0 ? (
        <table class="cards">
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">Actor</th>
              <th scope="col">Action</th>
              <th scope="col">Target ID</th>
              <th scope="col">IP</th>
            </tr>
          </thead>
          <tbody>
            {list.items.map((e) => (
              <tr>
                <td data-label="Time">{when(e.at)}</td>
                <td data-label="Actor">
                  <code class="token">{e.actor}</code>
                </td>
                <td data-label="Action">
                  <code>{e.action}</code>
                </td>
                <td data-label="Target ID">{e.target_id ? <code class="token">{e.target_id}</code> : "—"}</td>
                <td data-label="IP">{e.ip ?? "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : list.loading || list.error ? null : (
        <Empty>No audit entries yet. Every management change is recorded here.</Empty>
      )}
      {list.loading ? <Loading what="audit entries" /> : null}
      <MoreButton what="entries" show={list.hasMore} loading={list.loading} onMore={list.loadMore} />
    </section>
  );
}
