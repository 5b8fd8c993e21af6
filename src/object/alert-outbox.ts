/**
 * Alerts raised by a client's Durable Object, kept in its SQLite storage until they are in D1 and,
 * when ALERT_WEBHOOK_URL is set, delivered to the webhook. Delivery runs from the object's alarm,
 * never on a request's path, so a slow or failing receiver cannot change a data-plane answer.
 *
 * Every alert written to D1 also becomes an event for the managed webhook endpoints: it waits in
 * `webhook_outbox` (written in the same storage transaction that records the alert as in D1) until
 * its deliveries are in D1 and on the delivery queue (src/storage/webhook-deliveries.ts), which
 * from then on carries them. Publishing again after a failure is harmless: the event and its
 * deliveries are keyed, so a repeat adds only duplicate messages that the consumer ignores.
 */
import type { AlertType } from "../domain/alert-rules";
import { MAX_ATTEMPTS, deliver, retryDelay } from "./webhook-delivery";
import { describeError, log } from "../lib/log";
import { publishAlertEvent } from "../storage/webhook-deliveries";

export interface StoredAlert {
  id: string;
  clientId: string;
  type: AlertType;
  message: string;
  triggeredAt: number;
  details: Record<string, unknown>;
}

export class AlertOutbox {
  /** alert_last, mirrored in memory: asked on every counted request, written once an hour at most. */
  private readonly last = new Map<string, number>();

  constructor(private readonly sql: SqlStorage) {
    sql.exec(`CREATE TABLE IF NOT EXISTS alert_last (type TEXT PRIMARY KEY, at INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS alert_outbox (
        id TEXT PRIMARY KEY, alert TEXT NOT NULL, in_d1 INTEGER NOT NULL DEFAULT 0,
        delivered INTEGER NOT NULL DEFAULT 0, attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS webhook_outbox (
        id TEXT PRIMARY KEY, alert TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at INTEGER NOT NULL);`);
    for (const row of sql.exec<{ type: string; at: number }>("SELECT type, at FROM alert_last"))
      this.last.set(row.type, row.at);
  }

  /** True while an alert of this type raised within the cooldown rules out another. */
  cooling(type: AlertType, now: number, cooldownMs: number): boolean {
    const at = this.last.get(type);
    return at !== undefined && now - at < cooldownMs;
  }

  /** True (and recorded) when no alert of this type was raised within the cooldown. */
  claim(type: AlertType, now: number, cooldownMs: number): boolean {
    if (this.cooling(type, now, cooldownMs)) return false;
    this.last.set(type, now);
    this.sql.exec("INSERT OR REPLACE INTO alert_last (type, at) VALUES (?, ?)", type, now);
    return true;
  }

  add(alert: StoredAlert, now: number): void {
    this.sql.exec(
      "INSERT INTO alert_outbox (id, alert, next_attempt_at) VALUES (?, ?, ?)",
      alert.id,
      JSON.stringify(alert),
      now,
    );
  }

  unwritten(): StoredAlert[] {
    return this.sql
      .exec<{ alert: string }>("SELECT alert FROM alert_outbox WHERE in_d1 = 0")
      .toArray()
      .map((r) => JSON.parse(r.alert) as StoredAlert);
  }

  markWritten(ids: string[]): void {
    for (const id of ids) {
      // Due at once (0): the alarm that wrote the alert publishes it right after.
      this.sql.exec(
        "INSERT OR IGNORE INTO webhook_outbox (id, alert, next_attempt_at) SELECT id, alert, 0 FROM alert_outbox WHERE id = ? AND in_d1 = 0",
        id,
      );
      this.sql.exec("UPDATE alert_outbox SET in_d1 = 1 WHERE id = ?", id);
    }
    this.prune();
  }

  /** Attempts every due delivery once; failures are rescheduled with exponential backoff. */
  async deliver(env: Env, now: number): Promise<void> {
    const url = env.ALERT_WEBHOOK_URL;
    // An unsigned alert cannot be trusted by its receiver: without the secret nothing is sent.
    if (url && !env.ALERT_WEBHOOK_SECRET) log("warn", "alert_webhook_secret_missing", {});
    if (!url || !env.ALERT_WEBHOOK_SECRET) {
      this.sql.exec("UPDATE alert_outbox SET delivered = 1 WHERE delivered = 0");
      this.prune();
      return;
    }
    const due = this.sql
      .exec<{ id: string; alert: string; attempts: number }>(
        "SELECT id, alert, attempts FROM alert_outbox WHERE delivered = 0 AND in_d1 = 1 AND next_attempt_at <= ? ORDER BY next_attempt_at LIMIT 20",
        now,
      )
      .toArray();
    for (const row of due) {
      const alert = JSON.parse(row.alert) as StoredAlert;
      const body = JSON.stringify({
        id: alert.id,
        type: alert.type,
        client_id: alert.clientId,
        message: alert.message,
        triggered_at: new Date(alert.triggeredAt).toISOString(),
        details: alert.details,
      });
      const ok = await deliver(url, env.ALERT_WEBHOOK_SECRET, body, now);
      const attempts = row.attempts + 1;
      if (ok || attempts >= MAX_ATTEMPTS) {
        if (!ok) log("warn", "alert_webhook_gave_up", { alert_id: alert.id, attempts });
        this.sql.exec("UPDATE alert_outbox SET delivered = 1, attempts = ? WHERE id = ?", attempts, row.id);
      } else {
        this.sql.exec(
          "UPDATE alert_outbox SET attempts = ?, next_attempt_at = ? WHERE id = ?",
          attempts,
          now + retryDelay(attempts),
          row.id,
        );
      }
    }
    this.prune();
  }

  /**
   * Hands every due alert to the managed webhook endpoints (one event, its deliveries, their queue
   * messages). A failure (D1 or the queue not answering) is tried again with the legacy webhook's
   * backoff; the alert stays here until it succeeds.
   */
  async publish(env: Env, now: number): Promise<void> {
    const due = this.sql
      .exec<{ id: string; alert: string; attempts: number }>(
        "SELECT id, alert, attempts FROM webhook_outbox WHERE next_attempt_at <= ? ORDER BY next_attempt_at LIMIT 20",
        now,
      )
      .toArray();
    for (const row of due) {
      const alert = JSON.parse(row.alert) as StoredAlert;
      try {
        await publishAlertEvent(
          env,
          {
            // One event per alert, whatever happens: its id follows from the alert's.
            id: `evt_${alert.id.replace(/^alr_/, "")}`,
            type: alert.type,
            clientId: alert.clientId,
            at: alert.triggeredAt,
            data: {
              id: alert.id,
              client_id: alert.clientId,
              type: alert.type,
              message: alert.message,
              triggered_at: new Date(alert.triggeredAt).toISOString(),
              details: alert.details,
            },
          },
          now,
        );
        this.sql.exec("DELETE FROM webhook_outbox WHERE id = ?", row.id);
      } catch (err) {
        log("warn", "webhook_event_publish_failed", { alert_id: alert.id, ...describeError(err) });
        const attempts = row.attempts + 1;
        this.sql.exec(
          "UPDATE webhook_outbox SET attempts = ?, next_attempt_at = ? WHERE id = ?",
          attempts,
          now + retryDelay(attempts),
          row.id,
        );
      }
    }
  }

  /** When the alarm must run again for a pending delivery, D1 write or event to publish, or null. */
  nextAttemptAt(): number | null {
    const row = this.sql
      .exec<{ at: number | null }>(
        `SELECT MIN(at) AS at FROM (
           SELECT MIN(next_attempt_at) AS at FROM alert_outbox WHERE delivered = 0 OR in_d1 = 0
           UNION ALL SELECT MIN(next_attempt_at) FROM webhook_outbox)`,
      )
      .one();
    return row.at ?? null;
  }

  private prune(): void {
    try {
      this.sql.exec("DELETE FROM alert_outbox WHERE delivered = 1 AND in_d1 = 1");
    } catch (err) {
      log("warn", "alert_outbox_prune_failed", describeError(err));
    }
  }
}
