import { api } from "./api";
import type { Me } from "./types";

// The gateway's own list: the console offers exactly the permissions the API checks.
export { PERMISSIONS, UNBOUND_ONLY, type Permission } from "../../src/admin/permissions";
import { holds, type Permission } from "../../src/admin/permissions";

/**
 * The API's own rule: a token bound to an organization never holds organizations:manage, even
 * with "*" (which on a bound token means every other permission).
 */
export const can = (me: Me, permission: Permission) => holds(me.permissions, permission, me.organization_id !== null);

/** Who the token is: its actor, permissions and client scope (the console offers only what it may do). */
export const whoAmI = (token: string): Promise<Me> => api<Me>("/admin/me", { token });
