/**
 * The client's exact sliding window, kept in the object's SQLite storage so that an eviction or a
 * restart loses no admitted request: only the last 60 s are reloaded.
 *
 * Each row is also the durable record of one admitted request for the usage figures (the ledger
 * folds unfolded rows into its minute buckets later, see UsageLedger.fold), and it may carry the
 * summed answers of earlier requests that rode along on the same call. So an admitted request
 * costs one INSERT, whatever it rode with: the one SQLite write of its decision.
 */
import { SlidingWindow, WINDOW_MS, type WindowDecision } from "../domain/sliding-window";

/** Expired rows are folded and deleted at most this often: they are harmless meanwhile. */
const PURGE_EVERY_MS = 10_000;
/** Rows per INSERT statement (8 bound values each). */
const ROWS_PER_STATEMENT = 12;

/**
 * The INSERT of 1..ROWS_PER_STATEMENT rows, built once: workerd's statement cache is keyed by the
 * query string, which it interns on every exec, so the same string object each time costs least.
 */
const INSERT_ROWS = Array.from(
  { length: ROWS_PER_STATEMENT },
  (_, i) =>
    `INSERT INTO window_hits (ts, bucket, folded, done_minute, done_bucket, done_ok, done_units, done_ms, done_n)
     VALUES ${Array.from({ length: i + 1 }, () => "(?, ?, 0, ?, ?, ?, ?, ?, ?)").join(", ")}`,
);

/** Successful answers of earlier admitted requests of one (minute, bucket), summed. */
export interface AnswerSum {
  minute: number;
  bucket: string;
  ok: number;
  units: number;
  responseMs: number;
  count: number;
}

export interface AdmittedRow {
  bucket: string;
  answers?: AnswerSum;
}

const COLUMNS: [string, string][] = [
  ["bucket", "TEXT NOT NULL DEFAULT ''"],
  // Rows written before the ledger read the window (and rows seeded by hand) count as folded.
  ["folded", "INTEGER NOT NULL DEFAULT 1"],
  ["done_minute", "INTEGER"],
  ["done_bucket", "TEXT"],
  ["done_ok", "INTEGER NOT NULL DEFAULT 0"],
  ["done_units", "INTEGER NOT NULL DEFAULT 0"],
  ["done_ms", "INTEGER NOT NULL DEFAULT 0"],
  ["done_n", "INTEGER NOT NULL DEFAULT 0"],
];

export class WindowStore {
  private window: SlidingWindow;
  private purgedAt: number;

  constructor(
    private readonly sql: SqlStorage,
    now: number,
    /** Called before expired rows are deleted, so that what they record reaches the ledger first. */
    private readonly beforePurge: () => void,
  ) {
    // No index on ts (an older version's is dropped): the table holds at most about
    // rate_limit (≤ 1000) rows and is scanned only here and by the purge every 10 s, while an index
    // is one more B-tree write on every admitted request (~10 µs of ~25 µs per INSERT, measured
    // with a DO that only inserts, under wrangler dev).
    sql.exec(`CREATE TABLE IF NOT EXISTS window_hits (ts INTEGER NOT NULL);
      DROP INDEX IF EXISTS window_hits_ts;`);
    const present = new Set(
      sql
        .exec<{ name: string }>("SELECT name FROM pragma_table_info('window_hits')")
        .toArray()
        .map((c) => c.name),
    );
    for (const [name, type] of COLUMNS) {
      if (!present.has(name)) sql.exec(`ALTER TABLE window_hits ADD COLUMN ${name} ${type}`);
    }
    const hits = sql
      .exec<{ ts: number }>("SELECT ts FROM window_hits WHERE ts > ? ORDER BY ts", now - WINDOW_MS)
      .toArray();
    this.window = new SlidingWindow(hits.map((h) => h.ts));
    this.purgedAt = now - PURGE_EVERY_MS;
  }

  get size(): number {
    return this.window.size;
  }

  /** Decides `count` requests at `now` under `limit`, in memory; `persist` must follow before the answer. */
  decide(now: number, limit: number, count = 1): WindowDecision {
    return this.window.admit(now, limit, count);
  }

  /** The admitted requests of one call, all at `now`, in as few statements as possible (usually one). */
  persist(now: number, rows: AdmittedRow[]): void {
    for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
      const chunk = rows.slice(i, i + ROWS_PER_STATEMENT);
      const values: (string | number | null)[] = [];
      for (const row of chunk) {
        const a = row.answers;
        values.push(now, row.bucket, a?.minute ?? null, a?.bucket ?? null, a?.ok ?? 0, a?.units ?? 0);
        values.push(a?.responseMs ?? 0, a?.count ?? 0);
      }
      this.sql.exec(INSERT_ROWS[chunk.length - 1]!, ...values);
    }
    this.purge(now);
  }

  private purge(now: number): void {
    if (now - this.purgedAt < PURGE_EVERY_MS) return;
    this.purgedAt = now;
    this.beforePurge();
    this.sql.exec("DELETE FROM window_hits WHERE ts <= ? AND folded = 1", now - WINDOW_MS);
  }
}
