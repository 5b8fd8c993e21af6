import type { z } from "@hono/zod-openapi";
import type { WorkflowRow } from "../storage/schema";
import { iso } from "../lib/time";
import type { WorkflowSchema } from "./schemas/workflows";

/**
 * The only way a workflow row leaves the gateway: the refresh token and its ID are not among the
 * fields. `clientSecretVersion` is the client's current secret version: a token minted from any
 * other one needs re-keying.
 */
export function presentWorkflow(row: WorkflowRow, clientSecretVersion: number): z.infer<typeof WorkflowSchema> {
  return {
    id: row.id,
    client_id: row.clientId,
    name: row.name,
    status: row.status,
    allowed_origins: row.allowedOrigins,
    token_issued_at: iso(row.tokenIssuedAt),
    needs_rekey: row.tokenSecretVersion !== clientSecretVersion,
    created_at: iso(row.createdAt),
    updated_at: iso(row.updatedAt),
    last_used_at: iso(row.lastUsedAt),
  };
}
