/**
 * The organization part of admin tokens' no-escalation rule, apart from the permission, client and
 * expiry parts in routes/tokens.ts: a token bound to an organization makes only tokens bound to
 * the same one (naming another is 404, as everywhere), sees and revokes only those, and no bound
 * token holds a permission that acts on every organization.
 */
import { type SQL, and, eq, sql } from "drizzle-orm";
import { ApiError } from "../lib/errors";
import { database } from "../storage/database";
import { organizationById } from "../storage/organizations";
import { type AdminTokenRow, adminTokens, clients } from "../storage/schema";
import { UNBOUND_ONLY } from "./permissions";
import type { Principal } from "./principal";
import { noSuchOrganization, organizationInScope } from "./scope";

/** Whether the caller may see (and so revoke) a token, as far as organizations go. */
export const tokenInOrganization = (principal: Principal, row: AdminTokenRow): boolean =>
  principal.organizationId === null || row.organizationId === principal.organizationId;

/** The list's WHERE condition for the same rule (undefined: every token). */
export const tokenOrganizationCondition = (principal: Principal): SQL | undefined =>
  principal.organizationId === null ? undefined : eq(adminTokens.organizationId, principal.organizationId);

/**
 * The organization a new token is bound to: the creator's own when it is bound (it may name only
 * that one), otherwise the one it names (which must exist) or none. A bound token may not ask for
 * an unbound-only permission (400), and its client_ids must be clients of its organization.
 */
export async function organizationOfNewToken(
  db: D1Database,
  principal: Principal,
  body: { organization_id?: string; permissions: string[]; client_ids?: string[] },
): Promise<string | null> {
  const organizationId = organizationInScope(principal, body.organization_id) ?? null;
  if (organizationId === null) return null;
  if (!(await organizationById(db, organizationId))) throw noSuchOrganization();
  const unboundOnly = body.permissions.flatMap((p, i) =>
    (UNBOUND_ONLY as readonly string[]).includes(p)
      ? [{ field: `permissions.${i}`, message: "A token bound to an organization cannot hold this permission." }]
      : [],
  );
  if (unboundOnly.length) {
    throw ApiError.invalidRequest(unboundOnly, "A token bound to an organization cannot hold organizations:manage.");
  }
  if (body.client_ids) {
    const inside = await database(db)
      .select({ id: clients.id })
      .from(clients)
      .where(
        and(
          eq(clients.organizationId, organizationId),
          sql`${clients.id} IN (SELECT value FROM json_each(${JSON.stringify(body.client_ids)}))`,
        ),
      );
    const known = new Set(inside.map((r) => r.id));
    // Answered as for a client that does not exist: another organization's clients are not revealed.
    const outside = body.client_ids.flatMap((id, i) =>
      known.has(id) ? [] : [{ field: `client_ids.${i}`, message: "No such client." }],
    );
    if (outside.length) throw ApiError.invalidRequest(outside, "client_ids names clients that do not exist.");
  }
  return organizationId;
}
