import { OpenAPIHono } from "@hono/zod-openapi";
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
import type { AdminEnv } from "../context";
import { adminCredentials } from "../credentials";
import { ANY_VALID_TOKEN, type Grant, grantsBeyond } from "../permissions";
import type { Principal } from "../principal";
import { presentToken } from "../present-token";
import { inScope } from "../scope";
import { organizationOfNewToken, tokenInOrganization, tokenOrganizationCondition } from "../token-organization";
import { organizationById } from "../../storage/organizations";
import { presentOrganization } from "../present-organization";
import { errorResponses, json } from "../schemas/common";
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
/** Responses that carry a secret must never be stored by a browser or a proxy. */
const NO_STORE = { "Cache-Control": "no-store" } as const;

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

/** The no-escalation rule for client_ids, then the IDs' existence (400 for made-up or unknown ones). */
async function checkClientIds(env: Env, principal: Principal, requested: string[] | undefined): Promise<void> {
  if (requested === undefined) {
    if (principal.clientIds !== null) {
      throw forbidden("A token limited to some clients cannot create a token for every client: name client_ids.");
    }
    return;
  }
  const credentials = await adminCredentials(env);
  const malformed: { field: string; message: string }[] = [];
  for (const [i, id] of requested.entries()) {
    if (!(await credentials.clientIdEnvironment(id)))
      malformed.push({ field: `client_ids.${i}`, message: "Not a client ID." });
  }
  if (malformed.length) throw ApiError.invalidRequest(malformed, "client_ids names values that are not client IDs.");
  // Outside the creator's scope is refused whether or not the client exists, so nothing is revealed.
  if (requested.some((id) => !inScope(principal, id))) {
    throw forbidden("client_ids may only name clients within this token's own client_ids.");
  }
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
    tags,
    summary: "Create an admin token",
    description:
      "The secret is in this response and never again: store it now. A token can only create tokens with a subset of its own permissions and client scope (403 `forbidden` otherwise).",
    request: { body: { content: { "application/json": { schema: CreateTokenBody } }, required: true } },
    responses: { 201: json(TokenWithSecret, "Created; the secret is shown once"), ...errorResponses(400, 401) },
  }),
  async (c) => {
    const body = c.req.valid("json");
    const principal = c.get("principal");
    const beyond = grantsBeyond(principal.permissions, body.permissions as Grant[]);
    if (beyond.length) {
      throw forbidden(`A token can only grant permissions it holds itself; it does not hold ${beyond[0]}.`, beyond[0]);
    }
    await checkClientIds(c.env, principal, body.client_ids);
    const organizationId = await organizationOfNewToken(c.env.DB, principal, body);
    const secret = await (await adminCredentials(c.env)).newAdminSecret();
    const now = clockNow();
    const row: AdminTokenRow = {
      id: newOpaqueId("adt_"),
      name: body.name,
      permissions: body.permissions,
      clientIds: body.client_ids ?? null,
      secretHash: await sha256Hex(secret),
      secretLastFour: lastFour(secret),
      createdAt: now,
      expiresAt: now + (body.expires_in_days ?? DEFAULT_TOKEN_DAYS) * DAY_MS,
      lastUsedAt: null,
      revokedAt: null,
      createdBy: principal.actor,
      organizationId,
    };
    await insertToken(c.env.DB, row, auditContextOf(c));
    return c.json({ token: presentToken(row), secret }, 201, NO_STORE);
  },
);

tokenRoutes.openapi(
  adminRoute("tokens:manage", {
    method: "get",
    path: "/admin/tokens",
    tags,
    summary: "List admin tokens, newest first",
    description:
      "Revoked and expired tokens included. A client-scoped token sees only scoped tokens within its own clients.",
    request: { query: ListTokensQuery },
    responses: { 200: json(TokenList, "A page of admin tokens"), ...errorResponses(400, 401) },
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
    tags,
    summary: "Get an admin token",
    request: { params: TokenIdParam },
    responses: { 200: json(TokenEnvelope, "The admin token"), ...errorResponses(401, 404) },
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
    tags,
    summary: "Revoke an admin token, permanently",
    description:
      "From the next call on, the token is 401 `unauthorized`. Revoking a revoked token answers 200 with it unchanged.",
    request: { params: TokenIdParam },
    responses: { 200: json(TokenEnvelope, "The revoked admin token"), ...errorResponses(401, 404) },
  }),
  async (c) => {
    const { token_id } = c.req.valid("param");
    const existing = await tokenById(c.env.DB, token_id);
    if (!existing || !visibleTo(c.get("principal"), existing)) throw noSuchToken();
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
    tags,
    summary: "The admin token making this call: its actor name, permissions, client scope and organization",
    responses: { 200: json(MeSchema, "Who is calling"), ...errorResponses(401) },
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
