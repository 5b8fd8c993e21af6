import { OpenAPIHono } from "@hono/zod-openapi";
import { and, eq } from "drizzle-orm";
import { lastFour, newOpaqueId } from "../../domain/credentials";
import { SECRET_OVERLAP_MS } from "../../domain/webhook-rules";
import { encryptWebhookSecret, newWebhookSecret } from "../../domain/webhook-secret";
import { decodeCursor, keyset, page } from "../../storage/pagination";
import { type WebhookEndpointRow, webhookDeliveries, webhookEndpoints } from "../../storage/schema";
import { deliveryById, deliveryPage, publishTestEvent, retryDelivery } from "../../storage/webhook-deliveries";
import {
  deleteEndpoint,
  endpointById,
  endpointPage,
  insertEndpoint,
  updateEndpoint,
} from "../../storage/webhook-endpoints";
import { clockNow } from "../../lib/clock";
import { ApiError } from "../../lib/errors";
import { iso } from "../../lib/time";
import { patchHook, validationHook } from "../../lib/validation";
import { adminRoute } from "../admin-route";
import { auditContextOf } from "../audit-context";
import type { AdminEnv } from "../context";
import { secretShown } from "../idempotency";
import type { Principal } from "../principal";
import { presentDelivery, presentEndpoint } from "../present-webhook";
import { assertClientsInScope, endpointScopeCondition, endpointVisible } from "../scope";
import { json, jsonRequest } from "../schemas/common";
import { EXAMPLE_DELIVERY, EXAMPLE_WEBHOOK_ENDPOINT, EXAMPLE_WEBHOOK_SECRET } from "../schemas/examples";
import {
  CreateWebhookEndpointBody,
  DeliveryEnvelope,
  DeliveryIdParams,
  DeliveryList,
  EndpointEnvelope,
  EndpointIdParam,
  EndpointList,
  EndpointWithSecret,
  IMMUTABLE_ENDPOINT_FIELDS,
  ListDeliveriesQuery,
  ListEndpointsQuery,
  PatchWebhookEndpointBody,
} from "../schemas/webhook-endpoints";

const tags = ["Webhook endpoints"];
const PERMISSION = "webhooks:manage";

export const webhookEndpointRoutes = new OpenAPIHono<AdminEnv>({ defaultHook: validationHook });

const noSuchEndpoint = () => new ApiError("not_found", "No such webhook endpoint.");
const noSuchDelivery = () => new ApiError("not_found", "No such delivery.");

/** The endpoint, if the token sees it; 404 otherwise (its existence is not revealed). */
async function visibleEndpoint(db: D1Database, principal: Principal, id: string): Promise<WebhookEndpointRow> {
  const row = await endpointById(db, id);
  if (!row || !endpointVisible(principal, row)) throw noSuchEndpoint();
  return row;
}

/** Secrets are encrypted under a key derived from CREDENTIAL_TAG_KEY: without it nothing can be stored. */
async function sealed(env: Env, endpointId: string, secret: string): Promise<string> {
  if (!env.CREDENTIAL_TAG_KEY)
    throw new ApiError("service_unavailable", "The gateway is not configured (CREDENTIAL_TAG_KEY is not set).");
  return encryptWebhookSecret(env, endpointId, secret);
}

/**
 * The clients an endpoint is limited to: those named (each must exist and be seen by the token, else
 * 404), or, when none are named, the token's own client scope (null for an unscoped token: every
 * client of its organization, or every client).
 */
async function endpointClients(
  db: D1Database,
  principal: Principal,
  requested: string[] | null | undefined,
): Promise<string[] | null> {
  if (requested === undefined || requested === null) return principal.clientIds;
  await assertClientsInScope(db, principal, requested);
  return requested;
}

const renewal = (id: string) =>
  `To get a new one, rotate it (POST /admin/webhook-endpoints/${id}/rotate-secret); the old one keeps signing for 24 hours.`;

webhookEndpointRoutes.openapi(
  adminRoute(PERMISSION, {
    method: "post",
    path: "/admin/webhook-endpoints",
    errors: ["not_found", "secret_already_shown"],
    tags,
    summary: "Create a webhook endpoint",
    description:
      "Alerts (and test events) are POSTed to the URL with Standard Webhooks headers, signed with the secret in this response, which is never shown again: store it now. A token bound to an organization creates endpoints of that organization, which receive only its clients' events.",
    request: {
      body: jsonRequest(CreateWebhookEndpointBody, {
        url: EXAMPLE_WEBHOOK_ENDPOINT.url,
        description: "On-call alerts",
        events: ["rate_limit_approaching", "failed_authentication", "secret_leaked"],
      }),
    },
    responses: {
      201: json(EndpointWithSecret, "Created; the secret is shown once", {
        endpoint: EXAMPLE_WEBHOOK_ENDPOINT,
        secret: EXAMPLE_WEBHOOK_SECRET,
      }),
    },
  }),
  async (c) => {
    const body = c.req.valid("json");
    const principal = c.get("principal");
    const now = clockNow();
    const id = newOpaqueId("whe_");
    const clientIds = await endpointClients(c.env.DB, principal, body.client_ids);
    const secret = newWebhookSecret();
    const row: WebhookEndpointRow = {
      id,
      url: body.url,
      description: body.description ?? null,
      events: body.events,
      clientIds,
      status: "enabled",
      disabledReason: null,
      organizationId: principal.organizationId,
      secretCiphertext: await sealed(c.env, id, secret),
      secretLastFour: lastFour(secret),
      previousSecretCiphertext: null,
      previousSecretExpiresAt: null,
      failingSince: null,
      createdAt: now,
      updatedAt: now,
    };
    await insertEndpoint(c.env.DB, row, auditContextOf(c));
    return c.json(
      { endpoint: presentEndpoint(row), secret },
      201,
      secretShown(c, { resourceId: id, renewal: renewal(id) }),
    );
  },
);

webhookEndpointRoutes.openapi(
  adminRoute(PERMISSION, {
    method: "get",
    path: "/admin/webhook-endpoints",
    errors: [],
    tags,
    summary: "List webhook endpoints, newest first",
    request: { query: ListEndpointsQuery },
    responses: {
      200: json(EndpointList, "A page of webhook endpoints", {
        endpoints: [EXAMPLE_WEBHOOK_ENDPOINT],
        next_cursor: null,
      }),
    },
  }),
  async (c) => {
    const q = c.req.valid("query");
    const { after, order } = keyset(webhookEndpoints.createdAt, webhookEndpoints.id, decodeCursor(q.cursor));
    const scope = endpointScopeCondition(
      c.get("principal"),
      webhookEndpoints.organizationId,
      webhookEndpoints.clientIds,
    );
    const rows = await endpointPage(c.env.DB, and(scope, after), order, q.limit + 1);
    const { items, next_cursor } = page(rows, q.limit, (r) => ({ t: r.createdAt, id: r.id }));
    return c.json({ endpoints: items.map(presentEndpoint), next_cursor }, 200);
  },
);

webhookEndpointRoutes.openapi(
  adminRoute(PERMISSION, {
    method: "get",
    path: "/admin/webhook-endpoints/{endpoint_id}",
    errors: ["not_found"],
    tags,
    summary: "Get a webhook endpoint",
    request: { params: EndpointIdParam },
    responses: { 200: json(EndpointEnvelope, "The webhook endpoint", { endpoint: EXAMPLE_WEBHOOK_ENDPOINT }) },
  }),
  async (c) => {
    const row = await visibleEndpoint(c.env.DB, c.get("principal"), c.req.valid("param").endpoint_id);
    return c.json({ endpoint: presentEndpoint(row) }, 200);
  },
);

webhookEndpointRoutes.openapi(
  adminRoute(PERMISSION, {
    method: "patch",
    path: "/admin/webhook-endpoints/{endpoint_id}",
    errors: ["immutable_field", "not_found"],
    tags,
    summary: "Change a webhook endpoint, or disable and re-enable it",
    description:
      '`status: "disabled"` stops deliveries (`disabled_reason: "manual"`); `"enabled"` resumes them, also after the gateway disabled a failing endpoint.',
    request: {
      params: EndpointIdParam,
      body: jsonRequest(PatchWebhookEndpointBody, { status: "disabled" }),
    },
    responses: {
      200: json(EndpointEnvelope, "The updated webhook endpoint", {
        endpoint: { ...EXAMPLE_WEBHOOK_ENDPOINT, status: "disabled", disabled_reason: "manual" },
      }),
    },
  }),
  async (c) => {
    const patch = c.req.valid("json");
    const principal = c.get("principal");
    const found = await visibleEndpoint(c.env.DB, principal, c.req.valid("param").endpoint_id);
    const clientIds =
      patch.client_ids === undefined ? found.clientIds : await endpointClients(c.env.DB, principal, patch.client_ids);
    const status = patch.status ?? found.status;
    const next: WebhookEndpointRow = {
      ...found,
      url: patch.url ?? found.url,
      description: patch.description === undefined ? found.description : patch.description,
      events: patch.events ?? found.events,
      clientIds,
      status,
      disabledReason:
        status === "enabled"
          ? null
          : patch.status === "disabled"
            ? (found.disabledReason ?? "manual")
            : found.disabledReason,
      // A re-enabled endpoint starts a new run: its earlier failures no longer count towards disabling it.
      failingSince: status === "enabled" && found.status === "disabled" ? null : found.failingSince,
    };
    const changes: Record<string, { from: unknown; to: unknown }> = {};
    const fields = [
      ["url", "url"],
      ["description", "description"],
      ["events", "events"],
      ["client_ids", "clientIds"],
      ["status", "status"],
    ] as const;
    for (const [api, key] of fields) {
      if (JSON.stringify(found[key]) !== JSON.stringify(next[key])) changes[api] = { from: found[key], to: next[key] };
    }
    // A PATCH that changes nothing writes nothing and leaves no audit entry.
    if (Object.keys(changes).length === 0) return c.json({ endpoint: presentEndpoint(found) }, 200);
    next.updatedAt = clockNow();
    await updateEndpoint(c.env.DB, next, "webhook_endpoint.update", changes, auditContextOf(c));
    return c.json({ endpoint: presentEndpoint(next) }, 200);
  },
  patchHook(IMMUTABLE_ENDPOINT_FIELDS),
);

webhookEndpointRoutes.openapi(
  adminRoute(PERMISSION, {
    method: "delete",
    path: "/admin/webhook-endpoints/{endpoint_id}",
    errors: ["not_found"],
    tags,
    summary: "Delete a webhook endpoint and its deliveries",
    request: { params: EndpointIdParam },
    responses: { 204: { description: "Deleted" } },
  }),
  async (c) => {
    const row = await visibleEndpoint(c.env.DB, c.get("principal"), c.req.valid("param").endpoint_id);
    await deleteEndpoint(c.env.DB, row, clockNow(), auditContextOf(c));
    // zod-openapi types a response without content as the body `{}`; a 204 has none at all.
    return c.body(null, 204) as never;
  },
);

webhookEndpointRoutes.openapi(
  adminRoute(PERMISSION, {
    method: "post",
    path: "/admin/webhook-endpoints/{endpoint_id}/rotate-secret",
    errors: ["not_found", "secret_already_shown"],
    tags,
    summary: "Rotate a webhook endpoint's signing secret",
    description:
      "The new secret is in this response and never again. For 24 hours every delivery carries two signatures, the new secret's and the old one's, so receivers can switch without missing one.",
    request: { params: EndpointIdParam },
    responses: {
      200: json(EndpointWithSecret, "The endpoint and its new secret", {
        endpoint: EXAMPLE_WEBHOOK_ENDPOINT,
        secret: EXAMPLE_WEBHOOK_SECRET,
      }),
    },
  }),
  async (c) => {
    const found = await visibleEndpoint(c.env.DB, c.get("principal"), c.req.valid("param").endpoint_id);
    const now = clockNow();
    const secret = newWebhookSecret();
    const next: WebhookEndpointRow = {
      ...found,
      secretCiphertext: await sealed(c.env, found.id, secret),
      secretLastFour: lastFour(secret),
      previousSecretCiphertext: found.secretCiphertext,
      previousSecretExpiresAt: now + SECRET_OVERLAP_MS,
      updatedAt: now,
    };
    const details = { previous_secret_expires_at: iso(next.previousSecretExpiresAt) };
    await updateEndpoint(c.env.DB, next, "webhook_endpoint.rotate_secret", details, auditContextOf(c));
    return c.json(
      { endpoint: presentEndpoint(next), secret },
      200,
      secretShown(c, { resourceId: found.id, renewal: renewal(found.id) }),
    );
  },
);

webhookEndpointRoutes.openapi(
  adminRoute(PERMISSION, {
    method: "post",
    path: "/admin/webhook-endpoints/{endpoint_id}/test",
    errors: ["not_found"],
    tags,
    summary: "Send a webhook.test event to the endpoint",
    description: "Queued at once, delivered (and retried) like any event, whatever the endpoint's `events`.",
    request: { params: EndpointIdParam },
    responses: {
      202: json(DeliveryEnvelope, "The test event's delivery, pending", {
        delivery: {
          ...EXAMPLE_DELIVERY,
          event_type: "webhook.test",
          status: "pending",
          attempts: 0,
          last_attempt_at: null,
          next_attempt_at: EXAMPLE_DELIVERY.created_at,
          response_status: null,
        },
      }),
    },
  }),
  async (c) => {
    const endpoint = await visibleEndpoint(c.env.DB, c.get("principal"), c.req.valid("param").endpoint_id);
    const delivery = await publishTestEvent(c.env, endpoint, clockNow());
    return c.json({ delivery: presentDelivery(delivery) }, 202);
  },
);

webhookEndpointRoutes.openapi(
  adminRoute(PERMISSION, {
    method: "get",
    path: "/admin/webhook-endpoints/{endpoint_id}/deliveries",
    errors: ["not_found"],
    tags,
    summary: "List an endpoint's deliveries, newest first (kept 30 days)",
    request: { params: EndpointIdParam, query: ListDeliveriesQuery },
    responses: {
      200: json(DeliveryList, "A page of deliveries", { deliveries: [EXAMPLE_DELIVERY], next_cursor: null }),
    },
  }),
  async (c) => {
    const endpoint = await visibleEndpoint(c.env.DB, c.get("principal"), c.req.valid("param").endpoint_id);
    const q = c.req.valid("query");
    const { after, order } = keyset(webhookDeliveries.createdAt, webhookDeliveries.id, decodeCursor(q.cursor));
    const rows = await deliveryPage(
      c.env.DB,
      and(
        eq(webhookDeliveries.endpointId, endpoint.id),
        q.status === undefined ? undefined : eq(webhookDeliveries.status, q.status),
        after,
      ),
      order,
      q.limit + 1,
    );
    const { items, next_cursor } = page(rows, q.limit, (r) => ({ t: r.createdAt, id: r.id }));
    return c.json({ deliveries: items.map(presentDelivery), next_cursor }, 200);
  },
);

webhookEndpointRoutes.openapi(
  adminRoute(PERMISSION, {
    method: "post",
    path: "/admin/webhook-endpoints/{endpoint_id}/deliveries/{delivery_id}/retry",
    errors: ["not_found"],
    tags,
    summary: "Try a delivery again now",
    description:
      "A new attempt is queued at once, with the same `webhook-id`; a delivery that had failed is pending again until it does.",
    request: { params: DeliveryIdParams },
    responses: {
      202: json(DeliveryEnvelope, "The delivery, pending", {
        delivery: { ...EXAMPLE_DELIVERY, status: "pending", next_attempt_at: EXAMPLE_DELIVERY.last_attempt_at },
      }),
    },
  }),
  async (c) => {
    const { endpoint_id, delivery_id } = c.req.valid("param");
    const endpoint = await visibleEndpoint(c.env.DB, c.get("principal"), endpoint_id);
    const delivery = await deliveryById(c.env.DB, delivery_id);
    if (!delivery || delivery.endpointId !== endpoint.id) throw noSuchDelivery();
    return c.json({ delivery: presentDelivery(await retryDelivery(c.env, delivery, clockNow())) }, 202);
  },
);
