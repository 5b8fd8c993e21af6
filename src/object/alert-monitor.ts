/**
 * Watches one client's traffic for the contract's alert conditions and queues each alert in the
 * outbox, at most once per hour per type, at the thresholds of the client's alert settings. The
 * bookkeeping is skipped while an alert's cooldown or a disabled type rules it out anyway, so a
 * client that already alerted (or turned the type off) pays nothing per request.
 */
import {
  type Alert,
  ALERT_COOLDOWN_MS,
  ERROR_RATE_WINDOW_MS,
  FAILED_AUTH_WINDOW_MS,
  failedAuthentications,
  highErrorRate,
  rateLimitApproaching,
  unusualUsage,
} from "../domain/alert-rules";
import type { AlertSettings } from "../domain/alert-settings";
import { newOpaqueId } from "../domain/credentials";
import { HOUR_MS, SECOND_MS, floorTo } from "../lib/time";
import type { AlertOutbox } from "./alert-outbox";
import type { UsageLedger } from "./usage-ledger";

/** Failed authentications of one second: [start of the second, how many]. */
type FailureCount = [number, number];

export class AlertMonitor {
  /**
   * Failed authentications of the last minute, counted per second, kept across restarts. Per second
   * rather than one time each: a threshold may be up to 10,000 a minute, and this row is written
   * once per failed-auth batch, so it stays at most 60 entries whatever the threshold. A failure
   * leaves the count up to a second early, never late: the alert never counts one over a minute old.
   */
  private recentFailures: FailureCount[];

  constructor(
    private readonly sql: SqlStorage,
    private readonly outbox: AlertOutbox,
    private readonly ledger: UsageLedger,
    private readonly clientId: () => string,
    /** The client's settings, held in memory with its row: reading them costs no storage read. */
    private readonly settings: () => AlertSettings,
    private readonly raised: () => void,
    now: number,
  ) {
    // One row holding the last minute's counts: one write per failed-auth batch, not one per entry.
    sql.exec(
      "CREATE TABLE IF NOT EXISTS recent_failure_list (id INTEGER PRIMARY KEY CHECK (id = 1), times TEXT NOT NULL)",
    );
    const stored = sql.exec<{ times: string }>("SELECT times FROM recent_failure_list WHERE id = 1").toArray()[0];
    // Rows written before the per-second counts hold one time per failure.
    const entries = (stored ? JSON.parse(stored.times) : []) as (number | FailureCount)[];
    this.recentFailures = this.withinMinute(
      entries.map((e) => (typeof e === "number" ? [floorTo(e, SECOND_MS), 1] : e)),
      now,
    );
  }

  failedAuthentications(at: number, n: number, now: number): void {
    const settings = this.settings().failed_authentication;
    if (!settings.enabled || this.outbox.cooling("failed_authentication", now, ALERT_COOLDOWN_MS)) return;
    const second = floorTo(at, SECOND_MS);
    const same = this.recentFailures.find(([s]) => s === second);
    if (same) same[1] += n;
    else this.recentFailures.push([second, n]);
    this.recentFailures = this.withinMinute(this.recentFailures, now);
    this.sql.exec(
      "INSERT OR REPLACE INTO recent_failure_list (id, times) VALUES (1, ?)",
      JSON.stringify(this.recentFailures),
    );
    const count = this.recentFailures.reduce((sum, [, c]) => sum + c, 0);
    this.raise(failedAuthentications(count, settings), now);
  }

  admitted(inWindow: number, limit: number, now: number): void {
    const settings = this.settings().rate_limit_approaching;
    if (!settings.enabled || this.outbox.cooling("rate_limit_approaching", now, ALERT_COOLDOWN_MS)) return;
    this.raise(rateLimitApproaching(inWindow, limit, settings), now);
  }

  /** After a refusal or a failed answer: over threshold_percent of at least min_requests in 5 minutes. */
  errorRate(now: number): void {
    const settings = this.settings().high_error_rate;
    if (!settings.enabled || this.outbox.cooling("high_error_rate", now, ALERT_COOLDOWN_MS)) return;
    // From memory: the ledger keeps the last minutes' figures there (rebuilt from storage on start).
    const { requests, failed } = this.ledger.recentSince(now - ERROR_RATE_WINDOW_MS);
    this.raise(highErrorRate(requests, failed, settings), now);
  }

  /** Before each flush: the hourly condition, and successes that carried the error count to its minimum. */
  periodic(now: number): void {
    const settings = this.settings().unusual_usage;
    if (settings.enabled && !this.outbox.cooling("unusual_usage", now, ALERT_COOLDOWN_MS)) {
      const lastHour = this.ledger.since(now - HOUR_MS).requests;
      this.raise(unusualUsage(lastHour, this.ledger.trailingHourlyMean(now), settings), now);
    }
    this.errorRate(now);
  }

  private withinMinute(counts: FailureCount[], now: number): FailureCount[] {
    return counts.filter(([s, c]) => s > now - FAILED_AUTH_WINDOW_MS && c > 0).sort((a, b) => a[0] - b[0]);
  }

  private raise(alert: Alert | null, now: number): void {
    if (!alert || !this.outbox.claim(alert.type, now, ALERT_COOLDOWN_MS)) return;
    this.outbox.add({ id: newOpaqueId("alr_"), clientId: this.clientId(), triggeredAt: now, ...alert }, now);
    this.raised();
  }
}
