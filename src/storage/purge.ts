/**
 * The daily retention purge (cron trigger): usage rows, alerts and audit entries older than their
 * client's retention_days are deleted in bounded batches (audit entries about the admin plane itself,
 * which belong to no client, after ADMIN_AUDIT_RETENTION_DAYS), so one run never holds D1 for long and a
 * run cut short simply continues the next day. The same run deletes idempotency keys past their
 * 24 hours (idempotency-keys.ts), and webhook deliveries and events past their 30 days (whatever
 * the client's retention: they are the endpoints' delivery log, not the client's history).
 */
import { describeError, log } from "../lib/log";
import { ADMIN_AUDIT_RETENTION_DAYS, ADMIN_PLANE_CLIENT_ID } from "./admin-tokens";
import { DELIVERY_RETENTION_MS } from "../domain/webhook-rules";
import { purgeIdempotencyKeys } from "./idempotency-keys";

const BATCH_ROWS = 500;
const MAX_BATCHES_PER_TABLE = 200;
const DAY_MS = 86_400_000;

const TABLES = [
  { table: "usage_hourly", time: "hour" },
  { table: "alerts", time: "triggered_at" },
  { table: "audit_log", time: "at" },
] as const;

export interface PurgeResult {
  usage_hourly: number;
  alerts: number;
  audit_log: number;
}

export async function purgeExpired(db: D1Database, now: number): Promise<PurgeResult> {
  const result: PurgeResult = { usage_hourly: 0, alerts: 0, audit_log: 0 };
  for (const { table, time } of TABLES) {
    for (let i = 0; i < MAX_BATCHES_PER_TABLE; i++) {
      // Table and column names come from the constant above, never from input.
      const { meta } = await db
        .prepare(
          `DELETE FROM ${table} WHERE rowid IN (
             SELECT t.rowid FROM ${table} t JOIN clients c ON c.id = t.client_id
             WHERE t.${time} < ?1 - c.retention_days * ${DAY_MS} LIMIT ${BATCH_ROWS})`,
        )
        .bind(now)
        .run();
      result[table] += meta.changes;
      if (meta.changes < BATCH_ROWS) break;
    }
  }
  for (let i = 0; i < MAX_BATCHES_PER_TABLE; i++) {
    const { meta } = await db
      .prepare(
        `DELETE FROM audit_log WHERE rowid IN (
           SELECT rowid FROM audit_log WHERE client_id = ?1 AND at < ?2 LIMIT ${BATCH_ROWS})`,
      )
      .bind(ADMIN_PLANE_CLIENT_ID, now - ADMIN_AUDIT_RETENTION_DAYS * DAY_MS)
      .run();
    result.audit_log += meta.changes;
    if (meta.changes < BATCH_ROWS) break;
  }
  return result;
}

/** Webhook deliveries, then events, created more than DELIVERY_RETENTION_MS before `now`. */
export async function purgeWebhookDeliveries(db: D1Database, now: number): Promise<number> {
  let deleted = 0;
  for (const table of ["webhook_deliveries", "webhook_events"] as const) {
    for (let i = 0; i < MAX_BATCHES_PER_TABLE; i++) {
      const { meta } = await db
        .prepare(
          `DELETE FROM ${table} WHERE rowid IN (SELECT rowid FROM ${table} WHERE created_at < ?1 LIMIT ${BATCH_ROWS})`,
        )
        .bind(now - DELIVERY_RETENTION_MS)
        .run();
      if (table === "webhook_deliveries") deleted += meta.changes;
      if (meta.changes < BATCH_ROWS) break;
    }
  }
  return deleted;
}

export async function runScheduledPurge(env: Env, now: number): Promise<void> {
  try {
    const purged = await purgeExpired(env.DB, now);
    const idempotencyKeys = await purgeIdempotencyKeys(env.DB, now);
    const webhookDeliveries = await purgeWebhookDeliveries(env.DB, now);
    log("info", "retention_purge", {
      ...purged,
      idempotency_keys: idempotencyKeys,
      webhook_deliveries: webhookDeliveries,
    });
  } catch (err) {
    log("error", "retention_purge_failed", describeError(err));
    throw err;
  }
}
