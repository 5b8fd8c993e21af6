/**
 * Usage by client and day over many clients (the usage overview and its CSV export), read page by
 * page so that an organization with 10,000 clients × 90 days never has to be held at once: each
 * page is one D1 query over at most PAGE_CLIENTS clients (keyset on the client's primary key),
 * answering their sums per UTC day from usage_hourly. 10,000 clients are 50 queries, well inside a
 * Worker's 1,000 subrequests per invocation, and each query reads one primary-key range of
 * usage_hourly per client (its rows are keyed by client, then hour).
 */
import { type SQL, and, sql } from "drizzle-orm";
import { SQLiteSyncDialect } from "drizzle-orm/sqlite-core";
import type { ClientDay } from "../domain/usage-overview";
import { DAY_MS } from "../lib/time";
import { clients, usageHourly } from "./schema";

export const PAGE_CLIENTS = 200;

interface Row {
  id: string;
  name: string;
  organization_id: string;
  environment: "production" | "sandbox";
  day: number | null;
  requests: number | null;
  successful_requests: number | null;
  units_consumed: number | null;
  rate_limited_requests: number | null;
  failed_authentications: number | null;
}

const dialect = new SQLiteSyncDialect();

/**
 * Pages of (client, day) sums with traffic, clients in ID order and days in date order within each,
 * for the clients `where` keeps (the caller's scope), from usage hours at or after `fromHour`.
 */
export async function* usagePages(
  db: D1Database,
  where: SQL | undefined,
  fromHour: number,
): AsyncGenerator<ClientDay[]> {
  let after = "";
  for (;;) {
    // A client without usage still comes back (LEFT JOIN, day NULL) so that the page's last ID,
    // the next page's start, is known however sparse the traffic.
    const query = dialect.sqlToQuery(sql`
      WITH page AS (
        SELECT ${clients.id} AS id, ${clients.name} AS name, ${clients.organizationId} AS organization_id,
               ${clients.environment} AS environment
        FROM ${clients} WHERE ${and(where, sql`${clients.id} > ${after}`)}
        ORDER BY ${clients.id} LIMIT ${sql.raw(String(PAGE_CLIENTS))})
      SELECT page.id, page.name, page.organization_id, page.environment,
             CAST(u.hour / ${sql.raw(String(DAY_MS))} AS INTEGER) AS day, sum(u.requests) AS requests,
             sum(u.successful_requests) AS successful_requests, sum(u.units_consumed) AS units_consumed,
             sum(u.rate_limited_requests) AS rate_limited_requests,
             sum(u.failed_authentications) AS failed_authentications
      FROM page LEFT JOIN ${usageHourly} u ON u.client_id = page.id AND u.hour >= ${fromHour}
      GROUP BY page.id, day ORDER BY page.id, day`);
    const { results } = await db
      .prepare(query.sql)
      .bind(...query.params)
      .all<Row>();
    if (results.length === 0) return;
    const ids = new Set(results.map((r) => r.id));
    yield results.flatMap((r) =>
      r.day === null
        ? []
        : [
            {
              clientId: r.id,
              name: r.name,
              organizationId: r.organization_id,
              environment: r.environment,
              date: new Date(r.day * DAY_MS).toISOString().slice(0, 10),
              requests: r.requests ?? 0,
              successfulRequests: r.successful_requests ?? 0,
              unitsConsumed: r.units_consumed ?? 0,
              rateLimitedRequests: r.rate_limited_requests ?? 0,
              failedAuthentications: r.failed_authentications ?? 0,
            },
          ],
    );
    if (ids.size < PAGE_CLIENTS) return;
    after = results[results.length - 1]!.id;
  }
}
