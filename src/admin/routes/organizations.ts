import { OpenAPIHono } from "@hono/zod-openapi";
import { EXAMPLE_ORGANIZATION } from "../schemas/examples";
import { newOpaqueId } from "../../domain/credentials";
import { DEFAULT_MAX_CLIENTS, DEFAULT_MAX_RATE_LIMIT } from "../../domain/organization-rules";
import { decodeCursor, keyset, page } from "../../storage/pagination";
import {
  insertOrganization,
  organizationById,
  organizationPage,
  updateOrganization,
} from "../../storage/organizations";
import { organizations } from "../../storage/schema";
import { clockNow } from "../../lib/clock";
import { patchHook, validationHook } from "../../lib/validation";
import { adminRoute } from "../admin-route";
import { auditContextOf } from "../audit-context";
import type { AdminEnv } from "../context";
import { presentOrganization } from "../present-organization";
import { noSuchOrganization } from "../scope";
import { json, jsonRequest } from "../schemas/common";
import {
  CreateOrganizationBody,
  IMMUTABLE_ORGANIZATION_FIELDS,
  ListOrganizationsQuery,
  OrganizationEnvelope,
  OrganizationIdParam,
  OrganizationList,
  PatchOrganizationBody,
} from "../schemas/organizations";

const tags = ["Organizations"];
const OPERATOR_ONLY =
  "Only tokens bound to no organization can hold `organizations:manage`: these are the gateway operator's calls.";

export const organizationRoutes = new OpenAPIHono<AdminEnv>({ defaultHook: validationHook });

organizationRoutes.openapi(
  adminRoute("organizations:manage", {
    method: "post",
    path: "/admin/organizations",
    errors: [],
    tags,
    summary: "Create an organization (a customer team) with its plan",
    description: `${OPERATOR_ONLY} Then create its first admin token with \`organization_id\`; the team does the rest.`,
    request: {
      body: jsonRequest(CreateOrganizationBody, { name: "Acme Payments", max_rate_limit: 1000, max_clients: 100 }),
    },
    responses: {
      201: json(OrganizationEnvelope, "The organization", {
        organization: { ...EXAMPLE_ORGANIZATION, client_count: 0 },
      }),
    },
  }),
  async (c) => {
    const body = c.req.valid("json");
    const now = clockNow();
    const row = {
      id: newOpaqueId("org_"),
      name: body.name,
      maxRateLimit: body.max_rate_limit ?? DEFAULT_MAX_RATE_LIMIT,
      maxClients: body.max_clients ?? DEFAULT_MAX_CLIENTS,
      createdAt: now,
      updatedAt: now,
    };
    await insertOrganization(c.env.DB, row, auditContextOf(c));
    return c.json({ organization: presentOrganization({ ...row, clientCount: 0 }) }, 201);
  },
);

organizationRoutes.openapi(
  adminRoute("organizations:manage", {
    method: "get",
    path: "/admin/organizations",
    errors: [],
    tags,
    summary: "List organizations, newest first",
    description: OPERATOR_ONLY,
    request: { query: ListOrganizationsQuery },
    responses: {
      200: json(OrganizationList, "A page of organizations", {
        organizations: [EXAMPLE_ORGANIZATION],
        next_cursor: null,
      }),
    },
  }),
  async (c) => {
    const q = c.req.valid("query");
    const { after, order } = keyset(organizations.createdAt, organizations.id, decodeCursor(q.cursor));
    const rows = await organizationPage(c.env.DB, after, order, q.limit + 1);
    const { items, next_cursor } = page(rows, q.limit, (r) => ({ t: r.createdAt, id: r.id }));
    return c.json({ organizations: items.map(presentOrganization), next_cursor }, 200);
  },
);

organizationRoutes.openapi(
  adminRoute("organizations:manage", {
    method: "get",
    path: "/admin/organizations/{organization_id}",
    errors: ["not_found"],
    tags,
    summary: "Get an organization",
    description: OPERATOR_ONLY,
    request: { params: OrganizationIdParam },
    responses: { 200: json(OrganizationEnvelope, "The organization", { organization: EXAMPLE_ORGANIZATION }) },
  }),
  async (c) => {
    const found = await organizationById(c.env.DB, c.req.valid("param").organization_id);
    if (!found) throw noSuchOrganization();
    return c.json({ organization: presentOrganization(found) }, 200);
  },
);

organizationRoutes.openapi(
  adminRoute("organizations:manage", {
    method: "patch",
    path: "/admin/organizations/{organization_id}",
    errors: ["immutable_field", "not_found"],
    tags,
    summary: "Rename an organization or change its plan",
    description: `${OPERATOR_ONLY} Lowering a limit changes no existing client; it applies to later creates and changes.`,
    request: {
      params: OrganizationIdParam,
      body: jsonRequest(PatchOrganizationBody, { max_clients: 200 }),
    },
    responses: {
      200: json(OrganizationEnvelope, "The updated organization", {
        organization: { ...EXAMPLE_ORGANIZATION, max_clients: 200 },
      }),
    },
  }),
  async (c) => {
    const patch = c.req.valid("json");
    const found = await organizationById(c.env.DB, c.req.valid("param").organization_id);
    if (!found) throw noSuchOrganization();
    const fields = [
      ["name", "name"],
      ["max_rate_limit", "maxRateLimit"],
      ["max_clients", "maxClients"],
    ] as const;
    const changes: Record<string, { from: unknown; to: unknown }> = {};
    for (const [api, key] of fields) {
      const to = patch[api];
      if (to !== undefined && to !== found[key]) changes[api] = { from: found[key], to };
    }
    // A PATCH that changes nothing writes nothing and leaves no audit entry.
    if (Object.keys(changes).length === 0) return c.json({ organization: presentOrganization(found) }, 200);
    const { clientCount, ...row } = found;
    const next = {
      ...row,
      name: patch.name ?? row.name,
      maxRateLimit: patch.max_rate_limit ?? row.maxRateLimit,
      maxClients: patch.max_clients ?? row.maxClients,
      updatedAt: clockNow(),
    };
    await updateOrganization(c.env.DB, next, changes, auditContextOf(c));
    return c.json({ organization: presentOrganization({ ...next, clientCount }) }, 200);
  },
  patchHook(IMMUTABLE_ORGANIZATION_FIELDS),
);
