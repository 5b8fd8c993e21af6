import { z } from "@hono/zod-openapi";
import { ALL_EVENTS, WEBHOOK_EVENT_TYPES } from "../../domain/webhook-rules";
import { MAX_WEBHOOK_URL_LENGTH, webhookUrlProblem } from "../../domain/webhook-url";
import { Cursor, IsoTime, Limit, text } from "./common";

const MAX_ENDPOINT_CLIENTS = 100;
const EVENT_NAMES = [...WEBHOOK_EVENT_TYPES, ALL_EVENTS] as [string, ...string[]];

const Url = text()
  .max(MAX_WEBHOOK_URL_LENGTH)
  .superRefine((value, ctx) => {
    const problem = webhookUrlProblem(value);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  })
  .openapi({
    description: `https:// (or http://localhost:<port> / http://127.0.0.1:<port> for development), at most ${MAX_WEBHOOK_URL_LENGTH} characters; no credentials; no IP literal in a private, loopback, link-local or unique-local range.`,
    example: "https://hooks.example.com/nafsi",
  });

const Description = text().trim().max(500).nullable().openapi({ example: "On-call pager" });

const Events = z
  .array(z.enum(EVENT_NAMES))
  .min(1)
  .max(EVENT_NAMES.length)
  .transform((events) => (events.includes(ALL_EVENTS) ? [ALL_EVENTS] : [...new Set(events)]))
  .openapi({
    description: `Event types (${WEBHOOK_EVENT_TYPES.map((t) => `\`${t}\``).join(", ")}), or \`["*"]\` for all.`,
  });

const ClientIds = z
  .array(text().max(200))
  .min(1)
  .max(MAX_ENDPOINT_CLIENTS)
  .transform((ids) => [...new Set(ids)])
  .nullable()
  .openapi({ description: "Only events about these clients; null = every client the creator sees." });

export const WebhookEndpointSchema = z
  .object({
    id: z.string().openapi({ example: "whe_4fT9kQ2mXbV7cLp0sNw3Ze" }),
    url: z.string(),
    description: z.string().nullable(),
    events: z.array(z.string()),
    client_ids: z.array(z.string()).nullable(),
    status: z.enum(["enabled", "disabled"]),
    disabled_reason: z.enum(["manual", "failing"]).nullable(),
    organization_id: z.string().nullable(),
    secret_last_four: z.string(),
    created_at: IsoTime,
    updated_at: IsoTime,
  })
  .openapi("WebhookEndpoint");

export const CreateWebhookEndpointBody = z
  .strictObject({
    url: Url,
    description: Description.optional(),
    events: Events,
    client_ids: ClientIds.optional(),
  })
  .openapi("CreateWebhookEndpoint");

export const PatchWebhookEndpointBody = z
  .strictObject({
    url: Url.optional(),
    description: Description.optional(),
    events: Events.optional(),
    client_ids: ClientIds.optional(),
    status: z.enum(["enabled", "disabled"]).optional(),
  })
  .openapi("PatchWebhookEndpoint");

export const IMMUTABLE_ENDPOINT_FIELDS = ["id", "secret", "organization_id", "created_at", "secret_last_four"];

export const EndpointIdParam = z.object({
  endpoint_id: text()
    .max(200)
    .openapi({ param: { name: "endpoint_id", in: "path" } }),
});

export const DeliveryIdParams = EndpointIdParam.extend({
  delivery_id: text()
    .max(200)
    .openapi({ param: { name: "delivery_id", in: "path" } }),
});

export const ListEndpointsQuery = z.strictObject({ limit: Limit, cursor: Cursor });
export const ListDeliveriesQuery = z.strictObject({
  status: z.enum(["pending", "succeeded", "failed"]).optional(),
  limit: Limit,
  cursor: Cursor,
});

export const WebhookDeliverySchema = z
  .object({
    id: z.string().openapi({ example: "whd_4fT9kQ2mXbV7cLp0sNw3Ze" }),
    event_id: z.string().openapi({ description: "Sent as `webhook-id`, the same on every attempt." }),
    event_type: z.string(),
    status: z.enum(["pending", "succeeded", "failed"]),
    attempts: z.number().int(),
    created_at: IsoTime,
    last_attempt_at: IsoTime,
    next_attempt_at: IsoTime,
    response_status: z.number().int().nullable(),
    error: z.string().nullable().openapi({ example: "timeout" }),
  })
  .openapi("WebhookDelivery");

export const EndpointEnvelope = z.object({ endpoint: WebhookEndpointSchema }).openapi("WebhookEndpointEnvelope");
export const EndpointWithSecret = z
  .object({
    endpoint: WebhookEndpointSchema,
    secret: z.string().openapi({ description: "`whsec_` + base64 of 32 random bytes; shown only in this answer." }),
  })
  .openapi("WebhookEndpointWithSecret");
export const EndpointList = z
  .object({ endpoints: z.array(WebhookEndpointSchema), next_cursor: z.string().nullable() })
  .openapi("WebhookEndpointList");
export const DeliveryEnvelope = z.object({ delivery: WebhookDeliverySchema }).openapi("WebhookDeliveryEnvelope");
export const DeliveryList = z
  .object({ deliveries: z.array(WebhookDeliverySchema), next_cursor: z.string().nullable() })
  .openapi("WebhookDeliveryList");
