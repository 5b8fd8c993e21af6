import { api, ApiFailure } from "./api";
import type { Me } from "./types";

// The gateway's own list: the console offers exactly the permissions the API checks.
export { PERMISSIONS, type Permission } from "../../src/admin/permissions";
import type { Permission } from "../../src/admin/permissions";

export const can = (me: Me, permission: Permission) =>
  me.permissions.includes("*") || me.permissions.includes(permission);

/**
 * Who the token is. A gateway without GET /admin/me (older than admin tokens) only knows the
 * bootstrap ADMIN_TOKEN, which has every permission: a 404 there (after the token itself passed
 * the admin check) means exactly that.
 */
export async function whoAmI(token: string): Promise<Me> {
  try {
    return await api<Me>("/admin/me", { token });
  } catch (error) {
    if (error instanceof ApiFailure && error.status === 404) {
      return { actor: "bootstrap", permissions: ["*"], client_ids: null, expires_at: null };
    }
    throw error;
  }
}
