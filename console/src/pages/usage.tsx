import { useEffect, useState } from "hono/jsx/dom";
import { gateway, messageOf, type Client, type Usage } from "../gateway";
import { number, percent } from "../format";
import { InlineSelect } from "../ui/inline-select";
import { Empty, ErrorMessage, Loading } from "../ui/status";
import { DailyChart } from "./usage-chart";

const RANGES = [7, 30, 90];

/** `View Usage`: a client's figures, requests by workflow, errors and daily requests. */
export function UsagePage(props: { clientId: string }) {
  const [days, setDays] = useState(30);
  const [usage, setUsage] = useState<Usage | null>(null);
  const [client, setClient] = useState<Client | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);

  useEffect(() => {
    // The name is a nicety: a token with usage:read but not clients:read still sees the figures.
    // No state set once the page is gone (see usePaged).
    let live = true;
    setClient(null);
    gateway()
      .clients.get(props.clientId)
      .then(
        (r) => live && setClient(r.client),
        () => live && setClient(null),
      );
    return () => {
      live = false;
    };
  }, [props.clientId]);

  useEffect(() => {
    setLoading(true);
    setError(null);
    // Another client's or period's figures are never shown under this one's heading.
    setUsage(null);
    let live = true;
    gateway()
      .usage(props.clientId, { days })
      .then(
        (found) => live && setUsage(found),
        (err) => live && setError(messageOf(err)),
      )
      .finally(() => live && setLoading(false));
    return () => {
      live = false;
    };
  }, [props.clientId, days]);

  return (
    <section aria-labelledby="page-title">
      <p>
        <a href="#/clients">← Clients</a>
      </p>
      <div class="page-head">
        <h1 id="page-title" tabIndex={-1}>
          Usage
        </h1>
        <InlineSelect label="Period" value={String(days)} onChange={(v) => setDays(Number(v))}>
          {RANGES.map((d) => (
            <option value={String(d)} selected={d === days}>
              Last {d} days
            </option>
          ))}
        </InlineSelect>
      </div>
      <p class="subtitle">
        {client ? <strong>{client.name}</strong> : null} <code class="token">{props.clientId}</code>
      </p>
      <ErrorMessage error={error} />
      {loading ? <Loading what="usage" /> : null}
      {usage ? <UsageReport usage={usage} /> : null}
    </section>
  );
}

function UsageReport(props: { usage: Usage }) {
  const u = props.usage;
  const errors = Object.entries(u.errors).sort((a, b) => b[1] - a[1]);
  return (
    <div>
      <dl class="stats">
        <div>
          <dt>Total requests</dt>
          <dd>{number(u.total_requests)}</dd>
        </div>
        <div>
          <dt>Success rate</dt>
          <dd>{percent(u.success_rate)}</dd>
        </div>
        <div>
          <dt>Average response time</dt>
          <dd>{u.average_response_ms === null ? "—" : `${number(Math.round(u.average_response_ms))} ms`}</dd>
        </div>
        <div>
          <dt>Units consumed</dt>
          <dd>{number(u.units_consumed)}</dd>
        </div>
        <div>
          <dt>Rate limited</dt>
          <dd>{number(u.rate_limited_requests)}</dd>
        </div>
        <div>
          <dt>Failed authentications</dt>
          <dd>{number(u.failed_authentications)}</dd>
        </div>
      </dl>

      <h2>Daily requests</h2>
      <DailyChart daily={u.daily} />

      <div class="two-col">
        <div>
          <h2>Requests by workflow</h2>
          {u.by_workflow.length === 0 ? (
            <Empty>No requests in this period.</Empty>
          ) : (
            <table>
              <thead>
                <tr>
                  <th scope="col">Workflow</th>
                  <th scope="col">Requests</th>
                  <th scope="col">Successful</th>
                </tr>
              </thead>
              <tbody>
                {u.by_workflow.map((w) => (
                  <tr>
                    <td>{w.workflow_id ? <code class="token">{w.workflow_id}</code> : "Secret (no workflow)"}</td>
                    <td>{number(w.requests)}</td>
                    <td>{number(w.successful_requests)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
        <div>
          <h2>Errors</h2>
          {errors.length === 0 ? (
            <Empty>No errors in this period.</Empty>
          ) : (
            <table>
              <thead>
                <tr>
                  <th scope="col">Error</th>
                  <th scope="col">Count</th>
                </tr>
              </thead>
              <tbody>
                {errors.map(([code, count]) => (
                  <tr>
                    <td>
                      <code>{code}</code>
                    </td>
                    <td>{number(count)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
      </div>
    </div>
  );
}
