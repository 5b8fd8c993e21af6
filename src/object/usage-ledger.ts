/**
 * A client's usage as its Durable Object records it: per-minute buckets in the object's own SQLite
 * storage, written before the object answers, so a restart loses nothing. Buckets are rolled up
 * into hours for D1 (see flush.ts) and kept here only as long as a roll-up may still change.
 */
import { HOUR_MS, MINUTE_MS, floorTo } from "../lib/time";
import { type HourTotals, readHourTotals } from "./hour-totals";

export type { HourTotals };
import type { AnswerSum } from "./window-store";

const HOURLY_KEEP_MS = 8 * 24 * HOUR_MS;

export type UsageKind = "admitted" | "denied" | "rate_limited" | "failed_auth";

/** Per-minute figures the error-rate alert needs, kept in memory (rebuilt from storage on start). */
interface RecentMinute {
  requests: number;
  successful: number;
  /** Admitted requests whose answer has not been reported yet. */
  pending: number;
}

const RECENT_KEEP_MS = 6 * MINUTE_MS;

/**
 * The ledger's tables; `usage_fold` holds how far the window ring has been counted. The buckets are
 * WITHOUT ROWID: keyed by their primary key alone, a new bucket is one row written instead of two
 * (the table and its key's index). Objects that created them earlier keep their rowid tables,
 * which hold and answer the same.
 */
export const USAGE_SCHEMA = `CREATE TABLE IF NOT EXISTS usage_minutes (
        minute INTEGER NOT NULL, workflow_id TEXT NOT NULL,
        requests INTEGER NOT NULL DEFAULT 0, successful INTEGER NOT NULL DEFAULT 0,
        admitted INTEGER NOT NULL DEFAULT 0, completed INTEGER NOT NULL DEFAULT 0,
        rate_limited INTEGER NOT NULL DEFAULT 0, failed_auth INTEGER NOT NULL DEFAULT 0,
        units INTEGER NOT NULL DEFAULT 0, response_ms_total INTEGER NOT NULL DEFAULT 0,
        last_admitted_at INTEGER, PRIMARY KEY (minute, workflow_id)) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS usage_minute_errors (
        minute INTEGER NOT NULL, workflow_id TEXT NOT NULL, code TEXT NOT NULL, count INTEGER NOT NULL,
        PRIMARY KEY (minute, workflow_id, code)) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS usage_hours (hour INTEGER PRIMARY KEY, requests INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS usage_fold (id INTEGER PRIMARY KEY CHECK (id = 1), seq INTEGER NOT NULL);`;

/**
 * The window ring's rows ?1 < seq <= ?2 as minute figures: each as an admission (by the minute it
 * was admitted), and the answers that rode along on it (by the minute of the requests they answer).
 */
const RING_MINUTES = `
    SELECT (ts / ${MINUTE_MS}) * ${MINUTE_MS} AS minute, bucket, 1 AS n, ts, 0 AS ok, 0 AS units, 0 AS ms, 0 AS done
      FROM window_ring WHERE seq > ?1 AND seq <= ?2
    UNION ALL
    SELECT done_minute, done_bucket, 0, NULL, done_ok, done_units, done_ms, done_n
      FROM window_ring WHERE seq > ?1 AND seq <= ?2 AND done_n > 0`;

/**
 * The minute figures as they stand: the buckets, and the ring rows not folded into them yet, in the
 * buckets' columns. What every reader of usage reads (bind ?1, ?2 as for RING_MINUTES).
 */
export const ALL_MINUTES = `WITH all_minutes (minute, workflow_id, requests, successful, admitted, completed,
      rate_limited, failed_auth, units, response_ms_total, last_admitted_at) AS (
    SELECT minute, workflow_id, requests, successful, admitted, completed, rate_limited, failed_auth, units,
      response_ms_total, last_admitted_at FROM usage_minutes
    UNION ALL
    SELECT minute, bucket, n, ok, n, done, 0, 0, units, ms, ts FROM (${RING_MINUTES}))`;

/**
 * The fold's one statement: the unfolded ring rows summed per (minute, bucket) into the buckets.
 * SQLite's MAX(a, b) is NULL when either is, hence the COALESCE for last_admitted_at.
 */
const FOLD_RING = `INSERT INTO usage_minutes
    (minute, workflow_id, requests, admitted, last_admitted_at, successful, units, response_ms_total, completed)
  SELECT minute, bucket, SUM(n), SUM(n), MAX(ts), SUM(ok), SUM(units), SUM(ms), SUM(done) FROM (${RING_MINUTES})
  WHERE true GROUP BY minute, bucket
  ON CONFLICT (minute, workflow_id) DO UPDATE SET requests = requests + excluded.requests,
    admitted = admitted + excluded.admitted,
    last_admitted_at = COALESCE(MAX(last_admitted_at, excluded.last_admitted_at), last_admitted_at, excluded.last_admitted_at),
    successful = successful + excluded.successful, units = units + excluded.units,
    response_ms_total = response_ms_total + excluded.response_ms_total, completed = completed + excluded.completed`;

export class UsageLedger {
  private readonly recent = new Map<number, RecentMinute>();
  /** Ended hours this object has written to usage_hours, with the requests written. */
  private readonly hoursWritten = new Map<number, number>();
  /** The last admission (window ring sequence number) counted in the minute buckets. */
  private foldedSeq: number;
  /** When the oldest admission not folded yet was admitted (null: every admission is folded). */
  private firstUnfoldedAt: number | null;

  constructor(
    private readonly sql: SqlStorage,
    now: number,
    /** The last admission written to the window ring. */
    private readonly lastSeq: () => number,
  ) {
    sql.exec(USAGE_SCHEMA);
    this.foldedSeq = sql.exec<{ seq: number }>("SELECT seq FROM usage_fold WHERE id = 1").toArray()[0]?.seq ?? 0;
    this.firstUnfoldedAt = sql
      .exec<{ ts: number | null }>("SELECT MIN(ts) AS ts FROM window_ring WHERE seq > ?", this.foldedSeq)
      .one().ts;
    for (const r of sql.exec<{ minute: number; requests: number; successful: number; pending: number }>(
      `${ALL_MINUTES} SELECT minute, SUM(requests) AS requests, SUM(successful) AS successful,
         SUM(admitted - completed) AS pending
       FROM all_minutes WHERE minute >= ?3 GROUP BY minute`,
      this.foldedSeq,
      lastSeq(),
      floorTo(now - RECENT_KEEP_MS, MINUTE_MS),
    )) {
      this.recent.set(r.minute, { requests: r.requests, successful: r.successful, pending: Math.max(0, r.pending) });
    }
  }

  /**
   * Admitted requests, recorded durably by their window rows (WindowStore.persist): here only the
   * in-memory figures move, and the rows are folded into the minute buckets later.
   */
  admitted(at: number, n: number): void {
    this.firstUnfoldedAt ??= at;
    const m = this.recentMinute(at);
    m.requests += n;
    m.pending += n;
  }

  /** Refused requests of one kind and code: one upsert (plus the error code's, except for 429s). */
  refused(at: number, workflowId: string, kind: Exclude<UsageKind, "admitted">, code: string, n = 1): void {
    const minute = floorTo(at, MINUTE_MS);
    this.sql.exec(
      `INSERT INTO usage_minutes (minute, workflow_id, requests, rate_limited, failed_auth)
       VALUES (?1, ?2, ?5, ?3, ?4)
       ON CONFLICT (minute, workflow_id) DO UPDATE SET requests = requests + ?5,
         rate_limited = rate_limited + ?3, failed_auth = failed_auth + ?4`,
      minute,
      workflowId,
      kind === "rate_limited" ? n : 0,
      kind === "failed_auth" ? n : 0,
      n,
    );
    // A 429's code is implied by rate_limited (see hourTotals): no second write per 429.
    if (kind !== "rate_limited") this.error(minute, workflowId, code, n);
    this.recentMinute(at).requests += n;
  }

  /** Successful answers that rode along on a call, noted in memory; their sum is written by the caller. */
  answered(answers: AnswerSum): void {
    const m = this.recentMinute(answers.minute);
    m.successful += answers.ok;
    m.pending = Math.max(0, m.pending - answers.count);
  }

  /** Successful answers summed per (minute, bucket), when no window row came to carry them (answer-hold.ts). */
  answeredOnTheirOwn(answers: AnswerSum): void {
    this.sql.exec(
      `INSERT INTO usage_minutes (minute, workflow_id, successful, units, response_ms_total, completed) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
       ON CONFLICT (minute, workflow_id) DO UPDATE SET successful = successful + ?3, units = units + ?4,
         completed = completed + ?6, response_ms_total = response_ms_total + ?5`,
      answers.minute,
      answers.bucket,
      answers.ok,
      answers.units,
      answers.responseMs,
      answers.count,
    );
    this.answered(answers);
  }

  /** An unsuccessful answer (or one with the gateway's own error code): its own upserts. */
  failedAnswer(admittedAt: number, workflowId: string, status: number, responseMs: number, code?: string): void {
    const minute = floorTo(admittedAt, MINUTE_MS);
    this.sql.exec(
      `INSERT INTO usage_minutes (minute, workflow_id, response_ms_total, completed) VALUES (?1, ?2, ?3, 1)
       ON CONFLICT (minute, workflow_id) DO UPDATE SET completed = completed + 1,
         response_ms_total = response_ms_total + ?3`,
      minute,
      workflowId,
      Math.max(0, Math.round(responseMs)),
    );
    this.error(
      minute,
      workflowId,
      code ?? (status >= 500 ? "upstream_5xx" : status >= 400 ? "upstream_4xx" : "upstream_3xx"),
    );
    const m = this.recentMinute(admittedAt);
    m.pending = Math.max(0, m.pending - 1);
  }

  /**
   * Moves what the window ring records since the last fold (admissions, and the answers that rode
   * along on them) into the minute buckets, and moves the watermark: a row written per (minute,
   * bucket), and one for the watermark. Needed only before the ring reuses a slot, and at the first
   * flush in a later hour than the oldest unfolded admission (so that the rows a flush reads from the
   * ring are all of the current hour, see hourTotals). In one synchronous run, so one implicit
   * transaction.
   */
  fold(): void {
    const upTo = this.lastSeq();
    if (upTo <= this.foldedSeq) return;
    this.sql.exec(FOLD_RING, this.foldedSeq, upTo);
    this.sql.exec(
      "INSERT INTO usage_fold (id, seq) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET seq = excluded.seq",
      upTo,
    );
    this.foldedSeq = upTo;
    this.firstUnfoldedAt = null;
  }

  /** Folds now when admissions up to `seq` have not been counted yet (their ring slots are about to be reused). */
  foldThrough(seq: number): void {
    if (seq > this.foldedSeq) this.fold();
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

  private recentMinute(at: number): RecentMinute {
    const minute = floorTo(at, MINUTE_MS);
    let m = this.recent.get(minute);
    if (!m) {
      this.recent.set(minute, (m = { requests: 0, successful: 0, pending: 0 }));
      for (const key of this.recent.keys()) if (key < minute - RECENT_KEEP_MS) this.recent.delete(key);
    }
    return m;
  }

  /** Requests since `from` (by minute bucket) and how many are known to have failed, from memory. */
  recentSince(from: number): { requests: number; failed: number } {
    const first = floorTo(from, MINUTE_MS);
    let requests = 0;
    let successful = 0;
    let pending = 0;
    for (const [minute, m] of this.recent) {
      if (minute < first) continue;
      requests += m.requests;
      successful += m.successful;
      pending += m.pending;
    }
    return { requests, failed: requests - successful - pending };
  }

  /**
   * Hour totals for every hour that still has figures here. Absolute values, so writing them twice
   * (a retried flush) gives the same D1 rows as writing them once.
   *
   * The ring is folded into the buckets only when its oldest unfolded admission is of an earlier
   * hour than the flush (and before a slot is reused), not at every flush nor at the first flush
   * after the object starts: a flush reads the unfolded ring rows where they are and writes nothing
   * here, where a fold costs a row per minute bucket plus the watermark's. The unfolded rows are
   * then all of this hour, so none belongs to an hour whose buckets afterFlush has dropped; the
   * answers that rode along on them may be of the previous hour, whose buckets are kept.
   */
  hourTotals(now: number): HourTotals[] {
    const first = this.firstUnfoldedAt;
    if (first !== null && floorTo(first, HOUR_MS) < floorTo(now, HOUR_MS)) this.fold();
    return readHourTotals(this.sql, ALL_MINUTES, [this.foldedSeq, this.lastSeq()]);
  }

  /**
   * After a successful flush: keep the hour totals this object needs for the unusual-usage
   * baseline, and drop minute buckets of hours that can no longer change (older than the previous
   * hour; an admitted request's outcome arrives within seconds).
   */
  afterFlush(flushed: HourTotals[], now: number): void {
    const perHour = new Map<number, number>();
    const currentHour = floorTo(now, HOUR_MS);
    // The baseline reads ended hours only: each is written once it has ended (again only if a late
    // answer changed it), not on every flush of the hour.
    for (const t of flushed) if (t.hour < currentHour) perHour.set(t.hour, (perHour.get(t.hour) ?? 0) + t.requests);
    for (const [hour, requests] of perHour) {
      if (this.hoursWritten.get(hour) === requests) continue;
      this.sql.exec("INSERT OR REPLACE INTO usage_hours (hour, requests) VALUES (?, ?)", hour, requests);
      this.hoursWritten.set(hour, requests);
    }
    for (const hour of this.hoursWritten.keys()) if (hour < currentHour - HOUR_MS) this.hoursWritten.delete(hour);
    const keepFrom = currentHour - HOUR_MS;
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
        `${ALL_MINUTES} SELECT SUM(requests) AS requests, SUM(successful) AS successful,
           SUM(admitted - completed) AS pending FROM all_minutes WHERE minute >= ?3`,
        this.foldedSeq,
        this.lastSeq(),
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
