import { api, ApiFailure } from "./api";
import type { Me } from "./types";

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
] as const;
export type Permission = (typeof PERMISSIONS)[number];

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
