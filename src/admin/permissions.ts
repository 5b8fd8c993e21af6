/**
 * The management API's permissions (contract: "Admin tokens and permissions"). Each names exactly
 * the calls it covers; "*" is every one of them, including any added later.
 */
export const PERMISSIONS = [
  "clients:read",
  "clients:write",
  "clients:rotate",
  "clients:revoke",
  "workflows:read",
  "workflows:write",
  "usage:read",
  "alerts:read",
  "audit:read",
  "tokens:manage",
  "webhooks:manage",
  "organizations:manage",
] as const;

export type Permission = (typeof PERMISSIONS)[number];
export const ALL = "*";
export type Grant = Permission | typeof ALL;
export const GRANTS: readonly Grant[] = [...PERMISSIONS, ALL];

/** What a route asks for: one permission, or only a valid token (GET /admin/me). */
export const ANY_VALID_TOKEN = "authenticated";
export type RoutePermission = Permission | typeof ANY_VALID_TOKEN;

/**
 * Permissions that act on every organization: a token bound to one can never hold them, whatever
 * it was granted ("*" on a bound token means every other permission).
 */
export const UNBOUND_ONLY: readonly Permission[] = ["organizations:manage"];

export const holds = (granted: readonly string[], needed: Permission, bound = false): boolean =>
  !(bound && UNBOUND_ONLY.includes(needed)) && (granted.includes(ALL) || granted.includes(needed));

/**
 * The grants of a new token that its creator does not hold (the no-escalation rule). "*" is only
 * within "*": it also covers permissions added later, which holding today's list does not.
 */
export function grantsBeyond(creator: readonly string[], requested: readonly Grant[]): Grant[] {
  if (creator.includes(ALL)) return [];
  return requested.filter((g) => g === ALL || !creator.includes(g));
}
