import { useState } from "hono/jsx/dom";
import { filters, gateway, type Alert, type Me } from "../gateway";
import { when } from "../format";
import { byName, useDirectory } from "../ui/directory";
import { InlineSelect } from "../ui/inline-select";
import { ListTable } from "../ui/list-table";
import { MoreButton } from "../ui/more-button";
import { NamedId } from "../ui/named-id";
import { usePaged } from "../ui/paged";
import { Empty, ErrorMessage, Loading } from "../ui/status";

/** Every alert type, as the API names it and as a person reads it. */
export const ALERT_TYPES: { value: Alert["type"]; label: string }[] = [
  { value: "rate_limit_approaching", label: "Rate limit approaching" },
  { value: "high_error_rate", label: "High error rate" },
  { value: "failed_authentication", label: "Failed authentication" },
  { value: "unusual_usage", label: "Unusual usage" },
  { value: "secret_rotation_due", label: "Secret rotation due" },
  { value: "secret_leaked", label: "Secret leaked" },
];

const typeLabel = (type: string) => ALERT_TYPES.find((t) => t.value === type)?.label ?? type;

export function AlertsPage(props: { me: Me }) {
  const directory = useDirectory(props.me, ["clients"]);
  const [type, setType] = useState("");
  const [clientId, setClientId] = useState("");
  const list = usePaged<Alert>(async (cursor) => {
    const page = await gateway().alerts.page({
      limit: 50,
      cursor: cursor ?? undefined,
      ...filters({ type: type as Alert["type"] | "", client_id: clientId }),
    });
    return { items: page.alerts, next: page.next_cursor };
  }, `alerts:${type}:${clientId}`);
  const clientName = (id: string) => directory.clients.find((c) => c.id === id)?.name ?? null;
  const filtered = type !== "" || clientId !== "";
  return (
    <section aria-labelledby="page-title">
      <div class="page-head">
        <h1 id="page-title" tabIndex={-1}>
          Alerts
        </h1>
        <div class="filters">
          <InlineSelect label="Type" value={type} onChange={setType}>
            <option value="">All types</option>
            {ALERT_TYPES.map((t) => (
              <option value={t.value} selected={t.value === type}>
                {t.label}
              </option>
            ))}
          </InlineSelect>
          {directory.clients.length > 0 ? (
            <InlineSelect label="Client" value={clientId} onChange={setClientId}>
              <option value="">All clients</option>
              {byName(directory.clients).map((c) => (
                <option value={c.id} selected={c.id === clientId}>
                  {c.name}
                </option>
              ))}
            </InlineSelect>
          ) : null}
        </div>
      </div>
      <ErrorMessage error={list.error} />
      {list.items.length > 0 ? (
        <ListTable caption="Alerts, newest first" columns={["Time", "Type", "Client", "Message"]}>
          {list.items.map((a) => (
            <tr>
              <td data-label="Time">{when(a.triggered_at)}</td>
              <td data-label="Type">{typeLabel(a.type)}</td>
              <td data-label="Client">
                <NamedId id={a.client_id} name={clientName(a.client_id)} />
              </td>
              <td data-label="Message">{a.message}</td>
            </tr>
          ))}
        </ListTable>
      ) : list.loading || list.error ? null : filtered ? (
        <Empty>No alerts match these filters.</Empty>
      ) : (
        <Empty>No alerts. Rate limits, error rates, failed authentications and unusual usage raise them here.</Empty>
      )}
      {list.loading ? <Loading what="alerts" /> : null}
      <MoreButton what="alerts" show={list.hasMore} loading={list.loading} onMore={list.loadMore} />
    </section>
  );
}
