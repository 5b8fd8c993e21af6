/**
 * Moves a client's usage and alerts from the object's storage to D1, and delivers alert webhooks,
 * from the object's alarm: never on a request's path. Usage reaches D1 at most FLUSH_INTERVAL_MS
 * after the request (the contract allows 60 s); a failed flush is retried, and because the rows
 * carry absolute values a retry never double-counts.
 */
import { describeError, log } from "../lib/log";
import { database } from "../storage/database";
import type { AlertMonitor } from "./alert-monitor";
import type { AlertOutbox } from "./alert-outbox";
import type { AnswerHold } from "./answer-hold";
import type { ClientState } from "./client-state";
import { flushStatements } from "./flush";
import type { UsageLedger } from "./usage-ledger";

/**
 * Usage reaches D1 at most this long after the first request counted since the last flush. Each
 * flush costs a handful of rows written (D1's hour totals and last_used_at, the alarm, and once
 * an hour the ledger's fold) whatever the traffic, so the longer it waits the less a request
 * costs; 40 s plus one retry (FLUSH_RETRY_MS) stays within the contract's 60 s.
 */
export const FLUSH_INTERVAL_MS = 40_000;
const FLUSH_RETRY_MS = 15_000;
const ALERT_FLUSH_MS = 1_000;

export interface FlushParts {
  state: ClientState;
  ledger: UsageLedger;
  outbox: AlertOutbox;
  monitor: AlertMonitor;
  answers: AnswerHold;
}

export class Flusher {
  private pending = false;

  constructor(
    private readonly storage: DurableObjectStorage,
    private readonly env: () => Env,
    private readonly now: () => number,
  ) {}

  /**
   * A flush within FLUSH_INTERVAL_MS, or within ALERT_FLUSH_MS when `soon` (an alert was raised: it
   * should reach D1 and its webhooks at once, and each condition alerts at most once an hour, so
   * these early flushes are rare).
   */
  schedule(soon = false): void {
    if (this.pending && !soon) return;
    this.pending = true;
    // An alarm set here survives a restart of this object; the flag only avoids resetting it.
    void this.storage.getAlarm().then((at) => {
      const due = this.now() + (soon ? ALERT_FLUSH_MS : FLUSH_INTERVAL_MS);
      if (at === null || at > due) return this.storage.setAlarm(due);
    });
  }

  async alarm(parts: FlushParts | null): Promise<void> {
    this.pending = false;
    const now = this.now();
    if (parts) {
      try {
        await this.flush(parts, now);
      } catch (err) {
        // Absolute values make the retry idempotent; nothing is dropped until a flush succeeds.
        log("warn", "usage_flush_failed", { client_id: parts.state.client?.id, ...describeError(err) });
        await this.storage.setAlarm(now + FLUSH_RETRY_MS);
        this.pending = true;
        return;
      }
      await parts.outbox.deliver(this.env(), now);
      await parts.outbox.publish(this.env(), now);
    }
    // Requests counted while this alarm ran need their flush on time: a webhook's backoff must
    // never postpone it.
    const later = this.now();
    const next = Math.min(
      parts?.outbox.nextAttemptAt() ?? Infinity,
      this.pending ? later + FLUSH_INTERVAL_MS : Infinity,
    );
    if (next !== Infinity) await this.storage.setAlarm(Math.max(next, later + 1000));
  }

  private async flush({ state, ledger, outbox, monitor, answers }: FlushParts, now: number): Promise<void> {
    const client = state.client;
    if (!client) return;
    // Answers still held for a later admission are written now, so that this flush reports them.
    answers.release();
    monitor.periodic(now);
    this.pending = false;
    const totals = ledger.hourTotals(now);
    const pendingAlerts = outbox.unwritten();
    if (totals.length === 0 && pendingAlerts.length === 0) return;
    const db = database(this.env().DB);
    const statements = flushStatements(db, client.id, totals, pendingAlerts);
    if (statements.length > 0) await db.batch(statements as [(typeof statements)[0], ...typeof statements]);
    ledger.afterFlush(totals, now);
    outbox.markWritten(pendingAlerts.map((a) => a.id));
    const lastUsed = Math.max(0, ...totals.map((t) => t.lastAdmittedAt ?? 0));
    state.noteLastUsed(lastUsed);
  }
}
