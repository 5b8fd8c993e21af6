/**
 * Webhook endpoints in D1, and the audit entries of their changes, written in the same batch (one
 * transaction) as the change they record. Audit entries carry no secret: the secret's last four
 * characters at most.
 */
import { type SQL, and, eq, sql } from "drizzle-orm";
import { AUTO_DISABLE_AFTER_MS } from "../domain/webhook-rules";
import { type AuditActor, auditRow } from "./admin-tokens";
import { database, primaryDatabase } from "./database";
import { type WebhookEndpointRow, auditLog, webhookDeliveries, webhookEndpoints } from "./schema";

/** The actor of what the gateway does by itself (disabling an endpoint that keeps failing). */
export const SYSTEM_ACTOR: AuditActor = { actor: "system", ip: null, requestId: null };

export async function endpointById(db: D1Database, id: string): Promise<WebhookEndpointRow | undefined> {
  return primaryDatabase(db).select().from(webhookEndpoints).where(eq(webhookEndpoints.id, id)).get();
}

export async function endpointPage(
  db: D1Database,
  where: SQL | undefined,
  order: SQL[],
  limit: number,
): Promise<WebhookEndpointRow[]> {
  return database(db)
    .select()
    .from(webhookEndpoints)
    .where(and(where))
    .orderBy(...order)
    .limit(limit);
}

export async function insertEndpoint(db: D1Database, row: WebhookEndpointRow, audit: AuditActor): Promise<void> {
  const d = database(db);
  const details = {
    url: row.url,
    description: row.description,
    events: row.events,
    client_ids: row.clientIds,
    secret_last_four: row.secretLastFour,
  };
  await d.batch([
    d.insert(webhookEndpoints).values(row),
    d
      .insert(auditLog)
      .values(auditRow(audit, "webhook_endpoint.create", row.id, row.createdAt, details, row.organizationId)),
  ]);
}

/** Writes the endpoint as `next` with one audit entry (`action`, `details`) in the same batch. */
export async function updateEndpoint(
  db: D1Database,
  next: WebhookEndpointRow,
  action: "webhook_endpoint.update" | "webhook_endpoint.rotate_secret",
  details: Record<string, unknown>,
  audit: AuditActor,
): Promise<void> {
  const d = database(db);
  const { id, createdAt: _createdAt, ...fields } = next;
  await d.batch([
    d.update(webhookEndpoints).set(fields).where(eq(webhookEndpoints.id, id)),
    d.insert(auditLog).values(auditRow(audit, action, id, next.updatedAt, details, next.organizationId)),
  ]);
}

/** Deletes the endpoint and its deliveries (their events stay for other endpoints until the purge). */
export async function deleteEndpoint(
  db: D1Database,
  row: WebhookEndpointRow,
  now: number,
  audit: AuditActor,
): Promise<void> {
  const d = database(db);
  await d.batch([
    d.delete(webhookDeliveries).where(eq(webhookDeliveries.endpointId, row.id)),
    d.delete(webhookEndpoints).where(eq(webhookEndpoints.id, row.id)),
    d
      .insert(auditLog)
      .values(auditRow(audit, "webhook_endpoint.delete", row.id, now, { url: row.url }, row.organizationId)),
  ]);
}

/** A 2xx: the endpoint's run of failures (if any) is over. */
export async function recordEndpointSuccess(db: D1Database, id: string): Promise<void> {
  await db
    .prepare("UPDATE webhook_endpoints SET failing_since = NULL WHERE id = ?1 AND failing_since IS NOT NULL")
    .bind(id)
    .run();
}

/**
 * A failed attempt: starts the endpoint's run of failures, or, once that run has lasted
 * AUTO_DISABLE_AFTER_MS, disables the endpoint (`disabled_reason: "failing"`) with its
 * `webhook_endpoint.disable` audit entry by "system", in one batch. The disable only happens to an
 * enabled endpoint (changes() = 1), so concurrent failures write one entry. True when disabled now.
 */
export async function recordEndpointFailure(db: D1Database, id: string, now: number): Promise<boolean> {
  const entry = auditRow(SYSTEM_ACTOR, "webhook_endpoint.disable", id, now, {
    reason: "failing",
    failing_for_days: AUTO_DISABLE_AFTER_MS / 86_400_000,
  });
  const [, disabled] = await db.batch([
    db.prepare("UPDATE webhook_endpoints SET failing_since = ?2 WHERE id = ?1 AND failing_since IS NULL").bind(id, now),
    db
      .prepare(
        `UPDATE webhook_endpoints SET status = 'disabled', disabled_reason = 'failing', updated_at = ?2
         WHERE id = ?1 AND status = 'enabled' AND failing_since <= ?3`,
      )
      .bind(id, now, now - AUTO_DISABLE_AFTER_MS),
    db
      .prepare(
        `INSERT INTO audit_log (id, at, actor, action, target_id, client_id, ip, request_id, details, organization_id)
         SELECT ?1, ?2, ?3, ?4, ?5, ?6, NULL, NULL, ?7, (SELECT organization_id FROM webhook_endpoints WHERE id = ?5)
         WHERE changes() = 1`,
      )
      .bind(entry.id, entry.at, entry.actor, entry.action, id, entry.clientId, JSON.stringify(entry.details)),
  ]);
  return (disabled?.meta.changes ?? 0) === 1;
}

/** Enabled endpoints that may receive an event about a client of `organizationId` (filtered further by endpointWants). */
export async function enabledEndpointsFor(
  db: D1Database,
  organizationId: string | null,
): Promise<WebhookEndpointRow[]> {
  return primaryDatabase(db)
    .select()
    .from(webhookEndpoints)
    .where(
      and(
        eq(webhookEndpoints.status, "enabled"),
        organizationId === null
          ? sql`${webhookEndpoints.organizationId} IS NULL`
          : sql`(${webhookEndpoints.organizationId} IS NULL OR ${webhookEndpoints.organizationId} = ${organizationId})`,
      ),
    );
}
