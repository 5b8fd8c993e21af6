/**
 * The usage overview over many clients (GET /admin/usage), summed from their per-client, per-day
 * rows as they are read page by page, so that only one figure per client and per day is held.
 * The days and their sums are those of the per-client usage report (usage-report.ts) for the same
 * `from` and `to`, so each client's figures here equal its own report's.
 */
import { iso } from "../lib/time";
import type { Environment } from "./credentials";
import { emptyDays } from "./usage-report";

export interface ClientDay {
  clientId: string;
  name: string;
  organizationId: string;
  environment: Environment;
  date: string;
  requests: number;
  successfulRequests: number;
  unitsConsumed: number;
  rateLimitedRequests: number;
  failedAuthentications: number;
}

interface ClientTotals {
  client_id: string;
  name: string;
  organization_id: string;
  environment: Environment;
  total_requests: number;
  successful_requests: number;
  units_consumed: number;
  rate_limited_requests: number;
  failed_authentications: number;
}

export async function usageOverview(pages: AsyncIterable<ClientDay[]>, from: number, to: number, asOf: number) {
  const daily = emptyDays(from, to);
  const byClient = new Map<string, ClientTotals>();
  const totals = {
    total_requests: 0,
    successful_requests: 0,
    units_consumed: 0,
    rate_limited_requests: 0,
    failed_authentications: 0,
  };
  for await (const page of pages) {
    for (const r of page) {
      let client = byClient.get(r.clientId);
      if (!client) {
        client = {
          client_id: r.clientId,
          name: r.name,
          organization_id: r.organizationId,
          environment: r.environment,
          total_requests: 0,
          successful_requests: 0,
          units_consumed: 0,
          rate_limited_requests: 0,
          failed_authentications: 0,
        };
        byClient.set(r.clientId, client);
      }
      for (const sums of [client, totals]) {
        sums.total_requests += r.requests;
        sums.successful_requests += r.successfulRequests;
        sums.units_consumed += r.unitsConsumed;
        sums.rate_limited_requests += r.rateLimitedRequests;
        sums.failed_authentications += r.failedAuthentications;
      }
      const d = daily.get(r.date);
      if (d) {
        d.requests += r.requests;
        d.successful_requests += r.successfulRequests;
        d.units_consumed += r.unitsConsumed;
      }
    }
  }
  return {
    from: iso(from),
    to: iso(to),
    as_of: iso(asOf),
    ...totals,
    // Busiest first; equal ones in ID order, so the answer is stable.
    clients: [...byClient.values()].sort(
      (a, b) => b.total_requests - a.total_requests || (a.client_id < b.client_id ? -1 : 1),
    ),
    daily: [...daily.values()],
  };
}
