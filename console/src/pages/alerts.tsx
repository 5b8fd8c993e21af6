import { api, query } from "../api";
import { when } from "../format";
import type { Alert } from "../types";
import { MoreButton } from "../ui/more-button";
import { usePaged } from "../ui/paged";
import { Empty, ErrorMessage, Loading } from "../ui/status";

export function AlertsPage() {
  const list = usePaged<Alert>(async (cursor) => {
    const page = await api<{ alerts: Alert[]; next_cursor: string | null }>(
      `/admin/alerts${query({ limit: 50, cursor })}`,
    );
    return { items: page.alerts, next: page.next_cursor };
  }, "alerts");
  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title" tabIndex={-1}>
        Alerts
      </h1>
      <ErrorMessage error={list.error} />
      {list.items.length > 0 ? (
        <table class="cards">
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">Type</th>
              <th scope="col">Client ID</th>
              <th scope="col">Message</th>
            </tr>
          </thead>
          <tbody>
            {list.items.map((a) => (
              <tr>
                <td data-label="Time">{when(a.triggered_at)}</td>
                <td data-label="Type">
                  <code>{a.type}</code>
                </td>
                <td data-label="Client ID">
                  <code class="token">{a.client_id}</code>
                </td>
                <td data-label="Message">{a.message}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : list.loading || list.error ? null : (
        <Empty>No alerts. Rate limits, error rates, failed authentications and unusual usage raise them here.</Empty>
      )}
      {list.loading ? <Loading what="alerts" /> : null}
      <MoreButton what="alerts" show={list.hasMore} loading={list.loading} onMore={list.loadMore} />
    </section>
  );
}
