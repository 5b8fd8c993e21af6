/**
 * What an admin token sees, decided here and nowhere else. Two narrowings, both applied by the
 * same calls: a token bound to an organization sees only that organization's clients (and what
 * hangs off them), and a token with client_ids only those clients. Anything else is answered
 * exactly as if it did not exist (404), and lists are filtered in their query, so that pages stay
 * full and cursors stay correct. Every route asks these functions; none re-checks on its own.
 */
import { type SQL, and, eq, sql } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import { ApiError } from "../lib/errors";
import { primaryDatabase } from "../storage/database";
import { clients } from "../storage/schema";
import type { Principal } from "./principal";

/** Whether the token's client_ids allow the client (the organization is checked by clientVisible). */
export const inScope = (principal: Principal, clientId: string): boolean =>
  principal.clientIds === null || principal.clientIds.includes(clientId);

export const noSuchClient = () => new ApiError("not_found", "No such client.");
export const noSuchOrganization = () => new ApiError("not_found", "No such organization.");

/**
 * Whether the token sees the client: its client_ids first (no storage read), then, for a bound
 * token, the client's organization. That column never changes after creation, so one indexed
 * primary-key read decides it for good; unbound tokens read nothing here.
 */
export async function clientVisible(db: D1Database, principal: Principal, clientId: string): Promise<boolean> {
  if (!inScope(principal, clientId)) return false;
  if (principal.organizationId === null) return true;
  const row = await primaryDatabase(db)
    .select({ organizationId: clients.organizationId })
    .from(clients)
    .where(eq(clients.id, clientId))
    .get();
  return row?.organizationId === principal.organizationId;
}

/** 404 for a client the token does not see, before anything else is looked at. */
export async function assertClientInScope(db: D1Database, principal: Principal, clientId: string): Promise<void> {
  if (!(await clientVisible(db, principal, clientId))) throw noSuchClient();
}

/**
 * The WHERE condition that keeps a list inside the token's scope (undefined: everything). Tables
 * that carry organization_id themselves pass that column; the others are matched through their
 * client's row (the clients_organization_created_idx index).
 */
export function scopeCondition(
  principal: Principal,
  clientIdColumn: SQLiteColumn,
  organizationIdColumn?: SQLiteColumn,
): SQL | undefined {
  const organization = principal.organizationId;
  return and(
    // One bound JSON parameter rather than one per ID: D1 allows only 100 bound parameters.
    principal.clientIds === null
      ? undefined
      : sql`${clientIdColumn} IN (SELECT value FROM json_each(${JSON.stringify(principal.clientIds)}))`,
    organization === null
      ? undefined
      : organizationIdColumn
        ? eq(organizationIdColumn, organization)
        : sql`${clientIdColumn} IN (SELECT ${clients.id} FROM ${clients} WHERE ${clients.organizationId} = ${organization})`,
  );
}

/**
 * The organization a request names (in a query or a body), as the token may use it: a bound token
 * naming another organization gets 404, as for anything else outside it. Undefined when neither
 * the request names one nor the token is bound.
 */
export function organizationInScope(principal: Principal, requested: string | undefined): string | undefined {
  if (principal.organizationId === null) return requested;
  if (requested !== undefined && requested !== principal.organizationId) throw noSuchOrganization();
  return principal.organizationId;
}

/** A list's `organization_id` filter as a WHERE condition (404 as above for another organization). */
export function organizationCondition(
  principal: Principal,
  requested: string | undefined,
  organizationIdColumn: SQLiteColumn,
): SQL | undefined {
  const organization = organizationInScope(principal, requested);
  return organization === undefined ? undefined : eq(organizationIdColumn, organization);
}

/**
 * Whether the token sees a webhook endpoint: a bound token only its organization's, a token with
 * client_ids only endpoints limited to clients all within them (endpoints it could have created).
 */
export function endpointVisible(
  principal: Principal,
  endpoint: { organizationId: string | null; clientIds: string[] | null },
): boolean {
  if (principal.organizationId !== null && endpoint.organizationId !== principal.organizationId) return false;
  if (principal.clientIds === null) return true;
  return endpoint.clientIds !== null && endpoint.clientIds.every((id) => inScope(principal, id));
}

/** endpointVisible as the WHERE condition of the endpoint list (same single-parameter rule as above). */
export function endpointScopeCondition(
  principal: Principal,
  organizationIdColumn: SQLiteColumn,
  clientIdsColumn: SQLiteColumn,
): SQL | undefined {
  return and(
    principal.organizationId === null ? undefined : eq(organizationIdColumn, principal.organizationId),
    principal.clientIds === null
      ? undefined
      : sql`(${clientIdsColumn} IS NOT NULL AND NOT EXISTS (
          SELECT 1 FROM json_each(${clientIdsColumn})
          WHERE value NOT IN (SELECT value FROM json_each(${JSON.stringify(principal.clientIds)}))))`,
  );
}

/** 404 unless every one of `clientIds` exists and the token sees it (an endpoint's client_ids). */
export async function assertClientsInScope(db: D1Database, principal: Principal, clientIds: string[]): Promise<void> {
  if (!clientIds.every((id) => inScope(principal, id))) throw noSuchClient();
  const found = await primaryDatabase(db)
    .select({ id: clients.id })
    .from(clients)
    .where(
      and(
        sql`${clients.id} IN (SELECT value FROM json_each(${JSON.stringify(clientIds)}))`,
        principal.organizationId === null ? undefined : eq(clients.organizationId, principal.organizationId),
      ),
    );
  if (found.length !== clientIds.length) throw noSuchClient();
}
