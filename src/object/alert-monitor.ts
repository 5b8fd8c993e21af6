/**
 * Watches one client's traffic for the contract's alert conditions and queues each alert in the
 * outbox, at most once per hour per type. The bookkeeping is skipped while an alert's cooldown
 * rules it out anyway, so a client that already alerted pays nothing per request.
 */
import {
  type Alert,
  ALERT_COOLDOWN_MS,
  ERROR_RATE_WINDOW_MS,
  FAILED_AUTH_THRESHOLD,
  FAILED_AUTH_WINDOW_MS,
  failedAuthentications,
  highErrorRate,
  rateLimitApproaching,
  unusualUsage,
} from "../domain/alert-rules";
import { newOpaqueId } from "../domain/credentials";
import type { AlertOutbox } from "./alert-outbox";
import type { UsageLedger } from "./usage-ledger";

const HOUR_MS = 3_600_000;

export class AlertMonitor {
  /** Failed authentications of the last minute (the newest 5 suffice), kept across restarts. */
  private recentFailures: number[];

  constructor(
    private readonly sql: SqlStorage,
    private readonly outbox: AlertOutbox,
    private readonly ledger: UsageLedger,
    private readonly clientId: () => string,
    private readonly raised: () => void,
    now: number,
  ) {
    // One row holding the newest few failure times: one write per failed-auth batch, not one per entry.
    sql.exec(
      "CREATE TABLE IF NOT EXISTS recent_failure_list (id INTEGER PRIMARY KEY CHECK (id = 1), times TEXT NOT NULL)",
    );
    const stored = sql.exec<{ times: string }>("SELECT times FROM recent_failure_list WHERE id = 1").toArray()[0];
    this.recentFailures = ((stored ? JSON.parse(stored.times) : []) as number[])
      .filter((t) => t > now - FAILED_AUTH_WINDOW_MS)
      .sort((a, b) => a - b)
      .slice(-FAILED_AUTH_THRESHOLD);
  }

  failedAuthentications(at: number, n: number, now: number): void {
    if (this.outbox.cooling("failed_authentication", now, ALERT_COOLDOWN_MS)) return;
    for (let i = 0; i < Math.min(n, FAILED_AUTH_THRESHOLD); i++) this.recentFailures.push(at);
    this.recentFailures = this.recentFailures
      .filter((t) => t > now - FAILED_AUTH_WINDOW_MS)
      .sort((a, b) => a - b)
      .slice(-FAILED_AUTH_THRESHOLD);
    this.sql.exec(
      "INSERT OR REPLACE INTO recent_failure_list (id, times) VALUES (1, ?)",
      JSON.stringify(this.recentFailures),
    );
    this.raise(failedAuthentications(this.recentFailures.length), now);
  }

  admitted(inWindow: number, limit: number, now: number): void {
    if (this.outbox.cooling("rate_limit_approaching", now, ALERT_COOLDOWN_MS)) return;
    this.raise(rateLimitApproaching(inWindow, limit), now);
  }

  /** After a refusal or a failed answer: over 5 % of at least 20 requests in 5 minutes. */
  errorRate(now: number): void {
    if (this.outbox.cooling("high_error_rate", now, ALERT_COOLDOWN_MS)) return;
    // From memory: the ledger keeps the last minutes' figures there (rebuilt from storage on start).
    const { requests, failed } = this.ledger.recentSince(now - ERROR_RATE_WINDOW_MS);
    this.raise(highErrorRate(requests, failed), now);
  }

  /** Before each flush: the hourly condition, and successes that carried the error count to 20. */
  periodic(now: number): void {
    if (!this.outbox.cooling("unusual_usage", now, ALERT_COOLDOWN_MS)) {
      const lastHour = this.ledger.since(now - HOUR_MS).requests;
      this.raise(unusualUsage(lastHour, this.ledger.trailingHourlyMean(now)), now);
    }
    this.errorRate(now);
  }

  private raise(alert: Alert | null, now: number): void {
    if (!alert || !this.outbox.claim(alert.type, now, ALERT_COOLDOWN_MS)) return;
    this.outbox.add({ id: newOpaqueId("alr_"), clientId: this.clientId(), triggeredAt: now, ...alert }, now);
    this.raised();
  }
}
