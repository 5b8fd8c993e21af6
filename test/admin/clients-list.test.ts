/**
 * GET /admin/clients: newest first, status/environment filters, limit (default 50, ≤ 100) and
 * cursor pagination. This file owns its storage, so it knows every client that exists.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { newClientId } from "../support/credentials";
import { newClientRow } from "../../src/domain/client-rules";
import { database } from "../../src/storage/database";
import { clients } from "../../src/storage/schema";
import { admin, adminJson, createClient, env, expectError, sleep } from "../support/helpers";
import { expectClientShape } from "../support/admin";

interface Made {
  id: string;
  environment: "production" | "sandbox";
  status: "active" | "inactive" | "revoked";
}

/** Every client of this file, oldest first. */
const made: Made[] = [];

const newestFirst = (filter: (m: Made) => boolean = () => true) =>
  made
    .filter(filter)
    .map((m) => m.id)
    .reverse();

async function listAll(query: string, limit: number): Promise<{ ids: string[]; pages: any[] }> {
  const pages: any[] = [];
  let cursor: string | null = null;
  do {
    const sep = query ? "&" : "";
    const url: string = `/admin/clients?${query}${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
    const { status, body } = await adminJson("GET", url);
    expect(status, url).toBe(200);
    pages.push(body);
    cursor = body.next_cursor;
    expect(pages.length).toBeLessThan(100);
  } while (cursor !== null);
  return { ids: pages.flatMap((p) => p.clients.map((c: any) => c.id)), pages };
}

beforeAll(async () => {
  // 60 clients: 40 production, 20 sandbox; every 5th inactive, every 7th revoked. Created one
  // after another, a few milliseconds apart, so that "newest first" has a single right answer.
  for (let i = 0; i < 60; i++) {
    const environment = i % 3 === 2 ? "sandbox" : "production";
    const { id } = await createClient({ name: `Client ${i}`, environment });
    let status: Made["status"] = "active";
    if (i % 7 === 3) {
      expect((await admin("POST", `/admin/clients/${id}/revoke`)).status).toBe(200);
      status = "revoked";
    } else if (i % 5 === 1) {
      expect((await admin("PATCH", `/admin/clients/${id}`, { status: "inactive" })).status).toBe(200);
      status = "inactive";
    }
    made.push({ id, environment, status });
    await sleep(2);
  }
}, 120_000);

describe("GET /admin/clients", () => {
  it("200 {clients, next_cursor}, each client in the contract's shape", async () => {
    const res = await admin("GET", "/admin/clients?limit=5");
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toMatch(/^application\/json/);
    const body = (await res.json()) as any;
    expect(Object.keys(body).sort()).toEqual(["clients", "next_cursor"]);
    expect(body.clients).toHaveLength(5);
    body.clients.forEach(expectClientShape);
    expect(typeof body.next_cursor).toBe("string");
  });

  it("newest first", async () => {
    const { body } = await adminJson("GET", "/admin/clients?limit=100");
    expect(body.clients.map((c: any) => c.id)).toEqual(newestFirst());
    const times = body.clients.map((c: any) => Date.parse(c.created_at));
    for (let i = 1; i < times.length; i++) expect(times[i]).toBeLessThanOrEqual(times[i - 1]);
    expect(body.next_cursor).toBeNull();
  });

  it("limit defaults to 50", async () => {
    const { body } = await adminJson("GET", "/admin/clients");
    expect(body.clients).toHaveLength(50);
    expect(body.clients.map((c: any) => c.id)).toEqual(newestFirst().slice(0, 50));
    expect(body.next_cursor).toEqual(expect.any(String));
  });

  it("limit may be anything in 1..100; 101 is 400 invalid_request", async () => {
    expect((await adminJson("GET", "/admin/clients?limit=1")).body.clients).toHaveLength(1);
    expect((await adminJson("GET", "/admin/clients?limit=100")).body.clients).toHaveLength(60);
    const err = await expectError(await admin("GET", "/admin/clients?limit=101"), 400, "invalid_request");
    expect(err.details.map((d: any) => d.field)).toContain("limit");
  });

  it("the statuses are what the setup made them", async () => {
    const { body } = await adminJson("GET", "/admin/clients?limit=100");
    const byId = new Map(made.map((m) => [m.id, m]));
    for (const c of body.clients) {
      expect(c.status).toBe(byId.get(c.id)!.status);
      expect(c.environment).toBe(byId.get(c.id)!.environment);
    }
  });

  it.each(["active", "inactive", "revoked"] as const)(
    "status=%s returns exactly those clients, newest first",
    async (status) => {
      const { body } = await adminJson("GET", `/admin/clients?status=${status}&limit=100`);
      expect(body.clients.map((c: any) => c.id)).toEqual(newestFirst((m) => m.status === status));
      expect(body.clients.length).toBeGreaterThan(0);
      for (const c of body.clients) expect(c.status).toBe(status);
    },
  );

  it.each(["production", "sandbox"] as const)(
    "environment=%s returns exactly those clients, newest first",
    async (environment) => {
      const { body } = await adminJson("GET", `/admin/clients?environment=${environment}&limit=100`);
      expect(body.clients.map((c: any) => c.id)).toEqual(newestFirst((m) => m.environment === environment));
      for (const c of body.clients) expect(c.environment).toBe(environment);
    },
  );

  it("status and environment combine", async () => {
    const { body } = await adminJson("GET", "/admin/clients?status=active&environment=sandbox&limit=100");
    expect(body.clients.map((c: any) => c.id)).toEqual(
      newestFirst((m) => m.status === "active" && m.environment === "sandbox"),
    );
  });

  it("a cursor walks every page once: no duplicates, nothing missing, next_cursor null on the last page", async () => {
    const { ids, pages } = await listAll("", 7);
    expect(pages).toHaveLength(Math.ceil(60 / 7));
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(newestFirst());
    for (const page of pages.slice(0, -1)) {
      expect(page.clients).toHaveLength(7);
      expect(page.next_cursor).toEqual(expect.any(String));
    }
    expect(pages.at(-1).next_cursor).toBeNull();
  });

  it("when the last page is exactly full, there is no empty page after it", async () => {
    const { ids, pages } = await listAll("", 20);
    expect(pages).toHaveLength(3);
    expect(pages.map((p) => p.clients.length)).toEqual([20, 20, 20]);
    expect(pages[2].next_cursor).toBeNull();
    expect(ids).toEqual(newestFirst());
  });

  it("pagination with filters walks exactly the filtered set", async () => {
    for (const [query, filter] of [
      ["status=active", (m: Made) => m.status === "active"],
      ["environment=sandbox", (m: Made) => m.environment === "sandbox"],
      [
        "status=inactive&environment=production",
        (m: Made) => m.status === "inactive" && m.environment === "production",
      ],
    ] as const) {
      const { ids } = await listAll(query, 3);
      expect(ids, query).toEqual(newestFirst(filter));
    }
  });

  it("clients created while paging neither repeat nor shift the later pages", async () => {
    const first = await adminJson("GET", "/admin/clients?limit=10");
    const expected = newestFirst();
    const late = await createClient({ name: "Late arrival" });
    made.push({ id: late.id, environment: "production", status: "active" });
    const second = await adminJson(
      "GET",
      `/admin/clients?limit=10&cursor=${encodeURIComponent(first.body.next_cursor)}`,
    );
    expect(second.body.clients.map((c: any) => c.id)).toEqual(expected.slice(10, 20));
  });

  it.each([
    ["garbage", "not-a-cursor!!"],
    ["short base64", "abc"],
    ["base64 of an object", btoa(JSON.stringify({ t: 1, id: "x" }))],
    ["base64 of a one-element array", btoa(JSON.stringify([1]))],
    ["base64 of non-JSON", btoa("hello world")],
    ["too long", "A".repeat(5000)],
  ])("a %s cursor is 400 invalid_request", async (_label, cursor) => {
    await expectError(
      await admin("GET", `/admin/clients?cursor=${encodeURIComponent(cursor)}`),
      400,
      "invalid_request",
    );
  });

  it("an unknown query parameter is 400 invalid_request, not ignored", async () => {
    const err = await expectError(await admin("GET", "/admin/clients?state=active"), 400, "invalid_request");
    expect(err.details.map((d: any) => d.field)).toContain("state");
  });
});

describe("clients created in the same millisecond", () => {
  it("equal created_at still paginates with no duplicates or gaps, in one consistent order", async () => {
    // Rows written straight to D1 so that many share one created_at (the API's own clock rarely
    // produces ties in a test); the listing reads D1, so this is exactly what it must cope with.
    const db = database(env.DB);
    const now = Date.now();
    const tied = [now, now, now, now, now, now, now, now, now, now, now - 1, now - 1, now - 1, now - 1, now - 1];
    for (const createdAt of tied) {
      const outcome = newClientRow(
        { id: await newClientId("sandbox"), name: "Tied", environment: "sandbox", organizationId: "org_default" },
        { hash: "0".repeat(64), lastFour: "0000" },
        createdAt,
      );
      if (!outcome.ok) throw new Error(outcome.message);
      await db.insert(clients).values(outcome.value);
    }
    const { body } = await adminJson("GET", "/admin/clients?environment=sandbox&limit=100");
    const whole: string[] = body.clients.map((c: any) => c.id);
    expect(whole.length).toBeGreaterThanOrEqual(tied.length + 20);
    const times: number[] = body.clients.map((c: any) => Date.parse(c.created_at));
    for (let i = 1; i < times.length; i++) expect(times[i]).toBeLessThanOrEqual(times[i - 1]!);
    for (const limit of [1, 2, 3, 4, 7]) {
      const { ids } = await listAll("environment=sandbox", limit);
      expect(ids, `limit ${limit}`).toEqual(whole);
    }
  });
});
