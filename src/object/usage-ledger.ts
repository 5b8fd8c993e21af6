/**
 * A client's usage as its Durable Object records it: per-minute buckets in the object's own SQLite
 * storage, written before the object answers, so a restart loses nothing. Buckets are rolled up
 * into hours for D1 (see flush.ts) and kept here only as long as a roll-up may still change.
 */
import { HOUR_MS, MINUTE_MS, floorTo } from "../lib/time";

const HOURLY_KEEP_MS = 8 * 24 * HOUR_MS;

export type UsageKind = "admitted" | "denied" | "rate_limited" | "failed_auth";

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

export class UsageLedger {
  constructor(private readonly sql: SqlStorage) {
    sql.exec(`CREATE TABLE IF NOT EXISTS usage_minutes (
        minute INTEGER NOT NULL, workflow_id TEXT NOT NULL,
        requests INTEGER NOT NULL DEFAULT 0, successful INTEGER NOT NULL DEFAULT 0,
        admitted INTEGER NOT NULL DEFAULT 0, completed INTEGER NOT NULL DEFAULT 0,
        rate_limited INTEGER NOT NULL DEFAULT 0, failed_auth INTEGER NOT NULL DEFAULT 0,
        units INTEGER NOT NULL DEFAULT 0, response_ms_total INTEGER NOT NULL DEFAULT 0,
        last_admitted_at INTEGER, PRIMARY KEY (minute, workflow_id));
      CREATE TABLE IF NOT EXISTS usage_minute_errors (
        minute INTEGER NOT NULL, workflow_id TEXT NOT NULL, code TEXT NOT NULL, count INTEGER NOT NULL,
        PRIMARY KEY (minute, workflow_id, code));
      CREATE TABLE IF NOT EXISTS usage_hours (hour INTEGER PRIMARY KEY, requests INTEGER NOT NULL);`);
  }

  /** One request, as decided by the authority (or reported by an edge isolate for failed auth). */
  record(at: number, workflowId: string, kind: UsageKind, code?: string, n = 1): void {
    const minute = floorTo(at, MINUTE_MS);
    this.sql.exec(
      `INSERT INTO usage_minutes (minute, workflow_id, requests, rate_limited, failed_auth, admitted, last_admitted_at)
       VALUES (?1, ?2, ?7, ?3, ?4, ?6, ?5)
       ON CONFLICT (minute, workflow_id) DO UPDATE SET requests = requests + ?7, admitted = admitted + ?6,
         rate_limited = rate_limited + ?3, failed_auth = failed_auth + ?4,
         last_admitted_at = MAX(COALESCE(last_admitted_at, 0), COALESCE(?5, 0))`,
      minute,
      workflowId,
      kind === "rate_limited" ? n : 0,
      kind === "failed_auth" ? n : 0,
      kind === "admitted" ? at : null,
      kind === "admitted" ? n : 0,
      n,
    );
    if (code) this.error(minute, workflowId, code, n);
  }

  /** The answer an admitted request got, reported by the edge once it was sent. */
  complete(
    admittedAt: number,
    workflowId: string,
    status: number,
    responseMs: number,
    units: number,
    code?: string,
  ): void {
    const minute = floorTo(admittedAt, MINUTE_MS);
    const ok = status >= 200 && status < 300 ? 1 : 0;
    this.sql.exec(
      `INSERT INTO usage_minutes (minute, workflow_id, successful, units, response_ms_total, completed) VALUES (?1, ?2, ?3, ?4, ?5, 1)
       ON CONFLICT (minute, workflow_id) DO UPDATE SET successful = successful + ?3, units = units + ?4, completed = completed + 1,
         response_ms_total = response_ms_total + ?5`,
      minute,
      workflowId,
      ok,
      ok ? units : 0,
      Math.max(0, Math.round(responseMs)),
    );
    if (!ok)
      this.error(
        minute,
        workflowId,
        code ?? (status >= 500 ? "upstream_5xx" : status >= 400 ? "upstream_4xx" : "upstream_3xx"),
      );
  }

  private error(minute: number, workflowId: string, code: string, n = 1): void {
    this.sql.exec(
      `INSERT INTO usage_minute_errors (minute, workflow_id, code, count) VALUES (?1, ?2, ?3, ?4)
       ON CONFLICT (minute, workflow_id, code) DO UPDATE SET count = count + ?4`,
      minute,
      workflowId,
      code,
      n,
    );
  }

  /**
   * Hour totals for every hour that still has minute buckets here. Absolute values, so writing
   * them twice (a retried flush) gives the same D1 rows as writing them once.
   */
  hourTotals(): HourTotals[] {
    const rows = this.sql
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
        `SELECT (minute / ${HOUR_MS}) * ${HOUR_MS} AS hour, workflow_id, SUM(requests) AS requests,
           SUM(successful) AS successful, SUM(rate_limited) AS rate_limited, SUM(failed_auth) AS failed_auth,
           SUM(units) AS units, SUM(response_ms_total) AS response_ms_total, SUM(completed) AS completed, MAX(last_admitted_at) AS last_admitted_at
         FROM usage_minutes GROUP BY hour, workflow_id`,
      )
      .toArray();
    const errors = new Map<string, Record<string, number>>();
    for (const e of this.sql.exec<{ hour: number; workflow_id: string; code: string; count: number }>(
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
      errors: errors.get(`${r.hour}|${r.workflow_id}`) ?? {},
    }));
  }

  /**
   * After a successful flush: keep the hour totals this object needs for the unusual-usage
   * baseline, and drop minute buckets of hours that can no longer change (older than the previous
   * hour; an admitted request's outcome arrives within seconds).
   */
  afterFlush(flushed: HourTotals[], now: number): void {
    const perHour = new Map<number, number>();
    for (const t of flushed) perHour.set(t.hour, (perHour.get(t.hour) ?? 0) + t.requests);
    for (const [hour, requests] of perHour) {
      this.sql.exec("INSERT OR REPLACE INTO usage_hours (hour, requests) VALUES (?, ?)", hour, requests);
    }
    const keepFrom = floorTo(now, HOUR_MS) - HOUR_MS;
    this.sql.exec("DELETE FROM usage_minutes WHERE minute < ?", keepFrom);
    this.sql.exec("DELETE FROM usage_minute_errors WHERE minute < ?", keepFrom);
    this.sql.exec("DELETE FROM usage_hours WHERE hour < ?", now - HOURLY_KEEP_MS);
  }

  /**
   * Requests since `from` (by minute bucket) and how many of them are known to have failed. An
   * admitted request whose answer has not been reported yet is neither success nor failure.
   */
  since(from: number): { requests: number; failed: number } {
    const row = this.sql
      .exec<{ requests: number | null; successful: number | null; pending: number | null }>(
        "SELECT SUM(requests) AS requests, SUM(successful) AS successful, SUM(admitted - completed) AS pending FROM usage_minutes WHERE minute >= ?",
        floorTo(from, MINUTE_MS),
      )
      .one();
    const requests = row.requests ?? 0;
    return { requests, failed: requests - (row.successful ?? 0) - Math.max(0, row.pending ?? 0) };
  }

  /** Mean requests per hour over the 7 days before the current hour (hours with no traffic count as 0). */
  trailingHourlyMean(now: number): number {
    const end = floorTo(now, HOUR_MS);
    const row = this.sql
      .exec<{ total: number | null }>(
        "SELECT SUM(requests) AS total FROM usage_hours WHERE hour >= ? AND hour < ?",
        end - 7 * 24 * HOUR_MS,
        end,
      )
      .one();
    return (row.total ?? 0) / (7 * 24);
  }
}
