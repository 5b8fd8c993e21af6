import { OpenAPIHono } from "@hono/zod-openapi";
import { EXAMPLE_CLIENT, EXAMPLE_SECRET } from "../schemas/examples";
import type { Context } from "hono";
import { and, eq } from "drizzle-orm";
import { database } from "../../storage/database";
import { adminRoute } from "../admin-route";
import { auditContextOf } from "../audit-context";
import { secretShown } from "../idempotency";
import {
  assertClientInScope,
  noSuchClient,
  noSuchOrganization,
  organizationCondition,
  organizationInScope,
  scopeCondition,
} from "../scope";
import { organizationById } from "../../storage/organizations";
import { DEFAULT_ORGANIZATION_ID, rateLimitRefusal } from "../../domain/organization-rules";
import { DEFAULT_RATE_LIMIT } from "../../domain/client-rules";
import { lastFour } from "../../domain/credentials";
import { adminCredentials } from "../credentials";
import { sha256Hex } from "../../domain/hash";
import { authorityFor } from "../../object/stub";
import { presentClient } from "../present-client";
import { newClientRow } from "../../domain/client-rules";
import type { AdminEnv } from "../context";
import { decodeCursor, keyset, page } from "../../storage/pagination";
import { clients } from "../../storage/schema";
import { clockNow } from "../../lib/clock";
import { ApiError, fromRefusal } from "../../lib/errors";
import { unwrap } from "../../lib/result";
import { patchHook, validationHook } from "../../lib/validation";
import {
  ClientEnvelope,
  ClientIdParam,
  ClientList,
  ClientWithSecret,
  CreateClientBody,
  IMMUTABLE_CLIENT_FIELDS,
  ListClientsQuery,
  PatchClientBody,
  RegenerateBody,
  RegeneratedSecret,
} from "../schemas/clients";
import { json, jsonRequest } from "../schemas/common";

const tags = ["Clients"];
const ROTATED = {
  ...EXAMPLE_CLIENT,
  secret_rotated_at: "2026-02-03T09:45:00.000Z",
  rotation_due_at: "2026-05-04T09:45:00.000Z",
};
const regenerateHint = (id: string) => `To get a new one, regenerate it: POST /admin/clients/${id}/regenerate-secret.`;

async function hashNewSecret(secret: string) {
  return { hash: await sha256Hex(secret), lastFour: lastFour(secret) };
}

export const clientRoutes = new OpenAPIHono<AdminEnv>({ defaultHook: validationHook });

clientRoutes.openapi(
  adminRoute("clients:write", {
    method: "post",
    path: "/admin/clients",
    errors: ["not_found", "plan_limit_exceeded", "sandbox_rate_limit_fixed", "secret_already_shown"],
    tags,
    summary: "Create an API client",
    description:
      "The client secret is in this response and never again: store it now. A token limited to some clients cannot create clients (403 `forbidden`). The client joins the token's organization (or `organization_id`, for a token bound to none; default `org_default`) within its plan: a production `rate_limit` above `max_rate_limit`, or a client beyond `max_clients`, is 403 `plan_limit_exceeded`. Without `rate_limit`, a production client gets 100, or the plan's `max_rate_limit` if lower.",
    request: {
      body: jsonRequest(CreateClientBody, { name: "Production iOS App", environment: "production", rate_limit: 100 }),
    },
    responses: {
      201: json(ClientWithSecret, "Created; the secret is shown once", {
        client: EXAMPLE_CLIENT,
        client_secret: EXAMPLE_SECRET,
      }),
    },
  }),
  async (c) => {
    const { organization_id, ...body } = c.req.valid("json");
    const principal = c.get("principal");
    if (principal.clientIds !== null) {
      throw new ApiError("forbidden", "A token limited to some clients cannot create clients.");
    }
    const organization = await organizationById(
      c.env.DB,
      organizationInScope(principal, organization_id) ?? DEFAULT_ORGANIZATION_ID,
    );
    if (!organization) throw noSuchOrganization();
    // A production client's default limit fits the plan; a sandbox client's is fixed whatever it is.
    const rate_limit =
      body.environment === "production"
        ? (body.rate_limit ?? Math.min(DEFAULT_RATE_LIMIT, organization.maxRateLimit))
        : body.rate_limit;
    const overPlan = rateLimitRefusal(organization, body.environment, rate_limit);
    if (overPlan) throw fromRefusal(overPlan);
    const credentials = await adminCredentials(c.env);
    const id = await credentials.newClientId(body.environment);
    const secret = await credentials.newClientSecret(body.environment);
    const row = unwrap(
      newClientRow(
        { ...body, rate_limit, id, organizationId: organization.id },
        await hashNewSecret(secret),
        clockNow(),
      ),
    );
    // The object is created here, by this call: near the client's callers when a region is given.
    const created = unwrap(await authorityFor(c.env, id, row.region).createClient(row, auditContextOf(c)));
    const shown = secretShown(c, { resourceId: created.id, renewal: regenerateHint(created.id) });
    return c.json({ client: presentClient(created, c.env), client_secret: secret }, 201, shown);
  },
);

clientRoutes.openapi(
  adminRoute("clients:read", {
    method: "get",
    path: "/admin/clients",
    errors: ["not_found"],
    tags,
    summary: "List API clients, newest first",
    request: { query: ListClientsQuery },
    responses: { 200: json(ClientList, "A page of clients", { clients: [EXAMPLE_CLIENT], next_cursor: null }) },
  }),
  async (c) => {
    const q = c.req.valid("query");
    const { after, order } = keyset(clients.createdAt, clients.id, decodeCursor(q.cursor));
    const rows = await database(c.env.DB)
      .select()
      .from(clients)
      .where(
        and(
          q.status ? eq(clients.status, q.status) : undefined,
          q.environment ? eq(clients.environment, q.environment) : undefined,
          organizationCondition(c.get("principal"), q.organization_id, clients.organizationId),
          scopeCondition(c.get("principal"), clients.id, clients.organizationId),
          after,
        ),
      )
      .orderBy(...order)
      .limit(q.limit + 1);
    const { items, next_cursor } = page(rows, q.limit, (r) => ({ t: r.createdAt, id: r.id }));
    return c.json({ clients: items.map((r) => presentClient(r, c.env)), next_cursor }, 200);
  },
);

const getClient = adminRoute("clients:read", {
  method: "get",
  path: "/admin/clients/{client_id}",
  errors: ["not_found"],
  tags,
  summary: "Get an API client",
  request: { params: ClientIdParam },
  responses: { 200: json(ClientEnvelope, "The client", { client: EXAMPLE_CLIENT }) },
});

clientRoutes.openapi(getClient, async (c) => {
  const { client_id } = c.req.valid("param");
  await assertClientInScope(c.env.DB, c.get("principal"), client_id);
  const row = await database(c.env.DB).select().from(clients).where(eq(clients.id, client_id)).get();
  if (!row) throw noSuchClient();
  return c.json({ client: presentClient(row, c.env) }, 200);
});

clientRoutes.openapi(
  adminRoute("clients:write", {
    method: "patch",
    path: "/admin/clients/{client_id}",
    errors: [
      "immutable_field",
      "sandbox_rate_limit_fixed",
      "plan_limit_exceeded",
      "not_found",
      "client_revoked_conflict",
    ],
    tags,
    summary: "Edit a client's name, rate limit, retention or status (active/inactive)",
    description:
      "The ID, environment, region, organization and secret cannot be edited (400 immutable_field). Revoking has its own call. A production `rate_limit` above the organization's `max_rate_limit` is 403 `plan_limit_exceeded`.",
    request: {
      params: ClientIdParam,
      body: jsonRequest(PatchClientBody, { rate_limit: 500 }),
    },
    responses: {
      200: json(ClientEnvelope, "The updated client", { client: { ...EXAMPLE_CLIENT, rate_limit: 500 } }),
    },
  }),
  async (c) => {
    const { client_id } = c.req.valid("param");
    const patch = c.req.valid("json");
    await environmentOf(c, client_id);
    const row = unwrap(await authorityFor(c.env, client_id).updateClient(client_id, patch, auditContextOf(c)));
    return c.json({ client: presentClient(row, c.env) }, 200);
  },
  patchHook(IMMUTABLE_CLIENT_FIELDS),
);

clientRoutes.openapi(
  adminRoute("clients:rotate", {
    method: "post",
    path: "/admin/clients/{client_id}/regenerate-secret",
    errors: ["not_found", "client_revoked_conflict", "secret_already_shown"],
    tags,
    summary: "Regenerate a client's secret",
    description:
      "Returns the new secret once. With grace_period_seconds the old secret and workflows minted from it keep working until previous_secret_expires_at; a second regeneration ends an earlier grace period at once.",
    request: { params: ClientIdParam, body: jsonRequest(RegenerateBody, { grace_period_seconds: 3600 }, false) },
    responses: {
      200: json(RegeneratedSecret, "The new secret, shown once", {
        client: { ...ROTATED, previous_secret_expires_at: "2026-02-03T10:45:00.000Z" },
        client_secret: EXAMPLE_SECRET,
        previous_secret_expires_at: "2026-02-03T10:45:00.000Z",
      }),
    },
  }),
  async (c) => {
    const { client_id } = c.req.valid("param");
    const grace = c.req.valid("json").grace_period_seconds ?? 0;
    const stub = authorityFor(c.env, client_id);
    const environment = await environmentOf(c, client_id);
    const secret = await (await adminCredentials(c.env)).newClientSecret(environment);
    const row = unwrap(await stub.regenerateSecret(client_id, await hashNewSecret(secret), grace, auditContextOf(c)));
    const client = presentClient(row, c.env);
    return c.json(
      { client, client_secret: secret, previous_secret_expires_at: client.previous_secret_expires_at },
      200,
      secretShown(c, { resourceId: row.id, renewal: regenerateHint(row.id) }),
    );
  },
);

clientRoutes.openapi(
  adminRoute("clients:revoke", {
    method: "post",
    path: "/admin/clients/{client_id}/revoke",
    errors: ["not_found"],
    tags,
    summary: "Revoke a client, permanently",
    description: "All its workflows become inactive. Revoking a revoked client answers 200 with it unchanged.",
    request: { params: ClientIdParam },
    responses: {
      200: json(ClientEnvelope, "The revoked client", {
        client: { ...EXAMPLE_CLIENT, status: "revoked", revoked_at: "2026-02-03T09:45:00.000Z" },
      }),
    },
  }),
  async (c) => {
    const { client_id } = c.req.valid("param");
    await environmentOf(c, client_id);
    const row = unwrap(await authorityFor(c.env, client_id).revoke(client_id, auditContextOf(c)));
    return c.json({ client: presentClient(row, c.env) }, 200);
  },
);

/**
 * The environment is part of the ID, so the new secret's prefix needs no storage read; and an ID
 * whose tag does not verify (or that is outside the token's client scope) is answered 404 before
 * any Durable Object is created for it.
 */
async function environmentOf(c: Context<AdminEnv>, clientId: string) {
  const environment = await (await adminCredentials(c.env)).clientIdEnvironment(clientId);
  if (!environment) throw noSuchClient();
  await assertClientInScope(c.env.DB, c.get("principal"), clientId);
  return environment;
}
