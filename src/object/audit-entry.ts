import { newOpaqueId } from "../domain/credentials";
import type { auditLog } from "../storage/schema";
import type { AuditContext } from "./protocol";

/**
 * An audit row. `details` holds names and changed values only: callers never put a secret, a hash
 * or a token in it (the regenerate entry records the grace period, not the secret).
 */
export function auditEntry(
  ctx: AuditContext,
  action: string,
  target: { id: string; clientId: string; organizationId: string | null },
  details: Record<string, unknown>,
  at: number,
): typeof auditLog.$inferInsert {
  return {
    id: newOpaqueId("aud_"),
    at,
    actor: ctx.actor,
    action,
    targetId: target.id,
    clientId: target.clientId,
    organizationId: target.organizationId,
    ip: ctx.ip,
    requestId: ctx.requestId,
    details,
  };
}

/** Field-by-field changes between two versions of a row, for the listed API fields. */
export function changes<T extends Record<string, unknown>>(
  before: T,
  after: T,
  fields: Record<string, keyof T>,
): Record<string, { from: unknown; to: unknown }> {
  const out: Record<string, { from: unknown; to: unknown }> = {};
  for (const [apiName, key] of Object.entries(fields)) {
    if (JSON.stringify(before[key]) !== JSON.stringify(after[key]))
      out[apiName] = { from: before[key], to: after[key] };
  }
  return out;
}
