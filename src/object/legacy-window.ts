/**
 * Objects that last ran an earlier version keep their window in `window_hits`: one row per
 * admission, marked `folded` once counted in the minute buckets, deleted once expired. On their
 * first start since, in one synchronous run (one transaction): what was not counted yet is counted
 * as that version's ledger would have, the last 60 s move into the window ring as counted, and the
 * old table goes. Nothing is lost or counted twice, and the window is the same.
 */
import { MAX_RATE_LIMIT } from "../domain/client-rules";
import { WINDOW_MS } from "../domain/sliding-window";
import { MINUTE_MS } from "../lib/time";
import { USAGE_SCHEMA } from "./usage-ledger";
import { WINDOW_RING_SCHEMA } from "./window-store";

/** Columns that version added over time; a row written before one existed counts as folded. */
const LEGACY_COLUMNS: [string, string][] = [
  ["bucket", "TEXT NOT NULL DEFAULT ''"],
  ["folded", "INTEGER NOT NULL DEFAULT 1"],
  ["done_minute", "INTEGER"],
  ["done_bucket", "TEXT"],
  ["done_ok", "INTEGER NOT NULL DEFAULT 0"],
  ["done_units", "INTEGER NOT NULL DEFAULT 0"],
  ["done_ms", "INTEGER NOT NULL DEFAULT 0"],
  ["done_n", "INTEGER NOT NULL DEFAULT 0"],
];

export function migrateLegacyWindow(sql: SqlStorage, now: number): void {
  const legacy = sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'window_hits'").toArray();
  if (legacy.length === 0) return;
  sql.exec(WINDOW_RING_SCHEMA);
  sql.exec(USAGE_SCHEMA);
  const present = new Set(
    sql
      .exec<{ name: string }>("SELECT name FROM pragma_table_info('window_hits')")
      .toArray()
      .map((c) => c.name),
  );
  for (const [name, type] of LEGACY_COLUMNS) {
    if (!present.has(name)) sql.exec(`ALTER TABLE window_hits ADD COLUMN ${name} ${type}`);
  }
  sql.exec(
    `INSERT INTO usage_minutes (minute, workflow_id, requests, admitted, last_admitted_at)
     SELECT (ts / ${MINUTE_MS}) * ${MINUTE_MS}, bucket, COUNT(*), COUNT(*), MAX(ts) FROM window_hits
     WHERE folded = 0 GROUP BY 1, 2
     ON CONFLICT (minute, workflow_id) DO UPDATE SET requests = requests + excluded.requests,
       admitted = admitted + excluded.admitted,
       last_admitted_at = MAX(COALESCE(last_admitted_at, 0), excluded.last_admitted_at)`,
  );
  sql.exec(
    `INSERT INTO usage_minutes (minute, workflow_id, successful, units, response_ms_total, completed)
     SELECT done_minute, done_bucket, SUM(done_ok), SUM(done_units), SUM(done_ms), SUM(done_n) FROM window_hits
     WHERE folded = 0 AND done_n > 0 GROUP BY 1, 2
     ON CONFLICT (minute, workflow_id) DO UPDATE SET successful = successful + excluded.successful,
       units = units + excluded.units, response_ms_total = response_ms_total + excluded.response_ms_total,
       completed = completed + excluded.completed`,
  );
  // The window's admissions, oldest first as sequence numbers 1..n, already counted.
  sql.exec(
    `INSERT INTO window_ring (slot, seq, ts, bucket, done_ok, done_units, done_ms, done_n)
     SELECT rn % ${MAX_RATE_LIMIT}, rn, ts, bucket, 0, 0, 0, 0 FROM (
       SELECT ts, bucket, ROW_NUMBER() OVER (ORDER BY ts) AS rn FROM (
         SELECT ts, bucket FROM window_hits WHERE ts > ? ORDER BY ts DESC LIMIT ${MAX_RATE_LIMIT}))`,
    now - WINDOW_MS,
  );
  sql.exec(
    `INSERT INTO usage_fold (id, seq) VALUES (1, (SELECT COALESCE(MAX(seq), 0) FROM window_ring))
     ON CONFLICT (id) DO UPDATE SET seq = excluded.seq`,
  );
  sql.exec("DROP TABLE window_hits");
}
