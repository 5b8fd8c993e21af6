/**
 * GET /admin/usage: the overview's sums are the per-client usage reports' for the same days, over
 * exactly the clients the token sees; the CSV export, parsed back with a real CSV parser, says the
 * same as the JSON, neutralises formula cells, and pages through more clients than one D1 page.
 */
import { parse } from "csv-parse/sync";
import { beforeAll, describe, expect, it } from "vitest";
import { PAGE_CLIENTS } from "../../src/storage/usage-pages";
import {
  admin,
  adminJson,
  createClient,
  env,
  expectError,
  settleAndFlush,
  usageOf,
  withSecret,
} from "../support/helpers";
import { as, asJson, mintToken } from "../support/tokens";

const HEADER =
  "date,organization_id,client_id,client_name,environment,requests,successful_requests,units_consumed,rate_limited_requests,failed_authentications";

/** Stored usage, as the clients' objects flush it: one row per client, hour and workflow. */
async function storeUsage(
  clientId: string,
  hour: number,
  figures: { requests: number; ok: number; units: number; limited?: number; failed?: number },
  workflowId = "",
) {
  await env.DB.prepare(
    `INSERT INTO usage_hourly (client_id, hour, workflow_id, requests, successful_requests, rate_limited_requests,
       failed_authentications, units_consumed, response_ms_total, responses, errors)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 0, 0, '{}')`,
  )
    .bind(
      clientId,
      hour,
      workflowId,
      figures.requests,
      figures.ok,
      figures.limited ?? 0,
      figures.failed ?? 0,
      figures.units,
    )
    .run();
}

const hoursAgo = (n: number) => Math.floor((Date.now() - n * 3_600_000) / 3_600_000) * 3_600_000;

let teamA: string;
let teamB: string;
const a: { id: string; secret: string }[] = [];
const b: { id: string; secret: string }[] = [];

beforeAll(async () => {
  teamA = (await adminJson("POST", "/admin/organizations", { name: "Usage A", max_rate_limit: 500 })).body.organization
    .id;
  teamB = (await adminJson("POST", "/admin/organizations", { name: "Usage B" })).body.organization.id;
  a.push(await createClient({ name: "=1+1", organization_id: teamA }));
  a.push(await createClient({ name: 'Quotes "and", commas', organization_id: teamA, environment: "sandbox" }));
  a.push(await createClient({ name: "Quiet", organization_id: teamA }));
  b.push(await createClient({ name: "Other team", organization_id: teamB }));
  // Days back, several hours and workflows a day, and one row older than 3 days.
  await storeUsage(a[0]!.id, hoursAgo(1), { requests: 40, ok: 38, units: 38, limited: 2 });
  await storeUsage(a[0]!.id, hoursAgo(1), { requests: 5, ok: 5, units: 5 }, "wf_x");
  await storeUsage(a[0]!.id, hoursAgo(30), { requests: 7, ok: 6, units: 6, failed: 1 });
  await storeUsage(a[0]!.id, hoursAgo(24 * 5), { requests: 1000, ok: 1000, units: 1000 });
  await storeUsage(a[1]!.id, hoursAgo(50), { requests: 9, ok: 9, units: 0 });
  await storeUsage(b[0]!.id, hoursAgo(2), { requests: 300, ok: 300, units: 300 });
  // And real traffic, through the gateway and its usage flush.
  for (let i = 0; i < 3; i++) expect((await withSecret(a[0]!.id, a[0]!.secret)).status).toBe(200);
  await settleAndFlush(a[0]!.id);
});

describe("GET /admin/usage (JSON)", () => {
  it("sums equal each client's own usage report for the same days, busiest first; daily sums add up", async () => {
    for (const days of [1, 3, 30]) {
      const { status, body } = await adminJson("GET", `/admin/usage?days=${days}&organization_id=${teamA}`);
      expect(status).toBe(200);
      expect(Date.parse(body.as_of)).toBeLessThanOrEqual(Date.parse(body.to));
      const reports = await Promise.all(a.map((c) => usageOf(c.id, days)));
      const withTraffic = reports.filter((r) => r.total_requests > 0);
      expect(body.clients.map((c: any) => c.client_id)).toEqual(
        [...withTraffic].sort((x, y) => y.total_requests - x.total_requests).map((r) => r.client_id),
      );
      for (const report of withTraffic) {
        const mine = body.clients.find((c: any) => c.client_id === report.client_id);
        expect(mine, `${days} days`).toMatchObject({
          organization_id: teamA,
          total_requests: report.total_requests,
          successful_requests: report.successful_requests,
          units_consumed: report.units_consumed,
          rate_limited_requests: report.rate_limited_requests,
          failed_authentications: report.failed_authentications,
        });
      }
      const sum = (key: string) => reports.reduce((n, r) => n + r[key], 0);
      expect(body.total_requests).toBe(sum("total_requests"));
      expect(body.units_consumed).toBe(sum("units_consumed"));
      expect(body.failed_authentications).toBe(sum("failed_authentications"));
      expect(body.daily.map((d: any) => d.date)).toEqual(reports[0].daily.map((d: any) => d.date));
      body.daily.forEach((d: any, i: number) => {
        expect(d.requests).toBe(reports.reduce((n, r) => n + r.daily[i].requests, 0));
        expect(d.units_consumed).toBe(reports.reduce((n, r) => n + r.daily[i].units_consumed, 0));
      });
    }
  });

  it("covers every client the token sees: an unbound token both teams, a bound one its own only", async () => {
    const all = await adminJson("GET", "/admin/usage?days=7");
    const ids = all.body.clients.map((c: any) => c.client_id);
    expect(ids).toEqual(expect.arrayContaining([a[0]!.id, a[1]!.id, b[0]!.id]));

    const bound = await mintToken(["usage:read"], { organization_id: teamB });
    const theirs = await asJson(bound.secret, "GET", "/admin/usage?days=7");
    expect(theirs.status).toBe(200);
    expect(theirs.body.clients.map((c: any) => c.client_id)).toEqual([b[0]!.id]);
    expect(theirs.body.total_requests).toBe(300);
    await expectError(await as(bound.secret, "GET", `/admin/usage?organization_id=${teamA}`), 404, "not_found");
    await expectError(await admin("GET", "/admin/usage?organization_id=org_nope"), 404, "not_found");
  });
});

describe("GET /admin/usage (CSV export)", () => {
  const csvOf = async (path: string, headers: Record<string, string> = {}) => {
    const res = await admin("GET", path, undefined, headers);
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toMatch(/^text\/csv/);
    expect(res.headers.get("Content-Disposition")).toMatch(/^attachment; filename="[^"]+\.csv"$/);
    const text = await res.text();
    return { text, rows: parse(text, { columns: true }) as Record<string, string>[] };
  };

  it("has the contract's header row, and parsed back it equals the JSON, client by client and day by day", async () => {
    const { text, rows } = await csvOf(`/admin/usage?days=30&organization_id=${teamA}&format=csv`);
    expect(text.split("\r\n")[0]).toBe(HEADER);
    const json = (await adminJson("GET", `/admin/usage?days=30&organization_id=${teamA}`)).body;
    for (const client of json.clients) {
      const mine = rows.filter((r) => r.client_id === client.client_id);
      expect(mine.every((r) => r.organization_id === teamA && r.environment === client.environment)).toBe(true);
      const total = (key: string) => mine.reduce((n, r) => n + Number(r[key]), 0);
      expect(total("requests")).toBe(client.total_requests);
      expect(total("successful_requests")).toBe(client.successful_requests);
      expect(total("units_consumed")).toBe(client.units_consumed);
      expect(total("rate_limited_requests")).toBe(client.rate_limited_requests);
      expect(total("failed_authentications")).toBe(client.failed_authentications);
      // Day by day, as the client's own report has them (days with traffic only).
      const report = await usageOf(client.client_id, 30);
      expect(mine.map((r) => [r.date, Number(r.requests)])).toEqual(
        report.daily.filter((d: any) => d.requests > 0).map((d: any) => [d.date, d.requests]),
      );
    }
    expect(new Set(rows.map((r) => r.client_id))).toEqual(new Set(json.clients.map((c: any) => c.client_id)));
  });

  it("neutralises formula cells and quotes as RFC 4180 says; Accept: text/csv asks for it too", async () => {
    const { text, rows } = await csvOf(`/admin/usage?days=30&organization_id=${teamA}`, { Accept: "text/csv" });
    expect(rows.filter((r) => r.client_id === a[0]!.id).map((r) => r.client_name)).toContain("'=1+1");
    expect(rows.some((r) => r.client_name === "=1+1")).toBe(false);
    expect(rows.find((r) => r.client_id === a[1]!.id)?.client_name).toBe('Quotes "and", commas');
    expect(text).toContain('"Quotes ""and"", commas"');
  });

  it("an organization without traffic exports the header row only", async () => {
    const quiet = (await adminJson("POST", "/admin/organizations", { name: "Quiet" })).body.organization.id;
    await createClient({ organization_id: quiet });
    const { text, rows } = await csvOf(`/admin/usage?organization_id=${quiet}&format=csv`);
    expect(text).toBe(`${HEADER}\r\n`);
    expect(rows).toEqual([]);
  });

  it("pages through more clients than one D1 page holds, every row once", async () => {
    const team = (await adminJson("POST", "/admin/organizations", { name: "Many", max_clients: 10000 })).body
      .organization.id;
    const n = PAGE_CLIENTS * 2 + 17;
    const statements: D1PreparedStatement[] = [];
    const now = Date.now();
    for (let i = 0; i < n; i++) {
      const id = `nafsi_live_many${String(i).padStart(6, "0")}`;
      statements.push(
        env.DB.prepare(
          `INSERT INTO clients (id, name, environment, rate_limit, retention_days, status, secret_hash, secret_last_four,
             secret_version, created_at, updated_at, organization_id)
           VALUES (?1, ?2, 'production', 100, 90, 'active', ?3, '0000', 1, ?4, ?4, ?5)`,
        ).bind(id, `Many ${i}`, "0".repeat(64), now, team),
      );
      // Every other client has traffic, on two days.
      if (i % 2 === 0) {
        for (const h of [hoursAgo(3), hoursAgo(30)]) {
          statements.push(
            env.DB.prepare(
              `INSERT INTO usage_hourly (client_id, hour, workflow_id, requests, successful_requests, rate_limited_requests,
                 failed_authentications, units_consumed, response_ms_total, responses, errors)
               VALUES (?1, ?2, '', ?3, ?3, 0, 0, ?3, 0, 0, '{}')`,
            ).bind(id, h, i + 1),
          );
        }
      }
    }
    for (let i = 0; i < statements.length; i += 200) await env.DB.batch(statements.slice(i, i + 200));
    const { rows } = await csvOf(`/admin/usage?days=3&organization_id=${team}&format=csv`);
    const busy = Math.ceil(n / 2);
    expect(new Set(rows.map((r) => r.client_id)).size).toBe(busy);
    expect(new Set(rows.map((r) => `${r.client_id} ${r.date}`)).size).toBe(rows.length);
    const expected = Array.from({ length: n }, (_, i) => (i % 2 === 0 ? 2 * (i + 1) : 0)).reduce((x, y) => x + y, 0);
    expect(rows.reduce((s, r) => s + Number(r.requests), 0)).toBe(expected);
    const json = (await adminJson("GET", `/admin/usage?days=3&organization_id=${team}`)).body;
    expect(json.clients).toHaveLength(busy);
    expect(json.total_requests).toBe(expected);
    expect(json.daily.reduce((s: number, d: any) => s + d.requests, 0)).toBe(expected);
  });
});

it("needs usage:read", async () => {
  const token = await mintToken(["clients:read"]);
  const err = await expectError(await as(token.secret, "GET", "/admin/usage"), 403, "forbidden");
  expect(err.missing_permission).toBe("usage:read");
});
