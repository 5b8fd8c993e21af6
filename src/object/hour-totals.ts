/**
 * Hour totals of a client's usage, read from its per-minute buckets: what a flush writes to D1's
 * usage_hourly, as absolute values.
 */
import { HOUR_MS } from "../lib/time";

export interface HourTotals {
  hour: number;
  workflowId: string;
  requests: number;
  successfulRequests: number;
  rateLimitedRequests: number;
  failedAuthentications: number;
  unitsConsumed: number;
  responseMsTotal: number;
  responses: number;
  lastAdmittedAt: number | null;
  errors: Record<string, number>;
}

export function readHourTotals(
  sql: SqlStorage,
  /** A `WITH all_minutes (…) AS (…)` clause: the buckets, and whatever else counts as minute figures. */
  minutes: string,
  bindings: number[],
): HourTotals[] {
  const rows = sql
    .exec<{
      hour: number;
      workflow_id: string;
      requests: number;
      successful: number;
      rate_limited: number;
      failed_auth: number;
      units: number;
      response_ms_total: number;
      completed: number;
      last_admitted_at: number | null;
    }>(
      `${minutes} SELECT (minute / ${HOUR_MS}) * ${HOUR_MS} AS hour, workflow_id, SUM(requests) AS requests,
         SUM(successful) AS successful, SUM(rate_limited) AS rate_limited, SUM(failed_auth) AS failed_auth,
         SUM(units) AS units, SUM(response_ms_total) AS response_ms_total, SUM(completed) AS completed, MAX(last_admitted_at) AS last_admitted_at
       FROM all_minutes GROUP BY hour, workflow_id`,
      ...bindings,
    )
    .toArray();
  const errors = new Map<string, Record<string, number>>();
  for (const e of sql.exec<{ hour: number; workflow_id: string; code: string; count: number }>(
    `SELECT (minute / ${HOUR_MS}) * ${HOUR_MS} AS hour, workflow_id, code, SUM(count) AS count
     FROM usage_minute_errors GROUP BY hour, workflow_id, code`,
  )) {
    const key = `${e.hour}|${e.workflow_id}`;
    const map = errors.get(key) ?? {};
    map[e.code] = e.count;
    errors.set(key, map);
  }
  return rows.map((r) => ({
    hour: r.hour,
    workflowId: r.workflow_id,
    requests: r.requests,
    successfulRequests: r.successful,
    rateLimitedRequests: r.rate_limited,
    failedAuthentications: r.failed_auth,
    unitsConsumed: r.units,
    responseMsTotal: r.response_ms_total,
    responses: r.completed,
    lastAdmittedAt: r.last_admitted_at || null,
    errors: withRateLimited(errors.get(`${r.hour}|${r.workflow_id}`) ?? {}, r.rate_limited),
  }));
}

/** 429s are not written to the error table: their count is the bucket's rate_limited. */
function withRateLimited(errors: Record<string, number>, rateLimited: number): Record<string, number> {
  if (rateLimited > 0) errors.rate_limit_exceeded = (errors.rate_limit_exceeded ?? 0) + rateLimited;
  return errors;
}
