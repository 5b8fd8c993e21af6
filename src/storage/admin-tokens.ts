/**
 * Admin tokens in D1, and the audit entries of their creation and revocation, written in the same
 * batch (one transaction) as the change they record.
 */
import { type SQL, eq, sql } from "drizzle-orm";
import { newOpaqueId } from "../domain/credentials";
import { database, primaryDatabase } from "./database";
import { type AdminTokenRow, adminTokens, auditLog } from "./schema";

/**
 * The audit_log.client_id of entries about the admin plane itself (admin tokens): they belong to no
 * client, so no client's retention_days applies; the purge keeps them ADMIN_AUDIT_RETENTION_DAYS.
 * Client-scoped tokens never see them (their audit listing is filtered to their clients).
 */
export const ADMIN_PLANE_CLIENT_ID = "";
export const ADMIN_AUDIT_RETENTION_DAYS = 365;

export interface AuditActor {
  actor: string;
  ip: string | null;
  requestId: string | null;
}

/**
 * The token whose secret hashes to `secretHash`, read from D1's primary (never a lagging replica),
 * so that a revocation decides the very next call.
 */
export async function tokenBySecretHash(db: D1Database, secretHash: string): Promise<AdminTokenRow | undefined> {
  return primaryDatabase(db).select().from(adminTokens).where(eq(adminTokens.secretHash, secretHash)).get();
}

export async function tokenById(db: D1Database, id: string): Promise<AdminTokenRow | undefined> {
  return primaryDatabase(db).select().from(adminTokens).where(eq(adminTokens.id, id)).get();
}

/** Inserts the token and its `admin_token.create` audit entry together. */
export async function insertToken(db: D1Database, row: AdminTokenRow, audit: AuditActor): Promise<void> {
  const d = database(db);
  const details = {
    name: row.name,
    permissions: row.permissions,
    client_ids: row.clientIds,
    expires_at: new Date(row.expiresAt).toISOString(),
    organization_id: row.organizationId,
  };
  await d.batch([
    d.insert(adminTokens).values(row),
    d
      .insert(auditLog)
      .values(auditRow(audit, "admin_token.create", row.id, row.createdAt, details, row.organizationId)),
  ]);
}

/**
 * Revokes the token unless it already is; the audit entry is written only by the call that revoked
 * it (`changes()` is the UPDATE's, in the same transaction), so a repeated revoke leaves no entry.
 * Answers the token as it now is, or undefined when there is no such token.
 */
export async function revokeToken(
  db: D1Database,
  id: string,
  now: number,
  audit: AuditActor,
  details: Record<string, unknown> = {},
): Promise<AdminTokenRow | undefined> {
  const entry = auditRow(audit, "admin_token.revoke", id, now, details);
  await db.batch([
    db.prepare("UPDATE admin_tokens SET revoked_at = ?1 WHERE id = ?2 AND revoked_at IS NULL").bind(now, id),
    db
      .prepare(
        `INSERT INTO audit_log (id, at, actor, action, target_id, client_id, ip, request_id, details, organization_id)
         SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, (SELECT organization_id FROM admin_tokens WHERE id = ?5)
         WHERE changes() = 1`,
      )
      .bind(
        entry.id,
        entry.at,
        entry.actor,
        entry.action,
        entry.targetId,
        entry.clientId,
        entry.ip,
        entry.requestId,
        JSON.stringify(entry.details),
      ),
  ]);
  return tokenById(db, id);
}

/** Moves last_used_at forward (never back: isolates may write out of order). */
export async function recordTokenUse(db: D1Database, id: string, at: number): Promise<void> {
  await db
    .prepare("UPDATE admin_tokens SET last_used_at = ?1 WHERE id = ?2 AND (last_used_at IS NULL OR last_used_at < ?1)")
    .bind(at, id)
    .run();
}

/**
 * Tokens a client-scoped token may see: scoped ones whose clients all lie inside `scope` (the
 * tokens it could have created itself). An unscoped token is never visible to a scoped one.
 */
export function tokensWithin(scope: readonly string[]): SQL {
  return sql`(${adminTokens.clientIds} IS NOT NULL AND NOT EXISTS (
    SELECT 1 FROM json_each(${adminTokens.clientIds})
    WHERE value NOT IN (SELECT value FROM json_each(${JSON.stringify(scope)}))))`;
}

/** An audit row about something that is no client's (admin tokens, organizations). */
export function auditRow(
  audit: AuditActor,
  action: string,
  targetId: string,
  at: number,
  details: Record<string, unknown>,
  organizationId: string | null = null,
): typeof auditLog.$inferInsert & { details: Record<string, unknown> } {
  return {
    id: newOpaqueId("aud_"),
    at,
    actor: audit.actor,
    action,
    targetId,
    clientId: ADMIN_PLANE_CLIENT_ID,
    organizationId,
    ip: audit.ip,
    requestId: audit.requestId,
    details,
  };
}
