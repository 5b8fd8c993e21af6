import type { Me } from "./gateway";

// The gateway's own list: the console offers exactly the permissions the API checks.
export { PERMISSIONS, UNBOUND_ONLY, type Permission } from "../../src/admin/permissions";
import { holds, type Permission } from "../../src/admin/permissions";

/**
 * The API's own rule: a token bound to an organization never holds organizations:manage, even
 * with "*" (which on a bound token means every other permission).
 */
export const can = (me: Me, permission: Permission) => holds(me.permissions, permission, me.organization_id !== null);

/** One line per permission, shown beside its checkbox when creating a token. */
export const DESCRIPTIONS: { [P in Permission]: string } & Record<string, string> = {
  "clients:read": "List clients and see their settings.",
  "clients:write": "Create clients and change their name, rate limit, status and alert settings.",
  "clients:rotate": "Regenerate client secrets.",
  "clients:revoke": "Revoke clients for good.",
  "workflows:read": "List workflows.",
  "workflows:write": "Create, edit and re-key workflows.",
  "usage:read": "See usage figures and the overview, and download the CSV export.",
  "alerts:read": "See alerts.",
  "audit:read": "Read the audit log.",
  "tokens:manage": "Create and revoke admin tokens (never with more than this token holds).",
  "webhooks:manage": "Add, change and remove webhook endpoints.",
  "organizations:manage": "Create organizations and change their plans (operators only).",
};

/** A permission that changes something; the others only read. */
export const writes = (permission: string) => !/:read$/.test(permission);

/** Role presets of `Create Admin Token`: each ticks its permissions (those the creator may grant). */
export const ROLES: { name: string; permissions: (grantable: string[]) => string[] }[] = [
  { name: "Read only", permissions: (g) => g.filter((p) => !writes(p)) },
  {
    name: "Developer",
    permissions: (g) => g.filter((p) => /^(clients|workflows):(read|write)$|^(usage|alerts):read$/.test(p)),
  },
  {
    name: "Security",
    permissions: (g) =>
      g.filter((p) =>
        /^clients:(read|rotate|revoke)$|^(workflows|alerts|audit):read$|^(tokens|webhooks):manage$/.test(p),
      ),
  },
  { name: "Owner", permissions: (g) => g },
];
