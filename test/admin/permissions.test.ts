/**
 * Every management route declares the one permission it needs, and that permission decides: the
 * route list comes from the app itself and its OpenAPI document, so a route added without a
 * declared permission (or without an entry in the table below) fails this suite.
 */
import { OpenAPIHono, z } from "@hono/zod-openapi";
import { beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/app";
import { adminRoute, undeclaredRoutes } from "../../src/admin/admin-route";
import { type CreatedClient, adminJson, call, createClient, createWorkflow, expectError } from "../support/helpers";
import { createEndpoint } from "../support/webhooks";
import { PERMISSIONS, as, mintToken } from "../support/tokens";

interface Fixtures {
  client: CreatedClient;
  workflow: any;
  token: { id: string };
}

type Request = [method: string, path: string, body?: unknown];

/** One real request per documented operation; a new operation needs an entry here. */
const REQUESTS: Record<string, (f: Fixtures) => Request | Promise<Request>> = {
  "POST /admin/clients": () => ["POST", "/admin/clients", { name: "Permission check", environment: "sandbox" }],
  "GET /admin/clients": () => ["GET", "/admin/clients"],
  "GET /admin/clients/{client_id}": (f) => ["GET", `/admin/clients/${f.client.id}`],
  "PATCH /admin/clients/{client_id}": (f) => ["PATCH", `/admin/clients/${f.client.id}`, { rate_limit: 99 }],
  "POST /admin/clients/{client_id}/regenerate-secret": async () => [
    "POST",
    `/admin/clients/${(await createClient()).id}/regenerate-secret`,
    {},
  ],
  "POST /admin/clients/{client_id}/revoke": async () => ["POST", `/admin/clients/${(await createClient()).id}/revoke`],
  "GET /admin/clients/{client_id}/usage": (f) => ["GET", `/admin/clients/${f.client.id}/usage?days=1`],
  "POST /admin/workflows": (f) => [
    "POST",
    "/admin/workflows",
    { client_id: f.client.id, client_secret: f.client.secret, name: "Permission check" },
  ],
  "GET /admin/workflows": () => ["GET", "/admin/workflows"],
  "GET /admin/workflows/{workflow_id}": (f) => ["GET", `/admin/workflows/${f.workflow.id}`],
  "PATCH /admin/workflows/{workflow_id}": (f) => ["PATCH", `/admin/workflows/${f.workflow.id}`, { name: "Renamed" }],
  "GET /admin/alerts": () => ["GET", "/admin/alerts"],
  "GET /admin/audit-log": () => ["GET", "/admin/audit-log"],
  "POST /admin/tokens": () => ["POST", "/admin/tokens", { name: "Child", permissions: ["tokens:manage"] }],
  "GET /admin/tokens": () => ["GET", "/admin/tokens"],
  "GET /admin/tokens/{token_id}": (f) => ["GET", `/admin/tokens/${f.token.id}`],
  // A token the caller could have created (a narrower one): revoking a wider one is 403 by design.
  "POST /admin/tokens/{token_id}/revoke": async () => [
    "POST",
    `/admin/tokens/${(await mintToken(["tokens:manage"], { expires_in_days: 1 })).id}/revoke`,
  ],
  "GET /admin/me": () => ["GET", "/admin/me"],
  "GET /admin/usage": () => ["GET", "/admin/usage?days=1"],
  "POST /admin/organizations": () => ["POST", "/admin/organizations", { name: "Permission check" }],
  "GET /admin/organizations": () => ["GET", "/admin/organizations"],
  "GET /admin/organizations/{organization_id}": () => ["GET", "/admin/organizations/org_default"],
  "PATCH /admin/organizations/{organization_id}": () => [
    "PATCH",
    "/admin/organizations/org_default",
    { name: "Default" },
  ],
  "POST /admin/webhook-endpoints": () => [
    "POST",
    "/admin/webhook-endpoints",
    { url: "https://webhook.test/hook/permissions", events: ["*"] },
  ],
  "GET /admin/webhook-endpoints": () => ["GET", "/admin/webhook-endpoints"],
  "GET /admin/webhook-endpoints/{endpoint_id}": async () => [
    "GET",
    `/admin/webhook-endpoints/${(await createEndpoint()).endpoint.id}`,
  ],
  "PATCH /admin/webhook-endpoints/{endpoint_id}": async () => [
    "PATCH",
    `/admin/webhook-endpoints/${(await createEndpoint()).endpoint.id}`,
    { description: "Renamed" },
  ],
  "DELETE /admin/webhook-endpoints/{endpoint_id}": async () => [
    "DELETE",
    `/admin/webhook-endpoints/${(await createEndpoint()).endpoint.id}`,
  ],
  "POST /admin/webhook-endpoints/{endpoint_id}/rotate-secret": async () => [
    "POST",
    `/admin/webhook-endpoints/${(await createEndpoint()).endpoint.id}/rotate-secret`,
  ],
  "POST /admin/webhook-endpoints/{endpoint_id}/test": async () => [
    "POST",
    `/admin/webhook-endpoints/${(await createEndpoint()).endpoint.id}/test`,
  ],
  "GET /admin/webhook-endpoints/{endpoint_id}/deliveries": async () => [
    "GET",
    `/admin/webhook-endpoints/${(await createEndpoint()).endpoint.id}/deliveries`,
  ],
  "POST /admin/webhook-endpoints/{endpoint_id}/deliveries/{delivery_id}/retry": async () => {
    const { endpoint } = await createEndpoint();
    const { body } = await adminJson("POST", `/admin/webhook-endpoints/${endpoint.id}/test`);
    return ["POST", `/admin/webhook-endpoints/${endpoint.id}/deliveries/${body.delivery.id}/retry`];
  },
};

/** The contract's permission for each call ("authenticated": any valid token). */
const CONTRACT: Record<string, string> = {
  "POST /admin/clients": "clients:write",
  "GET /admin/clients": "clients:read",
  "GET /admin/clients/{client_id}": "clients:read",
  "PATCH /admin/clients/{client_id}": "clients:write",
  "POST /admin/clients/{client_id}/regenerate-secret": "clients:rotate",
  "POST /admin/clients/{client_id}/revoke": "clients:revoke",
  "GET /admin/clients/{client_id}/usage": "usage:read",
  "POST /admin/workflows": "workflows:write",
  "GET /admin/workflows": "workflows:read",
  "GET /admin/workflows/{workflow_id}": "workflows:read",
  "PATCH /admin/workflows/{workflow_id}": "workflows:write",
  "GET /admin/alerts": "alerts:read",
  "GET /admin/audit-log": "audit:read",
  "POST /admin/tokens": "tokens:manage",
  "GET /admin/tokens": "tokens:manage",
  "GET /admin/tokens/{token_id}": "tokens:manage",
  "POST /admin/tokens/{token_id}/revoke": "tokens:manage",
  "GET /admin/me": "authenticated",
  "GET /admin/usage": "usage:read",
  "POST /admin/organizations": "organizations:manage",
  "GET /admin/organizations": "organizations:manage",
  "GET /admin/organizations/{organization_id}": "organizations:manage",
  "PATCH /admin/organizations/{organization_id}": "organizations:manage",
  "POST /admin/webhook-endpoints": "webhooks:manage",
  "GET /admin/webhook-endpoints": "webhooks:manage",
  "GET /admin/webhook-endpoints/{endpoint_id}": "webhooks:manage",
  "PATCH /admin/webhook-endpoints/{endpoint_id}": "webhooks:manage",
  "DELETE /admin/webhook-endpoints/{endpoint_id}": "webhooks:manage",
  "POST /admin/webhook-endpoints/{endpoint_id}/rotate-secret": "webhooks:manage",
  "POST /admin/webhook-endpoints/{endpoint_id}/test": "webhooks:manage",
  "GET /admin/webhook-endpoints/{endpoint_id}/deliveries": "webhooks:manage",
  "POST /admin/webhook-endpoints/{endpoint_id}/deliveries/{delivery_id}/retry": "webhooks:manage",
};

const VALID_PERMISSIONS = [...PERMISSIONS, "authenticated"];

let doc: any;
let operations: { key: string; permission: string; operation: any }[];

beforeAll(async () => {
  doc = await (await call("/openapi.json")).json();
  operations = [];
  for (const [path, item] of Object.entries<any>(doc.paths)) {
    if (!path.startsWith("/admin")) continue;
    for (const [method, operation] of Object.entries<any>(item)) {
      operations.push({ key: `${method.toUpperCase()} ${path}`, permission: operation["x-permission"], operation });
    }
  }
});

describe("every admin route declares its permission", () => {
  it("the app registers no /admin route without a permission check", () => {
    const routes = createApp().routes;
    expect(routes.some((r) => r.path.startsWith("/admin/"))).toBe(true);
    expect(undeclaredRoutes(routes)).toEqual([]);
  });

  it("the app's /admin routes and the OpenAPI document's operations are the same list", () => {
    const served = new Set(
      createApp()
        .routes.filter((r) => r.method !== "ALL" && r.path.startsWith("/admin"))
        .map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, "{$1}")}`),
    );
    expect([...served].sort()).toEqual(operations.map((o) => o.key).sort());
  });

  it("each operation states its permission: x-permission, a line in its description, the 403", () => {
    expect(operations.length).toBeGreaterThanOrEqual(18);
    for (const { key, permission, operation } of operations) {
      expect(VALID_PERMISSIONS, key).toContain(permission);
      expect(operation.description, key).toMatch(/Permission: /);
      if (permission === "authenticated") continue;
      expect(operation.description, key).toContain(`\`${permission}\``);
      expect(operation.responses, key).toHaveProperty("403");
    }
  });

  it("a route registered without adminRoute is found (the check above can fail)", () => {
    const app = new OpenAPIHono();
    app.openapi(
      adminRoute("clients:read", {
        method: "get",
        path: "/admin/declared",
        errors: [],
        responses: { 200: { description: "ok", content: { "application/json": { schema: z.object({}) } } } },
      }),
      (c) => c.json({}, 200),
    );
    app.get("/admin/sneaky/:id", (c) => c.json({}));
    app.post("/healthz-like", (c) => c.json({}));
    expect(undeclaredRoutes(app.routes)).toEqual(["GET /admin/sneaky/:id"]);
  });

  it("the table below has a request for every documented operation", () => {
    expect(Object.keys(REQUESTS).sort()).toEqual(operations.map((o) => o.key).sort());
  });

  it("each operation's permission is the contract's", () => {
    for (const { key, permission } of operations) expect(permission, key).toBe(CONTRACT[key]);
  });
});

describe("each route's permission decides", () => {
  let fixtures: Fixtures;
  const minted = new Map<string, string>();
  const secretFor = async (permissions: string[]) => {
    const key = permissions.join(",");
    if (!minted.has(key)) minted.set(key, (await mintToken(permissions)).secret);
    return minted.get(key)!;
  };

  beforeAll(async () => {
    const client = await createClient({ name: "Permission fixtures" });
    fixtures = { client, workflow: await createWorkflow(client), token: await mintToken(["alerts:read"]) };
  });

  it("with every permission but the route's: 403 forbidden naming it; with exactly it: 2xx", async () => {
    for (const { key, permission } of operations) {
      const build = REQUESTS[key]!;
      if (permission === "authenticated") {
        for (const only of PERMISSIONS) {
          const [method, path, body] = await build(fixtures);
          expect((await as(await secretFor([only]), method, path, body)).status, `${key} with ${only}`).toBe(200);
        }
        continue;
      }
      const others = PERMISSIONS.filter((p) => p !== permission);
      const [m1, p1, b1] = await build(fixtures);
      const error = await expectError(await as(await secretFor(others), m1, p1, b1), 403, "forbidden");
      expect(error.missing_permission, key).toBe(permission);

      const [m2, p2, b2] = await build(fixtures);
      const res = await as(await secretFor([permission]), m2, p2, b2);
      const text = await res.text();
      expect(res.status >= 200 && res.status < 300, `${key} with exactly ${permission}: ${res.status} ${text}`).toBe(
        true,
      );
    }
  });

  it("the permission is checked before the body: a bad body without the permission is still 403", async () => {
    const secret = await secretFor(["clients:read"]);
    const error = await expectError(
      await as(secret, "POST", "/admin/clients", { environment: "staging", surprise: 1 }),
      403,
      "forbidden",
    );
    expect(error.missing_permission).toBe("clients:write");
  });

  it("clients:write does not include clients:read; * covers every route", async () => {
    const writer = await secretFor(["clients:write"]);
    expect((await expectError(await as(writer, "GET", "/admin/clients"), 403, "forbidden")).missing_permission).toBe(
      "clients:read",
    );
    const all = await secretFor(["*"]);
    for (const [key, build] of Object.entries(REQUESTS)) {
      const [method, path, body] = await build(fixtures);
      const res = await as(all, method, path, body);
      expect(res.status, `${key} with *`).toBeLessThan(300);
    }
  });
});
