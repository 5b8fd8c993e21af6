import type { UsageHour } from "./records";
import { iso } from "../lib/time";

const DAY_MS = 86_400_000;

export interface DayUsage {
  date: string;
  requests: number;
  successful_requests: number;
  units_consumed: number;
}

/** Every UTC day from `from`'s to `to`'s, by date (YYYY-MM-DD), each at zero: the `daily` of a usage answer. */
export function emptyDays(from: number, to: number): Map<string, DayUsage> {
  const daily = new Map<string, DayUsage>();
  for (let day = Math.floor(from / DAY_MS) * DAY_MS; day <= to; day += DAY_MS) {
    const date = new Date(day).toISOString().slice(0, 10);
    daily.set(date, { date, requests: 0, successful_requests: 0, units_consumed: 0 });
  }
  return daily;
}

/** The usage answer for one client over [from, to], from its hourly rows in D1. */
export function usageReport(clientId: string, rows: UsageHour[], from: number, to: number) {
  let total = 0,
    successful = 0,
    rateLimited = 0,
    failedAuth = 0,
    units = 0,
    responseMs = 0,
    responses = 0;
  const errors: Record<string, number> = {};
  const byWorkflow = new Map<string, { requests: number; successful_requests: number }>();
  const daily = emptyDays(from, to);
  for (const r of rows) {
    total += r.requests;
    successful += r.successfulRequests;
    rateLimited += r.rateLimitedRequests;
    failedAuth += r.failedAuthentications;
    units += r.unitsConsumed;
    responseMs += r.responseMsTotal;
    responses += r.responses;
    for (const [code, n] of Object.entries(r.errors)) errors[code] = (errors[code] ?? 0) + n;
    if (r.workflowId !== "") {
      const w = byWorkflow.get(r.workflowId) ?? { requests: 0, successful_requests: 0 };
      w.requests += r.requests;
      w.successful_requests += r.successfulRequests;
      byWorkflow.set(r.workflowId, w);
    }
    const d = daily.get(new Date(r.hour).toISOString().slice(0, 10));
    if (d) {
      d.requests += r.requests;
      d.successful_requests += r.successfulRequests;
      d.units_consumed += r.unitsConsumed;
    }
  }
  return {
    client_id: clientId,
    from: iso(from),
    to: iso(to),
    total_requests: total,
    successful_requests: successful,
    success_rate: total === 0 ? null : Math.round((successful / total) * 10_000) / 10_000,
    average_response_ms: responses === 0 ? null : Math.round((responseMs / responses) * 100) / 100,
    rate_limited_requests: rateLimited,
    failed_authentications: failedAuth,
    units_consumed: units,
    by_workflow: [...byWorkflow]
      .map(([workflow_id, w]) => ({ workflow_id, ...w }))
      .sort((a, b) => b.requests - a.requests),
    errors,
    daily: [...daily.values()],
  };
}
