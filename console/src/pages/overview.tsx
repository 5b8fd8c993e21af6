import { useEffect, useState } from "hono/jsx/dom";
import { filters, gateway, messageOf, type Me, type UsageOverview } from "../gateway";
import { number, percent, when } from "../format";
import { DownloadLink } from "../ui/download-link";
import { ListTable } from "../ui/list-table";
import { InlineSelect } from "../ui/inline-select";
import { OrganizationFilter, useOrganizations } from "../ui/organization-filter";
import { Empty, ErrorMessage, Loading } from "../ui/status";
import { DailyChart } from "./usage-chart";

/** The `Period` choices, in days ("24 hours" is the API's days=1). */
const PERIODS: { days: number; label: string }[] = [
  { days: 1, label: "Last 24 hours" },
  { days: 7, label: "Last 7 days" },
  { days: 30, label: "Last 30 days" },
  { days: 90, label: "Last 90 days" },
];

const rate = (successful: number, total: number) => (total === 0 ? null : successful / total);

/** `Overview`: the usage of everything the token sees (or one organization's), and its export. */
export function OverviewPage(props: { me: Me }) {
  const organizations = useOrganizations(props.me);
  const [days, setDays] = useState(30);
  const [organizationId, setOrganizationId] = useState("");
  const [overview, setOverview] = useState<UsageOverview | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const options = { days, organizationId: organizationId || undefined };

  useEffect(() => {
    setLoading(true);
    setError(null);
    setOverview(null);
    // Only the latest filters' answer is shown, and none once the page is gone (see usePaged).
    let live = true;
    gateway()
      .usageOverview(options)
      .then(
        (found) => live && setOverview(found),
        (err) => live && setError(messageOf(err)),
      )
      .finally(() => live && setLoading(false));
    return () => {
      live = false;
    };
  }, [days, organizationId]);

  return (
    <section aria-labelledby="page-title">
      <div class="page-head">
        <h1 id="page-title" tabIndex={-1}>
          Overview
        </h1>
        <div class="filters">
          <OrganizationFilter organizations={organizations} value={organizationId} onChange={setOrganizationId} />
          <InlineSelect label="Period" value={String(days)} onChange={(v) => setDays(Number(v))}>
            {PERIODS.map((p) => (
              <option value={String(p.days)} selected={p.days === days}>
                {p.label}
              </option>
            ))}
          </InlineSelect>
        </div>
      </div>
      <p class="subtitle">
        <DownloadLink
          href={`/admin/usage?${new URLSearchParams(filters({ format: "csv", days: String(days), organization_id: organizationId }))}`}
          load={async () => {
            const file = await gateway().usageExport(options);
            return { text: file.csv, type: "text/csv", filename: file.filename };
          }}
          filename={`nafsi-usage-${days}d.csv`}
        >
          Download CSV
        </DownloadLink>
      </p>
      <ErrorMessage error={error} />
      {loading ? <Loading what="usage" /> : null}
      {overview ? <OverviewReport overview={overview} /> : null}
    </section>
  );
}

function OverviewReport(props: { overview: UsageOverview }) {
  const o = props.overview;
  return (
    <div>
      <dl class="stats">
        <div>
          <dt>Total requests</dt>
          <dd>{number(o.total_requests)}</dd>
        </div>
        <div>
          <dt>Success rate</dt>
          <dd>{percent(rate(o.successful_requests, o.total_requests))}</dd>
        </div>
        <div>
          <dt>Units consumed</dt>
          <dd>{number(o.units_consumed)}</dd>
        </div>
        <div>
          <dt>Rate limited</dt>
          <dd>{number(o.rate_limited_requests)}</dd>
        </div>
        <div>
          <dt>Failed authentications</dt>
          <dd>{number(o.failed_authentications)}</dd>
        </div>
      </dl>
      <p class="hint">Complete up to {when(o.as_of)}: usage reaches these figures within a minute of the traffic.</p>

      <h2>Daily requests</h2>
      <DailyChart daily={o.daily} />

      <h2>Clients</h2>
      {o.clients.length === 0 ? (
        <Empty>No client had traffic in this period.</Empty>
      ) : (
        <ListTable
          caption="Clients with traffic in this period, busiest first"
          columns={[
            "Name",
            "Client ID",
            "Environment",
            "Requests",
            "Success rate",
            "Units",
            "Rate limited",
            "Failed auth",
          ]}
        >
          {o.clients.map((c) => (
            <tr>
              <th scope="row" data-label="Name">
                <a href={`#/clients/${encodeURIComponent(c.client_id)}/usage`}>{c.name}</a>
              </th>
              <td data-label="Client ID">
                <code class="token">{c.client_id}</code>
              </td>
              <td data-label="Environment">{c.environment === "production" ? "Production" : "Sandbox"}</td>
              <td data-label="Requests">{number(c.total_requests)}</td>
              <td data-label="Success rate">{percent(rate(c.successful_requests, c.total_requests))}</td>
              <td data-label="Units">{number(c.units_consumed)}</td>
              <td data-label="Rate limited">{number(c.rate_limited_requests)}</td>
              <td data-label="Failed auth">{number(c.failed_authentications)}</td>
            </tr>
          ))}
        </ListTable>
      )}
    </div>
  );
}
