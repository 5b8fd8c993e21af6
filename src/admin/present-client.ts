import type { z } from "@hono/zod-openapi";
import { rotationDueAt } from "../domain/secret-hygiene";
import type { ClientRow } from "../storage/schema";
import { secretMaxAgeOf } from "./hygiene-config";
import { iso } from "../lib/time";
import type { ClientSchema } from "./schemas/clients";

/** The only way a client row leaves the gateway: hashes are not among the fields. */
export function presentClient(row: ClientRow, env: Env): z.infer<typeof ClientSchema> {
  return {
    id: row.id,
    name: row.name,
    environment: row.environment,
    rate_limit: row.rateLimit,
    retention_days: row.retentionDays,
    region: row.region,
    organization_id: row.organizationId,
    alert_settings: row.alertSettings,
    status: row.status,
    secret_last_four: row.secretLastFour,
    created_at: iso(row.createdAt),
    updated_at: iso(row.updatedAt),
    last_used_at: iso(row.lastUsedAt),
    secret_rotated_at: iso(row.secretRotatedAt),
    previous_secret_expires_at: iso(row.previousSecretExpiresAt),
    rotation_due_at: new Date(rotationDueAt(row, secretMaxAgeOf(env))).toISOString(),
    revoked_at: iso(row.revokedAt),
  };
}
