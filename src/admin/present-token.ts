import type { z } from "@hono/zod-openapi";
import type { AdminTokenRow } from "../storage/schema";
import { iso } from "../lib/time";
import type { AdminTokenSchema } from "./schemas/tokens";

/** The only way an admin token row leaves the gateway: the secret's hash is not among the fields. */
export function presentToken(row: AdminTokenRow): z.infer<typeof AdminTokenSchema> {
  return {
    id: row.id,
    name: row.name,
    permissions: row.permissions,
    client_ids: row.clientIds,
    organization_id: row.organizationId,
    created_at: iso(row.createdAt),
    expires_at: iso(row.expiresAt),
    last_used_at: iso(row.lastUsedAt),
    revoked_at: iso(row.revokedAt),
    created_by: row.createdBy,
    secret_last_four: row.secretLastFour,
  };
}
