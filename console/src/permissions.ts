import { api } from "./api";
import type { Me } from "./types";

// The gateway's own list: the console offers exactly the permissions the API checks.
export { PERMISSIONS, type Permission } from "../../src/admin/permissions";
import type { Permission } from "../../src/admin/permissions";

export const can = (me: Me, permission: Permission) =>
  me.permissions.includes("*") || me.permissions.includes(permission);

/** Who the token is: its actor, permissions and client scope (the console offers only what it may do). */
export const whoAmI = (token: string): Promise<Me> => api<Me>("/admin/me", { token });
