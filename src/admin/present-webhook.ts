import type { z } from "@hono/zod-openapi";
import type { WebhookDeliveryRow, WebhookEndpointRow } from "../storage/schema";
import { iso } from "../lib/time";
import type { WebhookDeliverySchema, WebhookEndpointSchema } from "./schemas/webhook-endpoints";

/** The only way an endpoint row leaves the gateway: neither encrypted secret is among the fields. */
export function presentEndpoint(row: WebhookEndpointRow): z.infer<typeof WebhookEndpointSchema> {
  return {
    id: row.id,
    url: row.url,
    description: row.description,
    events: row.events,
    client_ids: row.clientIds,
    status: row.status,
    disabled_reason: row.disabledReason,
    organization_id: row.organizationId,
    secret_last_four: row.secretLastFour,
    created_at: iso(row.createdAt),
    updated_at: iso(row.updatedAt),
  };
}

export function presentDelivery(row: WebhookDeliveryRow): z.infer<typeof WebhookDeliverySchema> {
  return {
    id: row.id,
    event_id: row.eventId,
    event_type: row.eventType,
    status: row.status,
    attempts: row.attempts,
    created_at: iso(row.createdAt),
    last_attempt_at: iso(row.lastAttemptAt),
    next_attempt_at: iso(row.nextAttemptAt),
    response_status: row.responseStatus,
    error: row.error,
  };
}
