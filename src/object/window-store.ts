/**
 * The client's exact sliding window, kept in the object's SQLite storage so that an eviction or a
 * restart loses no admitted request: only the last 60 s are reloaded.
 *
 * Each row is also the durable record of one admitted request for the usage figures (the ledger
 * folds the rows it has not counted yet into its minute buckets, see UsageLedger.fold), and it may
 * carry the summed answers of earlier requests that rode along on the same call.
 *
 * The rows form a ring of MAX_RATE_LIMIT slots, each admission overwriting the slot of the one
 * MAX_RATE_LIMIT admissions earlier. The window never holds more admissions than the highest limit,
 * so the ring always holds every admission the window needs, and nothing is ever deleted: an
 * admitted request costs exactly one row written (one upsert), which is what a SQLite-backed
 * Durable Object bills. A table of one row per admission, marked when counted and deleted once
 * expired, cost three.
 */
import { MAX_RATE_LIMIT } from "../domain/client-rules";
import { SlidingWindow, WINDOW_MS, type WindowDecision } from "../domain/sliding-window";

/** Rows per statement (10 bound values each; a statement takes at most 100). */
const ROWS_PER_STATEMENT = 10;

export const WINDOW_RING_SCHEMA = `CREATE TABLE IF NOT EXISTS window_ring (
    slot INTEGER PRIMARY KEY, seq INTEGER NOT NULL, ts INTEGER NOT NULL, bucket TEXT NOT NULL,
    done_minute INTEGER, done_bucket TEXT, done_ok INTEGER NOT NULL, done_units INTEGER NOT NULL,
    done_ms INTEGER NOT NULL, done_n INTEGER NOT NULL)`;

/**
 * The upsert of 1..ROWS_PER_STATEMENT rows, built once: workerd's statement cache is keyed by the
 * query string, which it interns on every exec, so the same string object each time costs least.
 */
const UPSERT_ROWS = Array.from(
  { length: ROWS_PER_STATEMENT },
  (_, i) =>
    `INSERT INTO window_ring (slot, seq, ts, bucket, done_minute, done_bucket, done_ok, done_units, done_ms, done_n)
     VALUES ${Array.from({ length: i + 1 }, () => "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)").join(", ")}
     ON CONFLICT (slot) DO UPDATE SET seq = excluded.seq, ts = excluded.ts, bucket = excluded.bucket,
       done_minute = excluded.done_minute, done_bucket = excluded.done_bucket, done_ok = excluded.done_ok,
       done_units = excluded.done_units, done_ms = excluded.done_ms, done_n = excluded.done_n`,
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

export class WindowStore {
  private window: SlidingWindow;
  /** The sequence number of the last admission written (0: none yet). */
  private last: number;

  constructor(
    private readonly sql: SqlStorage,
    now: number,
    /** Called before a slot is overwritten, so that the admission it records reaches the ledger first. */
    private readonly foldThrough: (seq: number) => void,
  ) {
    sql.exec(WINDOW_RING_SCHEMA);
    const hits = sql
      .exec<{ ts: number }>("SELECT ts FROM window_ring WHERE ts > ? ORDER BY ts", now - WINDOW_MS)
      .toArray();
    this.window = new SlidingWindow(hits.map((h) => h.ts));
    this.last = sql.exec<{ last: number | null }>("SELECT MAX(seq) AS last FROM window_ring").one().last ?? 0;
  }

  get size(): number {
    return this.window.size;
  }

  /** The sequence number of the last admission written: the ledger has counted everything up to it once it folds. */
  get lastSeq(): number {
    return this.last;
  }

  /** Decides `count` requests at `now` under `limit`, in memory; `persist` must follow before the answer. */
  decide(now: number, limit: number, count = 1): WindowDecision {
    return this.window.admit(now, limit, count);
  }

  /** The admitted requests of one call, all at `now`, in as few statements as possible (usually one). */
  persist(now: number, rows: AdmittedRow[]): void {
    // The slots about to be overwritten hold admissions up to this one: counted before they go.
    this.foldThrough(this.last + rows.length - MAX_RATE_LIMIT);
    for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
      const chunk = rows.slice(i, i + ROWS_PER_STATEMENT);
      const values: (string | number | null)[] = [];
      for (const row of chunk) {
        const seq = ++this.last;
        const a = row.answers;
        values.push(seq % MAX_RATE_LIMIT, seq, now, row.bucket, a?.minute ?? null, a?.bucket ?? null);
        values.push(a?.ok ?? 0, a?.units ?? 0, a?.responseMs ?? 0, a?.count ?? 0);
      }
      this.sql.exec(UPSERT_ROWS[chunk.length - 1]!, ...values);
    }
  }
}
