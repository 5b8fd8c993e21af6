import { useState } from "hono/jsx/dom";
import { gateway, type WebhookDelivery, type WebhookEndpoint } from "../gateway";
import { capitalize, when } from "../format";
import { useCall } from "../ui/call";
import { Dialog } from "../ui/dialog";
import { ListTable } from "../ui/list-table";
import { MoreButton } from "../ui/more-button";
import { usePaged } from "../ui/paged";
import { Empty, ErrorMessage, Loading } from "../ui/status";
import { eventLabel } from "./webhook-events";

const BADGE = { succeeded: "active", pending: "inactive", failed: "revoked" } as const;

/** What the receiver answered: its HTTP status, else why there was no answer. */
const response = (d: WebhookDelivery) => (d.response_status !== null ? String(d.response_status) : (d.error ?? "—"));

/** `Deliveries`: an endpoint's deliveries, newest first, with `Retry` on failed ones. */
export function Deliveries(props: { endpoint: WebhookEndpoint; onClose: () => void }) {
  const [retrying, setRetrying] = useState<string | null>(null);
  const call = useCall();
  const list = usePaged<WebhookDelivery>(async (cursor) => {
    const page = await gateway().webhookEndpoints.deliveries.page(props.endpoint.id, {
      limit: 25,
      cursor: cursor ?? undefined,
    });
    return { items: page.deliveries, next: page.next_cursor };
  }, `deliveries:${props.endpoint.id}`);

  const retry = (delivery: WebhookDelivery) => {
    setRetrying(delivery.id);
    void call.run(async () => {
      list.replace((await gateway().webhookEndpoints.retryDelivery(props.endpoint.id, delivery.id)).delivery);
    });
  };

  return (
    <Dialog title={`Deliveries to ${props.endpoint.url}`} onClose={props.onClose} wide>
      <ErrorMessage error={list.error ?? call.error} />
      {list.items.length > 0 ? (
        <ListTable
          caption="Deliveries, newest first"
          columns={["Event", "Status", "Attempts", "Response", "Last Attempt", "Actions"]}
        >
          {list.items.map((d) => (
            <tr>
              <td data-label="Event">{eventLabel(d.event_type)}</td>
              <td data-label="Status">
                <span class={`badge ${BADGE[d.status]}`}>{capitalize(d.status)}</span>
                {d.status === "pending" && d.next_attempt_at ? (
                  <span class="hint"> next attempt {when(d.next_attempt_at)}</span>
                ) : null}
              </td>
              <td data-label="Attempts">{d.attempts}</td>
              <td data-label="Response">{response(d)}</td>
              <td data-label="Last Attempt">{when(d.last_attempt_at, "Not yet")}</td>
              <td data-label="Actions">
                {d.status === "failed" ? (
                  <button
                    type="button"
                    class="secondary"
                    disabled={call.busy && retrying === d.id}
                    onClick={() => retry(d)}
                  >
                    Retry
                  </button>
                ) : null}
              </td>
            </tr>
          ))}
        </ListTable>
      ) : list.loading || list.error ? null : (
        <Empty>No deliveries yet. Send Test Event to make one.</Empty>
      )}
      {list.loading ? <Loading what="deliveries" /> : null}
      <MoreButton what="deliveries" show={list.hasMore} loading={list.loading} onMore={list.loadMore} />
      <div class="actions">
        <button type="button" class="secondary" disabled={list.loading} onClick={list.reload}>
          Refresh
        </button>
        <button type="button" onClick={props.onClose}>
          Close
        </button>
      </div>
    </Dialog>
  );
}
