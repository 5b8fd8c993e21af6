import { createMiddleware } from "hono/factory";
import { sha256Hex, timingSafeEqualHex, timingSafeEqualStrings } from "../domain/hash";
import { PREFIX } from "../domain/credentials";
import { tokenBySecretHash } from "../storage/admin-tokens";
import type { AdminEnv } from "./context";
import { adminCredentials } from "./credentials";
import { BOOTSTRAP, type Principal } from "./principal";
import { tokenUseWrite } from "./token-use";
import { ApiError } from "../lib/errors";
import { executionContext } from "../lib/execution-context";
import { clockNow } from "../lib/clock";

const unauthorized = () =>
  new ApiError("unauthorized", "A valid admin bearer token is required.", {
    headers: { "WWW-Authenticate": 'Bearer realm="nafsi-admin"' },
  });

/**
 * `Authorization: Bearer <token>`: the bootstrap ADMIN_TOKEN (every permission), or an admin token
 * secret (`nafsi_admin_…`). Without a configured ADMIN_TOKEN the management API refuses every call
 * (503) rather than running open. An admin token secret whose keyed tag does not verify is refused
 * without reading D1; a tagged one is looked up by its hash on every call, so that a revocation or
 * an expiry decides the very next call, in every isolate.
 */
export const adminAuth = () =>
  createMiddleware<AdminEnv>(async (c, next) => {
    const expected = c.env.ADMIN_TOKEN;
    if (!expected) {
      throw new ApiError("service_unavailable", "The management API is not configured (ADMIN_TOKEN is not set).");
    }
    const match = /^Bearer +(\S+)\s*$/i.exec(c.req.header("Authorization") ?? "");
    if (!match) throw unauthorized();
    const presented = match[1]!;
    let principal: Principal | null = null;
    // ADMIN_TOKEN first: an operator's bootstrap token may itself look like an admin token secret.
    if (await timingSafeEqualStrings(presented, expected)) {
      principal = BOOTSTRAP;
    } else if (presented.startsWith(PREFIX.adminSecret)) {
      const found = await adminTokenPrincipal(c.env, presented, clockNow());
      if (found?.lastUseWrite) {
        const ctx = executionContext(c);
        if (ctx) ctx.waitUntil(found.lastUseWrite);
        else await found.lastUseWrite;
      }
      principal = found?.principal ?? null;
    }
    if (!principal) throw unauthorized();
    c.set("principal", principal);
    await next();
  });

async function adminTokenPrincipal(
  env: Env,
  secret: string,
  now: number,
): Promise<{ principal: Principal; lastUseWrite: Promise<void> | null } | null> {
  if (!(await (await adminCredentials(env)).isAdminSecret(secret))) return null;
  const hash = await sha256Hex(secret);
  const row = await tokenBySecretHash(env.DB, hash);
  // The lookup matched on the hash already; the constant-time comparison keeps the decision itself
  // from depending on where two hashes first differ, whatever the database's comparison does.
  if (!row || !timingSafeEqualHex(row.secretHash, hash)) return null;
  if (row.revokedAt !== null || row.expiresAt <= now) return null;
  return {
    principal: {
      actor: row.id,
      name: row.name,
      permissions: row.permissions,
      clientIds: row.clientIds,
      organizationId: row.organizationId,
      expiresAt: row.expiresAt,
    },
    lastUseWrite: tokenUseWrite(env.DB, row, now),
  };
}
