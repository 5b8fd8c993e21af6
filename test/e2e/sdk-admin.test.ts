// NafsiAdmin over every management call the gateway has, against the real Worker.
import { beforeAll, describe, expect, it } from "vitest";
import { NafsiAdmin, NafsiError } from "../../sdk/src/index.js";
import { gateway } from "./support/shared";

let admin: NafsiAdmin;
let baseUrl: string;
/** Admin tokens (issue 11) are tested once the gateway documents them. */
let hasTokens = false;

beforeAll(async () => {
  baseUrl = gateway().baseUrl;
  admin = new NafsiAdmin({ baseUrl, token: gateway().adminToken });
  const doc = (await (await fetch(`${baseUrl}/openapi.json`)).json()) as { paths: Record<string, unknown> };
  hasTokens = "/admin/tokens" in doc.paths && "/admin/me" in doc.paths;
});

async function refusal(promise: Promise<unknown>): Promise<NafsiError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(NafsiError);
  return error as NafsiError;
}

async function all<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

describe("NafsiAdmin against the gateway", () => {
  it("manages clients: create, get, update, list every page, regenerate, revoke", async () => {
    const created = await admin.clients.create({ name: "Admin e2e", environment: "production", rate_limit: 50 });
    expect(created.client_secret).toMatch(/^sk_live_/);
    const id = created.client.id;
    expect((await admin.clients.get(id)).client).toMatchObject({ id, name: "Admin e2e", rate_limit: 50 });
    expect((await admin.clients.update(id, { name: "Renamed", rate_limit: 60 })).client).toMatchObject({
      name: "Renamed",
      rate_limit: 60,
    });

    const more = await Promise.all(
      [1, 2].map((n) => admin.clients.create({ name: `Page ${n}`, environment: "sandbox" })),
    );
    // Page size 1: the iterator follows next_cursor through every page, newest first, without repeats.
    const listed = (await all(admin.clients.list({ limit: 1 }))).map((c) => c.id);
    expect(new Set(listed).size).toBe(listed.length);
    for (const c of [id, ...more.map((m) => m.client.id)]) expect(listed).toContain(c);
    const sandbox = await all(admin.clients.list({ environment: "sandbox", limit: 100 }));
    expect(sandbox.every((c) => c.environment === "sandbox")).toBe(true);

    const regenerated = await admin.clients.regenerateSecret(id, { grace_period_seconds: 60 });
    expect(regenerated.client_secret).toMatch(/^sk_live_/);
    expect(regenerated.client_secret).not.toBe(created.client_secret);
    expect(regenerated.previous_secret_expires_at).toBeTruthy();
    expect((await admin.clients.regenerateSecret(id)).previous_secret_expires_at).toBeNull();

    expect((await admin.clients.revoke(id)).client.status).toBe("revoked");
    expect((await admin.clients.revoke(id)).client.status).toBe("revoked");
    const locked = await refusal(admin.clients.update(id, { name: "x" }));
    expect({ status: locked.status, code: locked.code }).toEqual({ status: 409, code: "client_revoked" });
  });

  it("manages workflows: create, get, update, list every page", async () => {
    const { client, client_secret } = await admin.clients.create({ name: "Workflow owner", environment: "production" });
    const { workflow } = await admin.workflows.create({
      client_id: client.id,
      client_secret,
      name: "Onboarding",
      allowed_origins: ["https://app.example.com"],
    });
    expect(workflow).toMatchObject({
      client_id: client.id,
      status: "active",
      allowed_origins: ["https://app.example.com"],
    });
    expect((await admin.workflows.get(workflow.id)).workflow.id).toBe(workflow.id);
    const second = await admin.workflows.create({ client_id: client.id, client_secret, name: "Second" });
    expect((await admin.workflows.update(workflow.id, { status: "inactive", name: "Paused" })).workflow).toMatchObject({
      status: "inactive",
      name: "Paused",
    });
    const ids = (await all(admin.workflows.list({ client_id: client.id, limit: 1 }))).map((w) => w.id);
    expect(ids).toEqual([second.workflow.id, workflow.id]);

    const wrongSecret = await refusal(
      admin.workflows.create({ client_id: client.id, client_secret: "sk_live_wrong", name: "x" }),
    );
    expect({ status: wrongSecret.status, code: wrongSecret.code }).toEqual({
      status: 400,
      code: "invalid_client_secret",
    });
  });

  it("reads usage, alerts and the audit log", async () => {
    const { client } = await admin.clients.create({ name: "Observed", environment: "production" });
    const usage = await admin.usage(client.id, { days: 7 });
    expect(usage).toMatchObject({ client_id: client.id, total_requests: expect.any(Number) });
    expect(Array.isArray(usage.daily)).toBe(true);
    expect(Array.isArray(await all(admin.alerts.list({ client_id: client.id })))).toBe(true);
    const entries = await all(admin.auditLog.list({ target_id: client.id }));
    expect(entries.map((e) => e.action)).toContain("client.create");
    expect(entries.every((e) => e.target_id === client.id)).toBe(true);
  });

  it("throws the management API's errors as NafsiError", async () => {
    const missing = await refusal(admin.clients.get("nafsi_live_doesnotexist"));
    expect({ status: missing.status, code: missing.code }).toEqual({ status: 404, code: "not_found" });
    expect(missing.requestId).toBeTruthy();

    const { client } = await admin.clients.create({ name: "Fixed", environment: "production" });
    // Not in PatchClient's type; sent anyway to see the gateway's answer.
    const immutable = await refusal(admin.clients.update(client.id, { environment: "sandbox" } as never));
    expect({ status: immutable.status, code: immutable.code }).toEqual({ status: 400, code: "immutable_field" });

    const invalid = await refusal(admin.clients.create({ name: "", environment: "production" }));
    expect({ status: invalid.status, code: invalid.code }).toEqual({ status: 400, code: "invalid_request" });
    expect(invalid.details?.[0]?.field).toBe("name");

    const sandbox = await refusal(admin.clients.create({ name: "s", environment: "sandbox", rate_limit: 50 }));
    expect(sandbox.code).toBe("sandbox_rate_limit_fixed");

    const stranger = new NafsiAdmin({ baseUrl, token: "not-a-token" });
    const unauthorized = await refusal(stranger.clients.get("nafsi_live_x"));
    expect({ status: unauthorized.status, code: unauthorized.code }).toEqual({ status: 401, code: "unauthorized" });
  });

  it("manages admin tokens and answers me() (when the gateway has them)", async () => {
    expect(hasTokens).toBe(true);
    expect(await admin.me()).toMatchObject({ actor: "bootstrap", permissions: ["*"], client_ids: null });
    const { token, secret } = await admin.tokens.create({ name: "ci", permissions: ["clients:read"] });
    expect(secret).toMatch(/^nafsi_admin_/);
    expect((await admin.tokens.get(token.id)).token.id).toBe(token.id);
    expect((await all(admin.tokens.list({ limit: 1 }))).map((t) => t.id)).toContain(token.id);
    const scoped = new NafsiAdmin({ baseUrl, token: secret });
    expect((await scoped.me()).permissions).toEqual(["clients:read"]);
    const forbidden = await refusal(scoped.clients.create({ name: "x", environment: "sandbox" }));
    expect({ status: forbidden.status, code: forbidden.code }).toEqual({ status: 403, code: "forbidden" });
    expect((await admin.tokens.revoke(token.id)).token.revoked_at).toBeTruthy();
    expect((await refusal(scoped.me())).code).toBe("unauthorized");
  });
});
