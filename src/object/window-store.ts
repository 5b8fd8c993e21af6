/**
 * The client's exact sliding window, kept in the object's SQLite storage so that an eviction or a
 * restart loses no admitted request: only the last 60 s are reloaded.
 */
import { SlidingWindow, WINDOW_MS, type WindowDecision } from "../domain/sliding-window";

export class WindowStore {
  private window: SlidingWindow;
  private purgedAt = 0;
  private stale = false;

  constructor(
    private readonly sql: SqlStorage,
    now: number,
  ) {
    sql.exec(`CREATE TABLE IF NOT EXISTS window_hits (ts INTEGER NOT NULL);
      CREATE INDEX IF NOT EXISTS window_hits_ts ON window_hits (ts);`);
    sql.exec("DELETE FROM window_hits WHERE ts <= ?", now - WINDOW_MS);
    const hits = sql.exec<{ ts: number }>("SELECT ts FROM window_hits ORDER BY ts").toArray();
    this.window = new SlidingWindow(hits.map((h) => h.ts));
  }

  get size(): number {
    return this.window.size;
  }

  /** One request at `now` under `limit`; an admitted one is persisted before the answer leaves. */
  admit(now: number, limit: number): WindowDecision {
    // Expired rows are deleted at most once a second: they are harmless (a restart reloads only
    // the last 60 s) and one DELETE per request would double the window's storage writes.
    if (this.window.expire(now)) this.stale = true;
    if (this.stale && now - this.purgedAt >= 1000) {
      this.sql.exec("DELETE FROM window_hits WHERE ts <= ?", now - WINDOW_MS);
      this.purgedAt = now;
      this.stale = false;
    }
    const decision = this.window.admit(now, limit);
    if (decision.admitted > 0) this.sql.exec("INSERT INTO window_hits (ts) VALUES (?)", now);
    return decision;
  }
}
