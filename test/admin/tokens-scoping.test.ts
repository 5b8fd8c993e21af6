/**
 * A token with client_ids sees and changes only those clients and their workflows, usage, alerts
 * and audit entries. Anything else answers exactly as a client or workflow that does not exist
 * (404), and lists are filtered in the query: pages stay full and cursors correct.
 */
import { beforeAll, describe, expect, it } from "vitest";
import {
  type CreatedClient,
  adminJson,
  createClient,
  createWorkflow,
  env,
  expectError,
  sleep,
} from "../support/helpers";
import { newClientId } from "../support/credentials";
import { PERMISSIONS, allPages, as, asJson, mintToken } from "../support/tokens";

const READ_AND_WRITE = PERMISSIONS.filter((p) => p !== "tokens:manage");

let inside: CreatedClient[];
let outside: CreatedClient[];
let insideWorkflows: any[];
let outsideWorkflows: any[];
let scoped: { id: string; secret: string };

beforeAll(async () => {
  inside = [];
  outside = [];
  insideWorkflows = [];
  outsideWorkflows = [];
  // Interleaved, so that a page filtered after the fetch would come back short.
  for (let i = 0; i < 7; i++) {
    inside.push(await createClient({ name: `inside ${i}` }));
    await sleep(2);
    outside.push(await createClient({ name: `outside ${i}` }));
    await sleep(2);
  }
  for (let i = 0; i < 7; i++) {
    insideWorkflows.push(await createWorkflow(inside[i]!, { name: `inside wf ${i}` }));
    await sleep(2);
    outsideWorkflows.push(await createWorkflow(outside[i]!, { name: `outside wf ${i}` }));
    await sleep(2);
  }
  // Alerts, interleaved in time: 7 inside, 7 outside.
  const now = Date.now();
  const statements = [];
  for (let i = 0; i < 14; i++) {
    const client = (i % 2 === 0 ? inside : outside)[Math.floor(i / 2)]!;
    statements.push(
      env.DB.prepare(
        "INSERT INTO alerts (id, client_id, type, message, triggered_at, details) VALUES (?, ?, 'failed_authentication', 'seeded', ?, '{}')",
      ).bind(`alr_scope_${i}`, client.id, now - i * 1000),
    );
  }
  await env.DB.batch(statements);
  scoped = await mintToken([...READ_AND_WRITE, "tokens:manage"], { client_ids: inside.map((c) => c.id) });
});

const ids = (items: any[]) => items.map((i) => i.id);

describe("lists are filtered in the query: full pages, correct cursors", () => {
  it("clients: 7 of 14, in 3 pages of 3, 3 and 1, newest first", async () => {
    const { items, pages } = await allPages(scoped.secret, "/admin/clients", "clients", 3);
    expect(pages).toEqual([3, 3, 1]);
    expect(ids(items)).toEqual(ids(inside).reverse());
    // The same pages with a status filter on top.
    const active = await allPages(scoped.secret, "/admin/clients?status=active&environment=production", "clients", 3);
    expect(ids(active.items)).toEqual(ids(inside).reverse());
  });

  it("workflows: 7 of 14, in 3 full pages; a foreign client_id filter is empty", async () => {
    const { items, pages } = await allPages(scoped.secret, "/admin/workflows", "workflows", 3);
    expect(pages).toEqual([3, 3, 1]);
    expect(ids(items)).toEqual(ids(insideWorkflows).reverse());
    const mine = await allPages(scoped.secret, `/admin/workflows?client_id=${inside[2]!.id}`, "workflows", 3);
    expect(ids(mine.items)).toEqual([insideWorkflows[2].id]);
    const foreign = await asJson(scoped.secret, "GET", `/admin/workflows?client_id=${outside[2]!.id}`);
    expect(foreign.body).toEqual({ workflows: [], next_cursor: null });
  });

  it("alerts: 7 of 14, in 3 full pages; a foreign client_id filter is empty", async () => {
    const { items, pages } = await allPages(scoped.secret, "/admin/alerts", "alerts", 3);
    expect(pages).toEqual([3, 3, 1]);
    expect(ids(items)).toEqual([0, 2, 4, 6, 8, 10, 12].map((i) => `alr_scope_${i}`));
    const foreign = await asJson(scoped.secret, "GET", `/admin/alerts?client_id=${outside[0]!.id}`);
    expect(foreign.body).toEqual({ alerts: [], next_cursor: null });
  });

  it("audit log: exactly the entries of its clients and their workflows, in full pages", async () => {
    const targets = new Set([...ids(inside), ...ids(insideWorkflows)]);
    const owner: any[] = [];
    let cursor: string | null = null;
    do {
      const { body }: any = await adminJson("GET", `/admin/audit-log?limit=100${cursor ? `&cursor=${cursor}` : ""}`);
      owner.push(...body.entries);
      cursor = body.next_cursor;
    } while (cursor);
    const expected = owner.filter((e) => targets.has(e.target_id));
    expect(expected.length).toBe(14);
    expect(owner.length).toBeGreaterThan(expected.length);
    const { items, pages } = await allPages(scoped.secret, "/admin/audit-log", "entries", 5);
    expect(pages).toEqual([5, 5, 4]);
    expect(ids(items)).toEqual(ids(expected));
    const foreign = await asJson(scoped.secret, "GET", `/admin/audit-log?target_id=${outside[0]!.id}`);
    expect(foreign.body).toEqual({ entries: [], next_cursor: null });
  });

  it("tokens: only scoped tokens within its own clients", async () => {
    const within = await mintToken(["clients:read"], { client_ids: [inside[0]!.id] });
    const overlapping = await mintToken(["clients:read"], { client_ids: [inside[0]!.id, outside[0]!.id] });
    const unscoped = await mintToken(["clients:read"]);
    const { items } = await allPages(scoped.secret, "/admin/tokens", "tokens", 2);
    const seen = ids(items);
    expect(seen).toContain(within.id);
    expect(seen).toContain(scoped.id);
    expect(seen).not.toContain(overlapping.id);
    expect(seen).not.toContain(unscoped.id);
    for (const token of items) expect(token.client_ids.every((id: string) => ids(inside).includes(id))).toBe(true);

    expect((await as(scoped.secret, "GET", `/admin/tokens/${within.id}`)).status).toBe(200);
    for (const other of [overlapping, unscoped]) {
      await expectError(await as(scoped.secret, "GET", `/admin/tokens/${other.id}`), 404, "not_found");
      await expectError(await as(scoped.secret, "POST", `/admin/tokens/${other.id}/revoke`), 404, "not_found");
      expect((await as(other.secret, "GET", "/admin/me")).status).toBe(200); // still valid
    }
    expect((await as(scoped.secret, "POST", `/admin/tokens/${within.id}/revoke`)).status).toBe(200);
    expect((await as(within.secret, "GET", "/admin/me")).status).toBe(401);
  });
});

describe("outside its clients, everything is 404 as if absent, and nothing changes", () => {
  it("client routes", async () => {
    const target = outside[3]!;
    const before = (await adminJson("GET", `/admin/clients/${target.id}`)).body.client;
    const unknown = await newClientId("production");
    const calls: [string, string, unknown?][] = [
      ["GET", "/admin/clients/{id}"],
      ["PATCH", "/admin/clients/{id}", { name: "Taken over", status: "inactive" }],
      ["POST", "/admin/clients/{id}/regenerate-secret", { grace_period_seconds: 0 }],
      ["POST", "/admin/clients/{id}/revoke"],
      ["GET", "/admin/clients/{id}/usage?days=7"],
    ];
    for (const [method, path, body] of calls) {
      const foreign = await as(scoped.secret, method, path.replace("{id}", target.id), body);
      const absent = await as(scoped.secret, method, path.replace("{id}", unknown), body);
      const foreignError = await expectError(foreign, 404, "not_found");
      // Indistinguishable from a client that does not exist.
      expect(foreignError, `${method} ${path}`).toEqual(await expectError(absent, 404, "not_found"));
    }
    expect((await adminJson("GET", `/admin/clients/${target.id}`)).body.client).toEqual(before);
  });

  it("client routes inside its scope work", async () => {
    const target = inside[3]!;
    expect((await as(scoped.secret, "GET", `/admin/clients/${target.id}`)).status).toBe(200);
    expect((await as(scoped.secret, "PATCH", `/admin/clients/${target.id}`, { rate_limit: 42 })).status).toBe(200);
    expect((await as(scoped.secret, "GET", `/admin/clients/${target.id}/usage?days=7`)).status).toBe(200);
    expect((await as(scoped.secret, "POST", `/admin/clients/${inside[6]!.id}/regenerate-secret`, {})).status).toBe(200);
    expect((await as(scoped.secret, "POST", `/admin/clients/${inside[5]!.id}/revoke`)).status).toBe(200);
  });

  it("workflow routes", async () => {
    const target = outsideWorkflows[1];
    await expectError(
      await as(scoped.secret, "POST", "/admin/workflows", {
        client_id: outside[1]!.id,
        client_secret: outside[1]!.secret,
        name: "Sneaky",
      }),
      404,
      "not_found",
    );
    await expectError(await as(scoped.secret, "GET", `/admin/workflows/${target.id}`), 404, "not_found");
    await expectError(
      await as(scoped.secret, "PATCH", `/admin/workflows/${target.id}`, { name: "Taken over" }),
      404,
      "not_found",
    );
    expect((await adminJson("GET", `/admin/workflows/${target.id}`)).body.workflow.name).toBe(target.name);
    const all = await allPages(scoped.secret, `/admin/workflows?client_id=${outside[1]!.id}`, "workflows", 10);
    expect(all.items).toEqual([]);

    // Inside: the same calls work.
    const mine = insideWorkflows[1];
    expect((await as(scoped.secret, "GET", `/admin/workflows/${mine.id}`)).status).toBe(200);
    expect((await as(scoped.secret, "PATCH", `/admin/workflows/${mine.id}`, { name: "Renamed" })).status).toBe(200);
    const created = await as(scoped.secret, "POST", "/admin/workflows", {
      client_id: inside[1]!.id,
      client_secret: inside[1]!.secret,
      name: "Mine",
    });
    expect(created.status).toBe(201);
  });

  it("a scoped token cannot create clients (403), even with clients:write", async () => {
    const before = (await adminJson("GET", "/admin/clients?limit=100")).body.clients.length;
    const error = await expectError(
      await as(scoped.secret, "POST", "/admin/clients", { name: "New", environment: "sandbox" }),
      403,
      "forbidden",
    );
    expect(error.missing_permission).toBeUndefined();
    expect((await adminJson("GET", "/admin/clients?limit=100")).body.clients.length).toBe(before);
  });
});
