/**
 * Every management call that changes something writes one audit entry (who, what, which target,
 * when, from which IP, which request, the changed fields), in the same D1 batch as the change;
 * calls that change nothing write none; no entry ever holds a secret, its hash or a token.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { admin, adminJson, call, env, expectError, sha256HexOf, sleep } from "../support/helpers";
import { as, mintToken } from "../support/tokens";

const IP = "203.0.113.7";
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const JWT = /eyJ[\w-]+\.[\w-]+\./;
const ENTRY_FIELDS = ["action", "actor", "at", "details", "id", "ip", "organization_id", "request_id", "target_id"];

interface Call {
  status: number;
  body: any;
  requestId: string | null;
  before: number;
  after: number;
}

/** A management call from a known IP; records its request id and when it ran. */
async function manage(method: string, path: string, body?: unknown): Promise<Call> {
  await sleep(3); // distinct timestamps, so "newest first" has one right answer
  const before = Date.now();
  const res = await admin(method, path, body, { "CF-Connecting-IP": IP });
  const after = Date.now();
  return { status: res.status, body: await res.json(), requestId: res.headers.get("X-Request-Id"), before, after };
}

async function page(query: string): Promise<{ entries: any[]; next_cursor: string | null }> {
  const { status, body } = await adminJson("GET", `/admin/audit-log${query ? `?${query}` : ""}`);
  expect(status, JSON.stringify(body)).toBe(200);
  return body;
}

async function allEntries(query = "", limit = 100): Promise<any[]> {
  const out: any[] = [];
  let cursor: string | null = null;
  do {
    const body = await page(`${query}${query ? "&" : ""}limit=${limit}${cursor ? `&cursor=${cursor}` : ""}`);
    out.push(...body.entries);
    cursor = body.next_cursor;
  } while (cursor);
  return out;
}

describe("audit log of management changes", () => {
  const calls: Record<string, Call> = {};
  let clientId: string;
  let workflowId: string;
  let secrets: string[] = [];

  beforeAll(async () => {
    calls.create = await manage("POST", "/admin/clients", {
      name: "Audited",
      environment: "production",
      rate_limit: 50,
      retention_days: 30,
    });
    expect(calls.create.status).toBe(201);
    clientId = calls.create.body.client.id;
    const s1: string = calls.create.body.client_secret;
    calls.workflowCreate = await manage("POST", "/admin/workflows", {
      client_id: clientId,
      client_secret: s1,
      name: "Checkout",
      allowed_origins: ["https://shop.example"],
    });
    expect(calls.workflowCreate.status).toBe(201);
    workflowId = calls.workflowCreate.body.workflow.id;
    calls.patch = await manage("PATCH", `/admin/clients/${clientId}`, {
      name: "Audited v2",
      rate_limit: 60,
      retention_days: 30,
    });
    expect(calls.patch.status).toBe(200);
    // Changes nothing (the same values again): no entry.
    expect((await manage("PATCH", `/admin/clients/${clientId}`, { name: "Audited v2", rate_limit: 60 })).status).toBe(
      200,
    );
    calls.regenerate = await manage("POST", `/admin/clients/${clientId}/regenerate-secret`, {
      grace_period_seconds: 60,
    });
    expect(calls.regenerate.status).toBe(200);
    const s2: string = calls.regenerate.body.client_secret;
    calls.rekey = await manage("PATCH", `/admin/workflows/${workflowId}`, { client_secret: s2 });
    expect(calls.rekey.status).toBe(200);
    calls.workflowPatch = await manage("PATCH", `/admin/workflows/${workflowId}`, {
      name: "Checkout v2",
      allowed_origins: ["https://shop.example", "https://m.shop.example"],
    });
    expect(calls.workflowPatch.status).toBe(200);
    expect((await manage("PATCH", `/admin/workflows/${workflowId}`, { name: "Checkout v2" })).status).toBe(200);
    calls.deactivate = await manage("PATCH", `/admin/clients/${clientId}`, { status: "inactive" });
    expect(calls.deactivate.status).toBe(200);
    calls.revoke = await manage("POST", `/admin/clients/${clientId}/revoke`);
    expect(calls.revoke.status).toBe(200);
    secrets = [s1, s2];

    // Other calls that change nothing: a second revoke (200, unchanged) and refused changes.
    expect((await manage("POST", `/admin/clients/${clientId}/revoke`)).status).toBe(200);
    expect((await manage("PATCH", `/admin/clients/${clientId}`, { name: "Nope" })).status).toBe(409);
    expect((await manage("POST", `/admin/clients/${clientId}/regenerate-secret`, {})).status).toBe(409);
    expect((await manage("PATCH", `/admin/workflows/${workflowId}`, { name: "Nope" })).status).toBe(409);
    expect((await manage("PATCH", `/admin/clients/${clientId}`, { id: "x" })).status).toBe(400);
    expect((await manage("POST", "/admin/clients", { name: "Bad", environment: "staging" })).status).toBe(400);
  });

  it("writes one entry per change, newest first, with actor, action, target, time, IP, request id and the changed fields", async () => {
    const mine = (await allEntries()).filter((e) => e.target_id === clientId || e.target_id === workflowId);
    const expected: [string, string, Call][] = [
      ["client.revoke", clientId, calls.revoke!],
      ["client.update", clientId, calls.deactivate!],
      ["workflow.update", workflowId, calls.workflowPatch!],
      ["workflow.rekey", workflowId, calls.rekey!],
      ["client.regenerate_secret", clientId, calls.regenerate!],
      ["client.update", clientId, calls.patch!],
      ["workflow.create", workflowId, calls.workflowCreate!],
      ["client.create", clientId, calls.create!],
    ];
    expect(mine.map((e) => `${e.action} ${e.target_id}`)).toEqual(
      expected.map(([action, target]) => `${action} ${target}`),
    );
    mine.forEach((entry, i) => {
      const [, , made] = expected[i]!;
      expect(Object.keys(entry).sort()).toEqual(ENTRY_FIELDS);
      expect(entry.id).toMatch(/^aud_[A-Za-z0-9]+$/);
      expect(entry.actor).toBe("bootstrap");
      expect(entry.ip).toBe(IP);
      expect(made.requestId).toBeTruthy();
      expect(entry.request_id).toBe(made.requestId);
      expect(entry.at).toMatch(ISO_UTC);
      expect(Date.parse(entry.at)).toBeGreaterThanOrEqual(made.before - 5);
      expect(Date.parse(entry.at)).toBeLessThanOrEqual(made.after + 5);
    });
    const byAction = (action: string) => mine.filter((e) => e.action === action);
    expect(byAction("client.create")[0].details).toMatchObject({
      name: "Audited",
      environment: "production",
      rate_limit: 50,
      retention_days: 30,
    });
    // Only the fields that changed (retention_days was sent unchanged).
    expect(byAction("client.update")[1].details.changes).toEqual({
      name: { from: "Audited", to: "Audited v2" },
      rate_limit: { from: 50, to: 60 },
    });
    expect(byAction("client.update")[0].details.changes).toEqual({ status: { from: "active", to: "inactive" } });
    const regenerate = byAction("client.regenerate_secret")[0].details;
    expect(regenerate.grace_period_seconds).toBe(60);
    expect(regenerate.previous_secret_expires_at).toBe(calls.regenerate!.body.previous_secret_expires_at);
    expect(byAction("workflow.create")[0].details).toMatchObject({
      name: "Checkout",
      allowed_origins: ["https://shop.example"],
    });
    expect(byAction("workflow.update")[0].details.changes).toEqual({
      name: { from: "Checkout", to: "Checkout v2" },
      allowed_origins: { from: ["https://shop.example"], to: ["https://shop.example", "https://m.shop.example"] },
    });
    expect(byAction("workflow.rekey")).toHaveLength(1);
    expect(byAction("client.revoke")).toHaveLength(1); // the second revoke changed nothing
  });

  it("filters by target_id and pages with a cursor", async () => {
    expect((await page(`target_id=${clientId}`)).entries.map((e: any) => e.action)).toEqual([
      "client.revoke",
      "client.update",
      "client.regenerate_secret",
      "client.update",
      "client.create",
    ]);
    expect((await page(`target_id=${workflowId}`)).entries.map((e: any) => e.action)).toEqual([
      "workflow.update",
      "workflow.rekey",
      "workflow.create",
    ]);
    expect((await page("target_id=nafsi_live_nobody")).entries).toEqual([]);

    const everything = await allEntries();
    for (const limit of [1, 2, 3])
      expect(
        (await allEntries("", limit)).map((e) => e.id),
        `limit ${limit}`,
      ).toEqual(everything.map((e) => e.id));
    const first = await page(`target_id=${clientId}&limit=2`);
    expect(first.entries).toHaveLength(2);
    expect(first.next_cursor).toEqual(expect.any(String));
    const second = await page(`target_id=${clientId}&limit=2&cursor=${first.next_cursor}`);
    const third = await page(`target_id=${clientId}&limit=2&cursor=${second.next_cursor}`);
    expect(third.next_cursor).toBeNull();
    expect([...first.entries, ...second.entries, ...third.entries].map((e) => e.action)).toEqual([
      "client.revoke",
      "client.update",
      "client.regenerate_secret",
      "client.update",
      "client.create",
    ]);
    for (let i = 1; i < everything.length; i++) expect(everything[i - 1].at >= everything[i].at).toBe(true);
  });

  it("filters by actor, action and a time range inside the query: full pages, and cursors that page through the filtered list", async () => {
    const other = await mintToken(["clients:write", "clients:read"], { name: "filter actor" });
    const byToken = await as(other.secret, "POST", "/admin/clients", {
      name: "By token",
      environment: "sandbox",
    });
    expect(byToken.status).toBe(201);
    const everything = await allEntries();
    const kinds = new Set(everything.map((e) => e.actor));
    expect(kinds.size).toBeGreaterThan(1);

    const byActor = await allEntries(`actor=${other.id}`);
    expect(byActor.map((e) => e.action)).toEqual(["client.create"]);
    expect(byActor[0].target_id).toBe((await byToken.json<any>()).client.id);
    expect((await allEntries("actor=bootstrap")).map((e) => e.id)).toEqual(
      everything.filter((e) => e.actor === "bootstrap").map((e) => e.id),
    );

    const updates = everything.filter((e) => e.action === "client.update").map((e) => e.id);
    expect(updates.length).toBeGreaterThan(1);
    // A page of one at a time: each page holds a matching entry, and the cursor reaches every one.
    expect((await allEntries("action=client.update", 1)).map((e) => e.id)).toEqual(updates);
    expect((await page("action=client.update&limit=1")).entries).toHaveLength(1);
    expect(await allEntries(`action=client.update&target_id=${workflowId}`)).toEqual([]);

    // from is inclusive, to exclusive; a date alone is that day's UTC midnight.
    const times = everything.map((e) => e.at).sort();
    const middle = times[Math.floor(times.length / 2)]!;
    const since = await allEntries(`from=${encodeURIComponent(middle)}`, 2);
    const before = await allEntries(`to=${encodeURIComponent(middle)}`, 2);
    expect(since.length + before.length).toBe(everything.length);
    expect(since.every((e) => e.at >= middle)).toBe(true);
    expect(before.every((e) => e.at < middle)).toBe(true);
    expect(since.some((e) => e.at === middle)).toBe(true);
    const withOffset = new Date(Date.parse(middle) + 2 * 3600_000).toISOString().replace("Z", "+02:00");
    expect((await allEntries(`from=${encodeURIComponent(withOffset)}`)).map((e) => e.id)).toEqual(
      since.map((e) => e.id),
    );
    expect(await allEntries("to=2000-01-01")).toEqual([]);
    expect((await allEntries("from=2000-01-01")).length).toBe(everything.length);
    expect(
      (await allEntries(`actor=bootstrap&action=client.revoke&from=2000-01-01&to=2999-01-01`)).map((e) => e.target_id),
    ).toEqual([clientId]);
  });

  it("a client-scoped token's filters stay within its scope", async () => {
    const scoped = await mintToken(["audit:read"], { client_ids: [clientId], name: "scoped audit" });
    const res = await as(scoped.secret, "GET", "/admin/audit-log?actor=bootstrap&limit=100");
    expect(res.status).toBe(200);
    const body = await res.json<any>();
    expect(body.entries.length).toBeGreaterThan(0);
    expect(body.entries.every((e: any) => e.target_id === clientId || e.target_id === workflowId)).toBe(true);
  });

  it("refuses bad queries (400) and calls without the admin token (401)", async () => {
    for (const q of [
      "limit=0",
      "limit=101",
      "cursor=zzz",
      "colour=red",
      `target_id=${"a".repeat(201)}`,
      "from=yesterday",
      "from=2026-13-01T00:00:00Z",
      "to=2026-04-26T10:00:00", // no time zone: which one?
      "to=1714125600",
      "from=2026-04-27T00:00:00Z&to=2026-04-26T00:00:00Z",
      `actor=${"a".repeat(201)}`,
      "action=client.update%0Aforged",
    ]) {
      const res = await adminJson("GET", `/admin/audit-log?${q}`);
      expect(res.status, q).toBe(400);
      expect(res.body.error.code, q).toBe("invalid_request");
    }
    await expectError(await call("/admin/audit-log"), 401, "unauthorized");
  });

  it("an entry records no IP when the call came without one", async () => {
    const res = await adminJson("POST", "/admin/clients", { name: "No IP", environment: "sandbox" });
    const [entry] = (await page(`target_id=${res.body.client.id}`)).entries;
    expect(entry).toMatchObject({ action: "client.create", ip: null, actor: "bootstrap" });
  });

  it("holds no secret, no secret hash and no token: not in the API's answers, not in D1", async () => {
    const hashes = await Promise.all(secrets.map(sha256HexOf));
    const tokens = (
      await env.DB.prepare("SELECT refresh_token FROM workflows").all<{ refresh_token: string }>()
    ).results.map((r) => r.refresh_token);
    expect(tokens.length).toBeGreaterThan(0);
    const viaApi = JSON.stringify(await allEntries());
    const raw = JSON.stringify((await env.DB.prepare("SELECT * FROM audit_log").all()).results);
    for (const text of [viaApi, raw]) {
      for (const needle of [...secrets, ...hashes, ...hashes.map((h) => h.toUpperCase()), ...tokens])
        expect(text.includes(needle)).toBe(false);
      expect(text).not.toMatch(JWT);
      // Nor a recognisable part of one (the random body of a secret).
      for (const s of secrets) expect(text.includes(s.slice(8, 30))).toBe(false);
    }
  });
});
