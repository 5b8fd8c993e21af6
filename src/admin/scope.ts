/**
 * Client scoping of admin tokens: a token with client_ids sees only those clients and what hangs
 * off them. Anything else is answered exactly as if it did not exist (404), and lists are filtered
 * in their query, so that pages stay full and cursors stay correct.
 */
import { type SQL, sql } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import { ApiError } from "../lib/errors";
import type { Principal } from "./principal";

export const inScope = (principal: Principal, clientId: string): boolean =>
  principal.clientIds === null || principal.clientIds.includes(clientId);

export const noSuchClient = () => new ApiError("not_found", "No such client.");

/** 404 for a client outside the token's scope, before anything else is looked at. */
export function assertClientInScope(principal: Principal, clientId: string): void {
  if (!inScope(principal, clientId)) throw noSuchClient();
}

/** The WHERE condition that keeps a list inside the token's scope (undefined: every client). */
export function scopeCondition(principal: Principal, clientIdColumn: SQLiteColumn): SQL | undefined {
  if (principal.clientIds === null) return undefined;
  // One bound JSON parameter rather than one per ID: D1 allows only 100 bound parameters.
  return sql`${clientIdColumn} IN (SELECT value FROM json_each(${JSON.stringify(principal.clientIds)}))`;
}
