/**
 * A leaked admin token (issue 11's admin_tokens) is revoked at once, audited as admin_token.revoke
 * with the leak reporter as actor. Written against the admin-tokens design (table admin_tokens,
 * unique index on secret_hash, audit entries of the admin plane with client_id ''), in plain SQL so
 * that it does not depend on that branch's modules.
 *
 * TODO(lead, at the merge of `tokens`): optionally replace the body with that branch's storage
 * calls (src/storage/admin-tokens.ts: tokenBySecretHash + revokeToken) so that one place revokes
 * tokens. Checked against its work in progress: with it merged, the "admin token" test in
 * test/partners/github-leaks.test.ts runs (it skips while POST /admin/tokens does not exist) and passes.
 */
import { newOpaqueId } from "../domain/credentials";
import type { AuditContext, LeakLabel } from "../object/protocol";

/** The audit_log.client_id of admin-plane entries (the admin-tokens design's ADMIN_PLANE_CLIENT_ID). */
const ADMIN_PLANE_CLIENT_ID = "";

export async function revokeLeakedAdminToken(
  env: Env,
  secretHash: string,
  audit: AuditContext,
  details: Record<string, unknown>,
  now: number,
): Promise<LeakLabel> {
  // One transaction: the revocation, and its audit entry only when this call revoked the token
  // (a token already revoked is not a live secret any more: false_positive, nothing written).
  const [revoked] = await env.DB.batch([
    env.DB.prepare("UPDATE admin_tokens SET revoked_at = ?1 WHERE secret_hash = ?2 AND revoked_at IS NULL").bind(
      now,
      secretHash,
    ),
    env.DB.prepare(
      `INSERT INTO audit_log (id, at, actor, action, target_id, client_id, ip, request_id, details)
       SELECT ?1, ?2, ?3, 'admin_token.revoke', id, ?4, ?5, ?6, ?7 FROM admin_tokens
       WHERE secret_hash = ?8 AND revoked_at = ?2 AND changes() = 1`,
    ).bind(
      newOpaqueId("aud_"),
      now,
      audit.actor,
      ADMIN_PLANE_CLIENT_ID,
      audit.ip,
      audit.requestId,
      JSON.stringify(details),
      secretHash,
    ),
  ]);
  return (revoked?.meta.changes ?? 0) > 0 ? "true_positive" : "false_positive";
}
