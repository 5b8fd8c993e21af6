import type { z } from "@hono/zod-openapi";
import type { OrganizationWithCount } from "../storage/organizations";
import { iso } from "../lib/time";
import type { OrganizationSchema } from "./schemas/organizations";

/** An organization as the API shows it. */
export function presentOrganization(row: OrganizationWithCount): z.infer<typeof OrganizationSchema> {
  return {
    id: row.id,
    name: row.name,
    max_rate_limit: row.maxRateLimit,
    max_clients: row.maxClients,
    client_count: row.clientCount,
    created_at: iso(row.createdAt),
    updated_at: iso(row.updatedAt),
  };
}
