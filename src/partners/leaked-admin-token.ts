/**
 * A leaked admin token is revoked at once (always), audited as admin_token.revoke with the leak
 * reporter as actor, through the same storage call as POST /admin/tokens/{id}/revoke.
 */
import type { AuditContext, LeakLabel } from "../object/protocol";
import { revokeToken, tokenBySecretHash } from "../storage/admin-tokens";

export async function revokeLeakedAdminToken(
  env: Env,
  secretHash: string,
  audit: AuditContext,
  details: Record<string, unknown>,
  now: number,
): Promise<LeakLabel> {
  const token = await tokenBySecretHash(env.DB, secretHash);
  // A token already revoked is not a live secret any more: false_positive, nothing written.
  if (!token || token.revokedAt !== null) return "false_positive";
  const after = await revokeToken(env.DB, token.id, now, audit, details);
  // Only the call whose UPDATE revoked it wrote the audit entry (a racing revoke wins otherwise).
  return after?.revokedAt === now ? "true_positive" : "false_positive";
}
