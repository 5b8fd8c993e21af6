import { OpenAPIHono } from "@hono/zod-openapi";
import { CLIENT_ID, EXAMPLE_ME, EXAMPLE_TOKEN } from "../schemas/examples";
import { and, sql } from "drizzle-orm";
import { lastFour, newOpaqueId } from "../../domain/credentials";
import { sha256Hex } from "../../domain/hash";
import { insertToken, revokeToken, tokenById, tokensWithin } from "../../storage/admin-tokens";
import { database } from "../../storage/database";
import { decodeCursor, keyset, page } from "../../storage/pagination";
import { type AdminTokenRow, adminTokens, clients } from "../../storage/schema";
import { clockNow } from "../../lib/clock";
import { ApiError } from "../../lib/errors";
import { DAY_MS, iso } from "../../lib/time";
import { validationHook } from "../../lib/validation";
import { adminRoute } from "../admin-route";
import { auditContextOf } from "../audit-context";
import { secretShown } from "../idempotency";
import type { AdminEnv } from "../context";
import { adminCredentials } from "../credentials";
import { type Escalation, escalation } from "../escalation";
import { ANY_VALID_TOKEN } from "../permissions";
import type { Principal } from "../principal";
import { presentToken } from "../present-token";
import { inScope } from "../scope";
import { organizationOfNewToken, tokenInOrganization, tokenOrganizationCondition } from "../token-organization";
import { organizationById } from "../../storage/organizations";
import { presentOrganization } from "../present-organization";
import { json, jsonRequest } from "../schemas/common";
import {
  CreateTokenBody,
  DEFAULT_TOKEN_DAYS,
  ListTokensQuery,
  MeSchema,
  TokenEnvelope,
  TokenIdParam,
  TokenList,
  TokenWithSecret,
} from "../schemas/tokens";

const tags = ["Admin tokens"];

export const tokenRoutes = new OpenAPIHono<AdminEnv>({ defaultHook: validationHook });

const forbidden = (message: string, missing?: string) =>
  new ApiError("forbidden", message, missing === undefined ? {} : { extra: { missing_permission: missing } });

const noSuchToken = () => new ApiError("not_found", "No such admin token.");

/**
 * Whether a (client-scoped) caller may see a token: only scoped tokens whose clients all lie in its
 * own scope, i.e. tokens it could have created itself. Others are answered as if absent.
 */
function visibleTo(principal: Principal, row: AdminTokenRow): boolean {
  if (!tokenInOrganization(principal, row)) return false;
  if (principal.clientIds === null) return true;
  return row.clientIds !== null && row.clientIds.every((id) => inScope(principal, id));
}

/** The 403 for creating a token beyond the caller, saying what it lacks. */
function createRefused(refusal: Escalation): ApiError {
  switch (refusal.kind) {
    case "permission":
      return forbidden(
        `A token can only grant permissions it holds itself; it does not hold ${refusal.permission}.`,
        refusal.permission,
      );
    case "unscoped":
      return forbidden("A token limited to some clients cannot create a token for every client: name client_ids.");
    case "client_scope":
      return forbidden("client_ids may only name clients within this token's own client_ids.");
    case "expiry":
      return forbidden(
        `A token cannot create a token that outlives it: this one expires at ${iso(refusal.latest)}; ask for fewer expires_in_days.`,
      );
  }
}

/** The 403 for revoking a token beyond the caller (one it could not have created). */
function revokeRefused(refusal: Escalation): ApiError {
  const prefix = "A token can only revoke tokens it could have created";
  switch (refusal.kind) {
    case "permission":
      return forbidden(
        `${prefix}: that token holds ${refusal.permission}, which this one does not.`,
        refusal.permission,
      );
    case "unscoped":
    case "client_scope":
      return forbidden(`${prefix}: that token reaches clients this one does not.`);
    case "expiry":
      return forbidden(`${prefix}: that token outlives this one.`);
  }
}

/** 400 for client_ids that are not client IDs of this gateway (checked before the scope rule). */
async function checkClientIdFormat(env: Env, requested: string[] | undefined): Promise<void> {
  if (requested === undefined) return;
  const credentials = await adminCredentials(env);
  const malformed: { field: string; message: string }[] = [];
  for (const [i, id] of requested.entries()) {
    if (!(await credentials.clientIdEnvironment(id)))
      malformed.push({ field: `client_ids.${i}`, message: "Not a client ID." });
  }
  if (malformed.length) throw ApiError.invalidRequest(malformed, "client_ids names values that are not client IDs.");
}

/**
 * 400 for client_ids naming clients that do not exist. Checked after the scope rule: outside the
 * creator's scope is refused whether or not the client exists, so nothing is revealed.
 */
async function checkClientIdsExist(env: Env, requested: string[] | undefined): Promise<void> {
  if (requested === undefined) return;
  const found = await database(env.DB)
    .select({ id: clients.id })
    .from(clients)
    .where(sql`${clients.id} IN (SELECT value FROM json_each(${JSON.stringify(requested)}))`);
  const known = new Set(found.map((r) => r.id));
  const unknown = requested.flatMap((id, i) =>
    known.has(id) ? [] : [{ field: `client_ids.${i}`, message: "No such client." }],
  );
  if (unknown.length) throw ApiError.invalidRequest(unknown, "client_ids names clients that do not exist.");
}

tokenRoutes.openapi(
  adminRoute("tokens:manage", {
    method: "post",
    path: "/admin/tokens",
    errors: ["not_found", "secret_already_shown"],
    tags,
    summary: "Create an admin token",
    description:
      "The secret is in this response and never again: store it now. A token can only create tokens with a subset of its own permissions and client scope that expire no later than itself, give or take a minute (403 `forbidden` otherwise).",
    request: {
      body: jsonRequest(CreateTokenBody, {
        name: "CI deploys",
        permissions: ["clients:read", "clients:rotate"],
        client_ids: [CLIENT_ID],
      }),
    },
    responses: {
      201: json(TokenWithSecret, "Created; the secret is shown once", {
        token: EXAMPLE_TOKEN,
        secret: "nafsi_admin_8Hq3Zm7Rb2XwLc5Vt9Nk1Pd4Jf6Gs0Ay",
      }),
    },
  }),
  async (c) => {
    const body = c.req.valid("json");
    const principal = c.get("principal");
    const now = clockNow();
    const expiresAt = now + (body.expires_in_days ?? DEFAULT_TOKEN_DAYS) * DAY_MS;
    await checkClientIdFormat(c.env, body.client_ids);
    const refusal = escalation(principal, {
      permissions: body.permissions,
      clientIds: body.client_ids ?? null,
      expiresAt,
    });
    if (refusal) throw createRefused(refusal);
    await checkClientIdsExist(c.env, body.client_ids);
    const organizationId = await organizationOfNewToken(c.env.DB, principal, body);
    const secret = await (await adminCredentials(c.env)).newAdminSecret();
    const row: AdminTokenRow = {
      id: newOpaqueId("adt_"),
      name: body.name,
      permissions: body.permissions,
      clientIds: body.client_ids ?? null,
      secretHash: await sha256Hex(secret),
      secretLastFour: lastFour(secret),
      createdAt: now,
      expiresAt,
      lastUsedAt: null,
      revokedAt: null,
      createdBy: principal.actor,
      organizationId,
    };
    await insertToken(c.env.DB, row, auditContextOf(c));
    const renewal = `To get a new one, create a new token (POST /admin/tokens) and revoke this one (POST /admin/tokens/${row.id}/revoke).`;
    return c.json({ token: presentToken(row), secret }, 201, secretShown(c, { resourceId: row.id, renewal }));
  },
);

tokenRoutes.openapi(
  adminRoute("tokens:manage", {
    method: "get",
    path: "/admin/tokens",
    errors: [],
    tags,
    summary: "List admin tokens, newest first",
    description:
      "Revoked and expired tokens included. A client-scoped token sees only scoped tokens within its own clients.",
    request: { query: ListTokensQuery },
    responses: { 200: json(TokenList, "A page of admin tokens", { tokens: [EXAMPLE_TOKEN], next_cursor: null }) },
  }),
  async (c) => {
    const q = c.req.valid("query");
    const scope = c.get("principal").clientIds;
    const { after, order } = keyset(adminTokens.createdAt, adminTokens.id, decodeCursor(q.cursor));
    const rows = await database(c.env.DB)
      .select()
      .from(adminTokens)
      .where(
        and(scope === null ? undefined : tokensWithin(scope), tokenOrganizationCondition(c.get("principal")), after),
      )
      .orderBy(...order)
      .limit(q.limit + 1);
    const { items, next_cursor } = page(rows, q.limit, (r) => ({ t: r.createdAt, id: r.id }));
    return c.json({ tokens: items.map(presentToken), next_cursor }, 200);
  },
);

tokenRoutes.openapi(
  adminRoute("tokens:manage", {
    method: "get",
    path: "/admin/tokens/{token_id}",
    errors: ["not_found"],
    tags,
    summary: "Get an admin token",
    request: { params: TokenIdParam },
    responses: { 200: json(TokenEnvelope, "The admin token", { token: EXAMPLE_TOKEN }) },
  }),
  async (c) => {
    const { token_id } = c.req.valid("param");
    const row = await tokenById(c.env.DB, token_id);
    if (!row || !visibleTo(c.get("principal"), row)) throw noSuchToken();
    return c.json({ token: presentToken(row) }, 200);
  },
);

tokenRoutes.openapi(
  adminRoute("tokens:manage", {
    method: "post",
    path: "/admin/tokens/{token_id}/revoke",
    errors: ["not_found"],
    tags,
    summary: "Revoke an admin token, permanently",
    description:
      "From the next call on, the token is 401 `unauthorized`. Revoking a revoked token answers 200 with it unchanged. A token can only revoke tokens it could have created (403 `forbidden` otherwise); `ADMIN_TOKEN` may revoke any.",
    request: { params: TokenIdParam },
    responses: {
      200: json(TokenEnvelope, "The revoked admin token", {
        token: { ...EXAMPLE_TOKEN, revoked_at: "2026-02-03T09:45:00.000Z" },
      }),
    },
  }),
  async (c) => {
    const { token_id } = c.req.valid("param");
    const principal = c.get("principal");
    const existing = await tokenById(c.env.DB, token_id);
    if (!existing || !visibleTo(principal, existing)) throw noSuchToken();
    // Only a token it could have created: a narrow token cannot take down a wider one.
    const refusal = escalation(principal, existing);
    if (refusal) throw revokeRefused(refusal);
    const row =
      existing.revokedAt !== null ? existing : await revokeToken(c.env.DB, token_id, clockNow(), auditContextOf(c));
    if (!row) throw noSuchToken();
    return c.json({ token: presentToken(row) }, 200);
  },
);

tokenRoutes.openapi(
  adminRoute(ANY_VALID_TOKEN, {
    method: "get",
    path: "/admin/me",
    errors: [],
    tags,
    summary: "The admin token making this call: its actor name, permissions, client scope and organization",
    responses: { 200: json(MeSchema, "Who is calling", EXAMPLE_ME) },
  }),
  async (c) => {
    const principal = c.get("principal");
    const organization =
      principal.organizationId === null ? undefined : await organizationById(c.env.DB, principal.organizationId);
    return c.json(
      {
        actor: principal.actor,
        name: principal.name,
        permissions: principal.permissions,
        client_ids: principal.clientIds,
        organization_id: principal.organizationId,
        organization: organization ? presentOrganization(organization) : null,
        expires_at: iso(principal.expiresAt),
      },
      200,
    );
  },
);
