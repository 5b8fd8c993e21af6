/**
 * Exact sliding-window admission: a request at time t is admitted iff fewer than `limit` requests
 * were admitted in (t − 60 s, t]. Only admitted requests are remembered, oldest first.
 *
 * After a limit is lowered the window may briefly hold more than the new limit; those entries are
 * kept until they expire, because dropping them would over-admit if the limit were raised again
 * within the same 60 s. In steady state it holds at most `limit` timestamps.
 */
export const WINDOW_MS = 60_000;

export interface WindowDecision {
  /** How many of the requested admissions were granted (a prefix of them). */
  admitted: number;
  limit: number;
  /** Remaining after each granted admission, in order; on a full rejection, [0]. */
  remaining: number[];
  /** Epoch ms of the next moment Remaining grows (on rejection: when one request will be admitted). */
  resetAt: number;
}

export class SlidingWindow {
  private hits: number[];
  private head = 0;

  /** `initial`: admitted timestamps in ascending order (as persisted). */
  constructor(initial: readonly number[] = []) {
    this.hits = [...initial];
  }

  get size(): number {
    return this.hits.length - this.head;
  }

  /** Timestamps still inside the window at `now`, oldest first (for tests and persistence). */
  snapshot(): number[] {
    return this.hits.slice(this.head);
  }

  /**
   * Drops expired timestamps. Returns true when any were dropped, so the caller can delete them
   * from durable storage with one statement.
   */
  expire(now: number): boolean {
    const cutoff = now - WINDOW_MS;
    const before = this.head;
    while (this.head < this.hits.length && this.hits[this.head]! <= cutoff) this.head++;
    // Compact occasionally so the array does not grow without bound; amortised O(1).
    if (this.head > 64 && this.head * 2 > this.hits.length) {
      this.hits = this.hits.slice(this.head);
      this.head = 0;
    }
    return this.head !== before;
  }

  /** Admits up to `count` requests arriving together at `now` under `limit`. */
  admit(now: number, limit: number, count = 1): WindowDecision {
    this.expire(now);
    const remaining: number[] = [];
    let admitted = 0;
    while (admitted < count && this.size < limit) {
      this.hits.push(now);
      admitted++;
      remaining.push(limit - this.size);
    }
    if (admitted === 0) remaining.push(0);
    return { admitted, limit, remaining, resetAt: this.resetAt(now, limit) };
  }

  /** The next moment Remaining grows: when the entry that keeps it at its current value expires. */
  resetAt(now: number, limit: number): number {
    const size = this.size;
    if (size === 0) return now;
    const index = Math.max(0, size - limit);
    return this.hits[this.head + index]! + WINDOW_MS;
  }
}
