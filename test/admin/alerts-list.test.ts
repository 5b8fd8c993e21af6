/** GET /admin/alerts: filters by client and type, newest first, stable cursor pagination. */
import { beforeAll, describe, expect, it } from "vitest";
import {
  adminJson,
  call,
  createClient,
  expectError,
  flushUsage,
  sleep,
  statusOf,
  unrelatedSecret,
  withSecret,
} from "../support/helpers";
import { newClientId } from "../support/credentials";

const ALERT_FIELDS = ["client_id", "details", "id", "message", "triggered_at", "type"];
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

async function rateAlert(c: { id: string; secret: string }): Promise<void> {
  expect(await statusOf(withSecret(c.id, c.secret))).toBe(200); // 1 of a limit of 1: 100 %
}

async function authAlert(c: { id: string }): Promise<void> {
  for (let i = 0; i < 5; i++) expect(await statusOf(withSecret(c.id, await unrelatedSecret()))).toBe(401);
}

async function flush(...ids: string[]): Promise<void> {
  await sleep(50);
  for (const id of ids) expect(await flushUsage(id)).toBe(true);
}

async function list(query: string): Promise<{ alerts: any[]; next_cursor: string | null }> {
  const { status, body } = await adminJson("GET", `/admin/alerts${query ? `?${query}` : ""}`);
  expect(status, JSON.stringify(body)).toBe(200);
  return body;
}

async function allPages(query: string, limit: number): Promise<{ alerts: any[]; pages: number }> {
  const alerts: any[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const body = await list(`${query}&limit=${limit}${cursor ? `&cursor=${cursor}` : ""}`);
    expect(body.alerts.length).toBeLessThanOrEqual(limit);
    alerts.push(...body.alerts);
    cursor = body.next_cursor;
    pages++;
  } while (cursor);
  return { alerts, pages };
}

function expectNewestFirst(alerts: any[]): void {
  for (let i = 1; i < alerts.length; i++) {
    const [a, b] = [alerts[i - 1], alerts[i]];
    expect(
      Date.parse(a.triggered_at) > Date.parse(b.triggered_at) || (a.triggered_at === b.triggered_at && a.id > b.id),
      `${a.id} before ${b.id}`,
    ).toBe(true);
  }
}

describe("GET /admin/alerts", () => {
  let x: Awaited<ReturnType<typeof createClient>>;
  let y: Awaited<ReturnType<typeof createClient>>;
  let z: Awaited<ReturnType<typeof createClient>>;

  beforeAll(async () => {
    x = await createClient({ rate_limit: 1 });
    y = await createClient({ rate_limit: 1 });
    z = await createClient({ rate_limit: 1 });
    await rateAlert(x);
    await sleep(5);
    await rateAlert(y);
    await sleep(5);
    await authAlert(x);
    await sleep(5);
    await authAlert(z);
    await flush(x.id, y.id, z.id);
  });

  it("lists every alert, newest first, with the contract's fields", async () => {
    const { alerts, next_cursor } = await list("");
    expect(next_cursor).toBeNull();
    expect(alerts.map((a) => `${a.client_id === x.id ? "x" : a.client_id === y.id ? "y" : "z"}:${a.type}`)).toEqual([
      "z:failed_authentication",
      "x:failed_authentication",
      "y:rate_limit_approaching",
      "x:rate_limit_approaching",
    ]);
    expectNewestFirst(alerts);
    for (const a of alerts) {
      expect(Object.keys(a).sort()).toEqual(ALERT_FIELDS);
      expect(a.id).toMatch(/^alr_[A-Za-z0-9]+$/);
      expect(a.triggered_at).toMatch(ISO_UTC);
      expect(typeof a.message).toBe("string");
      expect(typeof a.details).toBe("object");
    }
    expect(new Set(alerts.map((a) => a.id)).size).toBe(4);
  });

  it("filters by client_id, by type, and by both", async () => {
    expect((await list(`client_id=${x.id}`)).alerts.map((a) => a.type)).toEqual([
      "failed_authentication",
      "rate_limit_approaching",
    ]);
    expect((await list(`client_id=${y.id}`)).alerts.map((a) => a.type)).toEqual(["rate_limit_approaching"]);
    expect((await list("type=rate_limit_approaching")).alerts.map((a) => a.client_id)).toEqual([y.id, x.id]);
    expect((await list("type=failed_authentication")).alerts.map((a) => a.client_id)).toEqual([z.id, x.id]);
    expect((await list(`client_id=${x.id}&type=failed_authentication`)).alerts).toHaveLength(1);
    expect((await list(`client_id=${y.id}&type=failed_authentication`)).alerts).toEqual([]);
    expect((await list("type=unusual_usage")).alerts).toEqual([]);
    expect((await list(`client_id=${await newClientId("production")}`)).alerts).toEqual([]);
  });

  it("pages with limit and cursor: every alert once, in order; next_cursor null on the last page", async () => {
    const all = (await list("")).alerts;
    for (const limit of [1, 2, 3, 4, 100]) {
      const { alerts, pages } = await allPages("", limit);
      expect(
        alerts.map((a) => a.id),
        `limit ${limit}`,
      ).toEqual(all.map((a) => a.id));
      expect(pages).toBe(Math.max(1, Math.ceil(all.length / limit)));
    }
    const filtered = await allPages(`type=failed_authentication`, 1);
    expect(filtered.alerts.map((a) => a.client_id)).toEqual([z.id, x.id]);
    expect(filtered.pages).toBe(2);
  });

  it("a cursor stays valid while new alerts arrive: no duplicates, nothing skipped", async () => {
    const first = await list("limit=2");
    const w = await createClient({ rate_limit: 1 });
    await sleep(5);
    await rateAlert(w);
    await flush(w.id);
    const rest = await list(`limit=100&cursor=${first.next_cursor}`);
    const ids = [...first.alerts, ...rest.alerts].map((a) => a.id);
    expect(new Set(ids).size).toBe(4);
    expect(rest.alerts.some((a) => a.client_id === w.id)).toBe(false);
    expect((await list("limit=1")).alerts[0].client_id).toBe(w.id);
  });

  it("refuses bad queries (400 invalid_request) and calls without the admin token (401)", async () => {
    for (const q of [
      "type=bogus",
      "limit=0",
      "limit=101",
      "limit=abc",
      "cursor=not-a-cursor",
      "client=x",
      `client_id=${"a".repeat(201)}`,
    ]) {
      const res = await adminJson("GET", `/admin/alerts?${q}`);
      expect(res.status, q).toBe(400);
      expect(res.body.error.code, q).toBe("invalid_request");
    }
    await expectError(await call("/admin/alerts"), 401, "unauthorized");
  });
});
