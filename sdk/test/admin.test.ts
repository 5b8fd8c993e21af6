import { describe, expect, it } from "vitest";
import { NafsiAdmin, NafsiError } from "../src/index.js";
import { fakeRuntime, json } from "./fakes.js";

const BASE = "http://gateway.test";

function admin(steps: Response[]) {
  const net = fakeRuntime(steps);
  return { net, admin: new NafsiAdmin({ baseUrl: BASE, token: "tok", fetch: net.fetch, runtime: net.runtime }) };
}

describe("NafsiAdmin", () => {
  it("makes each call with its method, path, query, body and the bearer token", async () => {
    const { net, admin: a } = admin(Array.from({ length: 20 }, () => json(200, { next_cursor: null, clients: [] })));
    await a.clients.create({ name: "iOS", environment: "production" });
    await a.clients.get("nafsi_live_a/b");
    await a.clients.update("c1", { rate_limit: 5 });
    await a.clients.regenerateSecret("c1", { grace_period_seconds: 60 });
    await a.clients.regenerateSecret("c1");
    await a.clients.revoke("c1");
    await a.workflows.create({ client_id: "c1", client_secret: "sk", name: "w" });
    await a.workflows.get("wf1");
    await a.workflows.update("wf1", { status: "inactive" });
    await a.usage("c1", { days: 7 });
    await a.usage("c1");
    await a.tokens.create({ name: "ci", permissions: ["clients:read"] });
    await a.tokens.get("adt_1");
    await a.tokens.revoke("adt_1");
    await a.me();
    expect(net.sent.map((s) => `${s.method} ${s.url.slice(BASE.length)}`)).toEqual([
      "POST /admin/clients",
      "GET /admin/clients/nafsi_live_a%2Fb",
      "PATCH /admin/clients/c1",
      "POST /admin/clients/c1/regenerate-secret",
      "POST /admin/clients/c1/regenerate-secret",
      "POST /admin/clients/c1/revoke",
      "POST /admin/workflows",
      "GET /admin/workflows/wf1",
      "PATCH /admin/workflows/wf1",
      "GET /admin/clients/c1/usage?days=7",
      "GET /admin/clients/c1/usage",
      "POST /admin/tokens",
      "GET /admin/tokens/adt_1",
      "POST /admin/tokens/adt_1/revoke",
      "GET /admin/me",
    ]);
    expect(net.sent.map((s) => s.body)).toEqual([
      { name: "iOS", environment: "production" },
      undefined,
      { rate_limit: 5 },
      { grace_period_seconds: 60 },
      {},
      undefined,
      { client_id: "c1", client_secret: "sk", name: "w" },
      undefined,
      { status: "inactive" },
      undefined,
      undefined,
      { name: "ci", permissions: ["clients:read"] },
      undefined,
      undefined,
      undefined,
    ]);
    for (const s of net.sent) {
      expect(s.headers.authorization).toBe("Bearer tok");
      // Every POST carries a key of its own (sdk/test/idempotency.test.ts); nothing else does.
      if (s.method === "POST") expect(s.headers["idempotency-key"]).toMatch(/^[0-9a-f-]{36}$/);
      else expect(s.headers["idempotency-key"]).toBeUndefined();
    }
  });

  it("iterates over every item of every page, following next_cursor with the same filters", async () => {
    const { net, admin: a } = admin([
      json(200, { clients: [{ id: "c3" }, { id: "c2" }], next_cursor: "cur 1" }),
      json(200, { clients: [{ id: "c1" }], next_cursor: "cur2" }),
      json(200, { clients: [], next_cursor: null }),
    ]);
    const ids: string[] = [];
    for await (const c of a.clients.list({ status: "active", limit: 2 })) ids.push(c.id);
    expect(ids).toEqual(["c3", "c2", "c1"]);
    expect(net.sent.map((s) => s.url.slice(BASE.length))).toEqual([
      "/admin/clients?status=active&limit=2",
      "/admin/clients?status=active&limit=2&cursor=cur+1",
      "/admin/clients?status=active&limit=2&cursor=cur2",
    ]);
  });

  it("lists workflows, alerts, audit entries and tokens from their own fields", async () => {
    const { net, admin: a } = admin([
      json(200, { workflows: [{ id: "wf" }], next_cursor: null }),
      json(200, { alerts: [{ id: "al" }], next_cursor: null }),
      json(200, { entries: [{ id: "au" }], next_cursor: null }),
      json(200, { tokens: [{ id: "adt" }], next_cursor: null }),
    ]);
    const all = async <T extends { id: string }>(it: AsyncIterable<T>) => {
      const out: string[] = [];
      for await (const x of it) out.push(x.id);
      return out;
    };
    expect(await all(a.workflows.list({ client_id: "c1" }))).toEqual(["wf"]);
    expect(await all(a.alerts.list({ type: "high_error_rate" }))).toEqual(["al"]);
    expect(await all(a.auditLog.list({ target_id: "c1" }))).toEqual(["au"]);
    expect(await all(a.tokens.list())).toEqual(["adt"]);
    expect(net.sent.map((s) => s.url.slice(BASE.length))).toEqual([
      "/admin/workflows?client_id=c1",
      "/admin/alerts?type=high_error_rate",
      "/admin/audit-log?target_id=c1",
      "/admin/tokens",
    ]);
  });

  it("page methods read one page with its cursor and give the answer as it is, next_cursor included", async () => {
    const { net, admin: a } = admin([
      json(200, { clients: [{ id: "c" }], next_cursor: "n1" }),
      json(200, { workflows: [{ id: "wf" }], next_cursor: null }),
      json(200, { alerts: [], next_cursor: null }),
      json(200, { entries: [{ id: "au" }], next_cursor: "n2" }),
      json(200, { tokens: [], next_cursor: null }),
      json(200, { organizations: [], next_cursor: null }),
    ]);
    expect(await a.clients.page({ limit: 1 })).toEqual({ clients: [{ id: "c" }], next_cursor: "n1" });
    expect(await a.workflows.page({ cursor: "n1", client_id: "c1" })).toEqual({
      workflows: [{ id: "wf" }],
      next_cursor: null,
    });
    await a.alerts.page({ type: "unusual_usage", client_id: "c1" });
    expect(
      await a.auditLog.page({ actor: "bootstrap", action: "client.update", from: "2026-01-01", limit: 50 }),
    ).toEqual({ entries: [{ id: "au" }], next_cursor: "n2" });
    await a.tokens.page();
    await a.organizations.page({ limit: 100 });
    expect(net.sent.map((s) => `${s.method} ${s.url.slice(BASE.length)}`)).toEqual([
      "GET /admin/clients?limit=1",
      "GET /admin/workflows?cursor=n1&client_id=c1",
      "GET /admin/alerts?type=unusual_usage&client_id=c1",
      "GET /admin/audit-log?actor=bootstrap&action=client.update&from=2026-01-01&limit=50",
      "GET /admin/tokens",
      "GET /admin/organizations?limit=100",
    ]);
  });

  it("throws the gateway's errors as NafsiError, including a missing permission", async () => {
    const { admin: a } = admin([
      json(403, { error: { code: "forbidden", message: "Missing permission", missing_permission: "clients:write" } }),
    ]);
    const error = await a.clients.create({ name: "x", environment: "sandbox" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NafsiError);
    expect(error).toMatchObject({ status: 403, code: "forbidden", requestId: "req-403" });
    expect((error as NafsiError).body).toMatchObject({ error: { missing_permission: "clients:write" } });
  });
});

describe("NafsiAdmin: organizations and the usage overview", () => {
  it("organizations.create/list/get/update and usageOverview make the contract's calls", async () => {
    const { net, admin: a } = admin([
      json(201, { organization: { id: "org_1" } }),
      json(200, { organizations: [{ id: "org_2" }, { id: "org_1" }], next_cursor: null }),
      json(200, { organization: { id: "org_1" } }),
      json(200, { organization: { id: "org_1", max_clients: 20 } }),
      json(200, { clients: [], daily: [] }),
      json(200, { clients: [], daily: [] }),
    ]);
    expect(await a.organizations.create({ name: "Acme", max_clients: 10 })).toEqual({ organization: { id: "org_1" } });
    const ids: string[] = [];
    for await (const o of a.organizations.list({ limit: 2 })) ids.push(o.id);
    expect(ids).toEqual(["org_2", "org_1"]);
    await a.organizations.get("org_1");
    await a.organizations.update("org_1", { max_clients: 20 });
    await a.usageOverview();
    await a.usageOverview({ days: 7, organizationId: "org_1" });
    expect(net.sent.map((s) => `${s.method} ${s.url.slice(BASE.length)}`)).toEqual([
      "POST /admin/organizations",
      "GET /admin/organizations?limit=2",
      "GET /admin/organizations/org_1",
      "PATCH /admin/organizations/org_1",
      "GET /admin/usage",
      "GET /admin/usage?days=7&organization_id=org_1",
    ]);
    expect(net.sent.map((s) => s.body)).toEqual([
      { name: "Acme", max_clients: 10 },
      undefined,
      undefined,
      { max_clients: 20 },
      undefined,
      undefined,
    ]);
  });

  it("usageOverview({format: 'csv'}) resolves with the export's text", async () => {
    const csv = "date,organization_id\r\n2026-01-28,org_1\r\n";
    const { net, admin: a } = admin([new Response(csv, { status: 200, headers: { "Content-Type": "text/csv" } })]);
    const text: string = await a.usageOverview({ format: "csv", days: 90 });
    expect(text).toBe(csv);
    expect(net.sent[0]!.url.slice(BASE.length)).toBe("/admin/usage?days=90&format=csv");
  });

  it("usageExport resolves with the export's text and the file name the gateway gives it", async () => {
    const csv = "date,organization_id\r\n2026-01-28,org_1\r\n";
    const file = (name: string | null) =>
      new Response(csv, {
        status: 200,
        headers: {
          "Content-Type": "text/csv",
          ...(name ? { "Content-Disposition": `attachment; filename="${name}"` } : {}),
        },
      });
    const { net, admin: a } = admin([file("nafsi-usage-2026-01-28.csv"), file(null)]);
    expect(await a.usageExport({ days: 7, organizationId: "org_1" })).toEqual({
      csv,
      filename: "nafsi-usage-2026-01-28.csv",
    });
    expect(await a.usageExport()).toEqual({ csv, filename: null });
    expect(net.sent.map((s) => s.url.slice(BASE.length))).toEqual([
      "/admin/usage?days=7&organization_id=org_1&format=csv",
      "/admin/usage?format=csv",
    ]);
  });
});

describe("NafsiAdmin: webhook endpoints", () => {
  it("webhookEndpoints.* make the contract's nine calls; list and deliveries follow next_cursor", async () => {
    const endpoint = { id: "whe_1" };
    const delivery = { id: "whd_1", status: "pending" };
    const { net, admin: a } = admin([
      json(201, { endpoint, secret: "whsec_abc" }),
      json(200, { endpoints: [{ id: "whe_2" }], next_cursor: "c1" }),
      json(200, { endpoints: [endpoint], next_cursor: null }),
      json(200, { endpoint }),
      json(200, { endpoint: { ...endpoint, status: "disabled" } }),
      json(200, { endpoint, secret: "whsec_def" }),
      json(202, { delivery }),
      json(200, { deliveries: [delivery], next_cursor: "d1" }),
      json(200, { deliveries: [{ id: "whd_0" }], next_cursor: null }),
      json(202, { delivery }),
      new Response(null, { status: 204 }),
    ]);
    const created = await a.webhookEndpoints.create({ url: "https://hooks.example.com/", events: ["*"] });
    expect(created.secret).toBe("whsec_abc");
    const ids: string[] = [];
    for await (const e of a.webhookEndpoints.list({ limit: 1 })) ids.push(e.id);
    expect(ids).toEqual(["whe_2", "whe_1"]);
    await a.webhookEndpoints.get("whe_1");
    await a.webhookEndpoints.update("whe_1", { status: "disabled" });
    expect((await a.webhookEndpoints.rotateSecret("whe_1")).secret).toBe("whsec_def");
    expect((await a.webhookEndpoints.test("whe_1")).delivery.id).toBe("whd_1");
    const deliveries: string[] = [];
    for await (const d of a.webhookEndpoints.deliveries("whe_1", { status: "pending" })) deliveries.push(d.id);
    expect(deliveries).toEqual(["whd_1", "whd_0"]);
    await a.webhookEndpoints.retryDelivery("whe_1", "whd_1");
    expect(await a.webhookEndpoints.delete("whe_1")).toBeUndefined();
    expect(net.sent.map((s) => `${s.method} ${s.url.slice(BASE.length)}`)).toEqual([
      "POST /admin/webhook-endpoints",
      "GET /admin/webhook-endpoints?limit=1",
      "GET /admin/webhook-endpoints?limit=1&cursor=c1",
      "GET /admin/webhook-endpoints/whe_1",
      "PATCH /admin/webhook-endpoints/whe_1",
      "POST /admin/webhook-endpoints/whe_1/rotate-secret",
      "POST /admin/webhook-endpoints/whe_1/test",
      "GET /admin/webhook-endpoints/whe_1/deliveries?status=pending",
      "GET /admin/webhook-endpoints/whe_1/deliveries?status=pending&cursor=d1",
      "POST /admin/webhook-endpoints/whe_1/deliveries/whd_1/retry",
      "DELETE /admin/webhook-endpoints/whe_1",
    ]);
    expect(net.sent[0]!.body).toEqual({ url: "https://hooks.example.com/", events: ["*"] });
    expect(net.sent[4]!.body).toEqual({ status: "disabled" });
  });

  it("webhookEndpoints.page and deliveries.page read one page with its cursor, next_cursor included", async () => {
    const { net, admin: a } = admin([
      json(200, { endpoints: [{ id: "whe_2" }], next_cursor: "c1" }),
      json(200, { deliveries: [{ id: "whd_1" }], next_cursor: null }),
    ]);
    expect(await a.webhookEndpoints.page({ limit: 1 })).toEqual({ endpoints: [{ id: "whe_2" }], next_cursor: "c1" });
    expect(await a.webhookEndpoints.deliveries.page("whe_1", { status: "failed", cursor: "d1", limit: 25 })).toEqual({
      deliveries: [{ id: "whd_1" }],
      next_cursor: null,
    });
    expect(net.sent.map((s) => `${s.method} ${s.url.slice(BASE.length)}`)).toEqual([
      "GET /admin/webhook-endpoints?limit=1",
      "GET /admin/webhook-endpoints/whe_1/deliveries?status=failed&cursor=d1&limit=25",
    ]);
  });
});
