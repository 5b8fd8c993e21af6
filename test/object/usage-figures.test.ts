/**
 * Exact usage figures for known traffic mixes: every data-plane request that names a known client
 * ID is counted once for it, whatever its outcome (including failed authentications decided at the
 * edge, which arrive in ~1 s batches), and nothing else is.
 */
import { listDurableObjectIds } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import {
  adminJson,
  awayFromBoundary,
  breakChecksum,
  call,
  createClient,
  createWorkflow,
  env,
  expectError,
  patchClient,
  settleAndFlush,
  unrelatedSecret,
  usageOf,
  withSecret,
  withWorkflow,
} from "../support/helpers";
import { newClientId, newWorkflowId } from "../support/credentials";
import { shiftIsolateClock } from "../support/clock";
import { REMEMBER_MS } from "../../src/edge/refusal-memory";

const today = () => new Date().toISOString().slice(0, 10);
const DAY_MS = 86_400_000;

async function expectStatus(res: Promise<Response>, status: number, code?: string): Promise<void> {
  const r = await res;
  const text = await r.text();
  expect(r.status, text).toBe(status);
  if (code) expect(JSON.parse(text).error.code, text).toBe(code);
}

/** The daily series: consecutive ascending dates ending today, the figures all in today's row. */
function expectDaily(
  usage: any,
  todays: { requests: number; successful_requests: number; units_consumed: number },
): void {
  const dates = usage.daily.map((d: any) => d.date);
  expect(dates.at(-1)).toBe(today());
  expect(dates[0]).toBe(usage.from.slice(0, 10));
  for (let i = 1; i < dates.length; i++) expect(Date.parse(dates[i]) - Date.parse(dates[i - 1])).toBe(DAY_MS);
  expect(usage.daily.at(-1)).toEqual({ date: today(), ...todays });
  for (const d of usage.daily.slice(0, -1))
    expect(d).toEqual({ date: d.date, requests: 0, successful_requests: 0, units_consumed: 0 });
}

describe("usage figures for a known traffic mix", () => {
  it("a production client: admitted, rate-limited, denied and failed-auth requests, per workflow and per error code", async () => {
    await awayFromBoundary(DAY_MS, 15_000);
    const p = await createClient({ rate_limit: 8 });
    const w1 = await createWorkflow(p, { name: "plain" });
    const w2 = await createWorkflow(p, { name: "origin-bound", allowed_origins: ["https://app.example"] });
    const wrong = await unrelatedSecret("production");

    // 8 admitted (200): 5 by secret, 2 by W1, 1 by W2 from its allowed origin.
    for (let i = 0; i < 4; i++) await expectStatus(withSecret(p.id, p.secret), 200);
    for (let i = 0; i < 2; i++) await expectStatus(withWorkflow(p.id, w1.id), 200);
    await expectStatus(withWorkflow(p.id, w2.id, "/v1/verify", { headers: { Origin: "https://app.example" } }), 200);
    // Refused by the origin check (before the limiter): counted, not admitted, not a failed auth.
    await expectStatus(
      withWorkflow(p.id, w2.id, "/v1/verify", { headers: { Origin: "https://evil.example" } }),
      403,
      "origin_not_allowed",
    );
    await expectStatus(withSecret(p.id, p.secret, "/v1/other/path?x=1", { method: "POST", body: "{}" }), 200);
    // 3 rate-limited (the window holds 8 of 8).
    await expectStatus(withSecret(p.id, p.secret), 429, "rate_limit_exceeded");
    await expectStatus(withSecret(p.id, p.secret), 429, "rate_limit_exceeded");
    await expectStatus(withWorkflow(p.id, w1.id), 429, "rate_limit_exceeded");
    // 7 failed authentications of several kinds.
    await expectStatus(withSecret(p.id, wrong), 401, "invalid_credentials"); // decided by the object
    await expectStatus(withSecret(p.id, wrong), 401, "invalid_credentials"); // now known wrong at the edge
    await expectStatus(withSecret(p.id, breakChecksum(p.secret)), 401, "invalid_credentials"); // bad checksum: edge
    await expectStatus(withSecret(p.id, await unrelatedSecret("sandbox")), 401, "invalid_credentials"); // other environment: edge
    await expectStatus(call("/v1/verify", { headers: { "X-Client-ID": p.id } }), 401, "missing_credentials");
    await expectStatus(withWorkflow(p.id, await newWorkflowId()), 401, "invalid_credentials"); // no such workflow
    await expectStatus(withWorkflow(p.id, "wf_nope"), 401, "invalid_credentials"); // malformed workflow ID
    // 3 refused because the client is inactive (failed authentications too), once this isolate no
    // longer repeats the 429s above from memory.
    await patchClient(p.id, { status: "inactive" });
    shiftIsolateClock(REMEMBER_MS);
    await expectStatus(withSecret(p.id, p.secret), 401, "client_inactive");
    await expectStatus(withSecret(p.id, p.secret), 401, "client_inactive");
    await expectStatus(withWorkflow(p.id, w1.id), 401, "client_inactive");
    // Not counted for anyone: the client ID itself is malformed (e.g. one character off).
    await expectStatus(withSecret(breakChecksum(p.id), p.secret), 401, "invalid_credentials");
    await expectStatus(withWorkflow(breakChecksum(p.id), w1.id), 401, "invalid_credentials");
    await expectStatus(withSecret("nafsi_live_x", p.secret), 401, "invalid_credentials");

    await settleAndFlush(p.id);
    const usage = await usageOf(p.id, 7);
    expect(usage).toMatchObject({
      client_id: p.id,
      total_requests: 22,
      successful_requests: 8,
      rate_limited_requests: 3,
      failed_authentications: 10,
      units_consumed: 8,
      errors: {
        rate_limit_exceeded: 3,
        origin_not_allowed: 1,
        invalid_credentials: 6,
        missing_credentials: 1,
        client_inactive: 3,
      },
      by_workflow: [
        { workflow_id: w1.id, requests: 4, successful_requests: 2 },
        { workflow_id: w2.id, requests: 2, successful_requests: 1 },
      ],
    });
    expect(Object.keys(usage.errors).sort()).toEqual([
      "client_inactive",
      "invalid_credentials",
      "missing_credentials",
      "origin_not_allowed",
      "rate_limit_exceeded",
    ]);
    expect(usage.success_rate).toBeCloseTo(8 / 22, 4);
    expect(typeof usage.average_response_ms).toBe("number");
    expect(usage.average_response_ms).toBeGreaterThanOrEqual(0);
    expect(Date.parse(usage.to) - Date.parse(usage.from)).toBe(7 * DAY_MS);
    expect(Math.abs(Date.parse(usage.to) - Date.now())).toBeLessThan(60_000);
    expectDaily(usage, { requests: 22, successful_requests: 8, units_consumed: 8 });
  }, 60_000);

  it("a sandbox client's successful requests consume no units", async () => {
    await awayFromBoundary(DAY_MS, 15_000);
    const s = await createClient({ environment: "sandbox" });
    for (let i = 0; i < 3; i++) await expectStatus(withSecret(s.id, s.secret), 200);
    await expectStatus(withSecret(s.id, await unrelatedSecret("sandbox")), 401, "invalid_credentials");
    await settleAndFlush(s.id);
    const usage = await usageOf(s.id);
    expect(usage).toMatchObject({
      total_requests: 4,
      successful_requests: 3,
      rate_limited_requests: 0,
      failed_authentications: 1,
      units_consumed: 0,
      by_workflow: [],
      errors: { invalid_credentials: 1 },
    });
    expect(usage.success_rate).toBe(0.75);
    expectDaily(usage, { requests: 4, successful_requests: 3, units_consumed: 0 });
  }, 60_000);

  it("a revoked client's refused requests are failed authentications, and it never was used", async () => {
    const r = await createClient();
    await adminJson("POST", `/admin/clients/${r.id}/revoke`);
    for (let i = 0; i < 2; i++) await expectStatus(withSecret(r.id, r.secret), 401, "client_revoked");
    await settleAndFlush(r.id);
    const usage = await usageOf(r.id);
    expect(usage).toMatchObject({
      total_requests: 2,
      successful_requests: 0,
      success_rate: 0,
      average_response_ms: null,
      failed_authentications: 2,
      units_consumed: 0,
      errors: { client_revoked: 2 },
    });
    const { body } = await adminJson("GET", `/admin/clients/${r.id}`);
    expect(body.client.last_used_at).toBeNull();
  });

  it("a client without traffic: zeros, null rates, and a zero-filled daily series", async () => {
    await awayFromBoundary(DAY_MS, 15_000);
    const c = await createClient();
    const usage = await usageOf(c.id, 3);
    expect(usage).toMatchObject({
      client_id: c.id,
      total_requests: 0,
      successful_requests: 0,
      success_rate: null,
      average_response_ms: null,
      rate_limited_requests: 0,
      failed_authentications: 0,
      units_consumed: 0,
      by_workflow: [],
      errors: {},
    });
    expectDaily(usage, { requests: 0, successful_requests: 0, units_consumed: 0 });
    expect(usage.daily.length).toBeGreaterThanOrEqual(3);
  }, 60_000);

  it("requests naming a malformed or unknown client ID are counted nowhere and wake no object of a real client", async () => {
    const real = await createClient();
    const malformed = [breakChecksum(real.id), "nafsi_live_x", real.id.replace("nafsi_live_", "nafsi_test_")];
    const unknown = await newClientId("production");
    for (const id of malformed) {
      await expectStatus(withSecret(id, real.secret), 401, "invalid_credentials");
      await expectStatus(call("/v1/verify", { headers: { "X-Client-ID": id } }), 401, "missing_credentials");
    }
    await expectStatus(withSecret(unknown, real.secret), 401, "invalid_credentials");
    await expectStatus(withSecret(unknown, breakChecksum(real.secret)), 401, "invalid_credentials");
    await settleAndFlush(real.id);
    await settleAndFlush(unknown, 0);

    const objects = new Set((await listDurableObjectIds(env.CLIENT_AUTHORITY)).map((id) => id.toString()));
    for (const id of malformed) expect(objects.has(env.CLIENT_AUTHORITY.idFromName(id).toString()), id).toBe(false);
    const rows = await env.DB.prepare("SELECT DISTINCT client_id FROM usage_hourly").all<{ client_id: string }>();
    const counted = rows.results.map((r) => r.client_id);
    for (const id of [...malformed, unknown, real.id]) expect(counted, id).not.toContain(id);
    expect((await usageOf(real.id)).total_requests).toBe(0);
  });
});

describe("GET /admin/clients/{id}/usage: parameters", () => {
  it("days must be an integer in 1..365 (400 invalid_request otherwise); the default is 30", async () => {
    const c = await createClient();
    for (const days of ["0", "366", "-1", "1.5", "abc", "", "1e9"]) {
      const res = await adminJson("GET", `/admin/clients/${c.id}/usage?days=${days}`);
      expect(res.status, `days=${days}`).toBe(400);
      expect(res.body.error.code).toBe("invalid_request");
      expect(JSON.stringify(res.body.error.details ?? [])).toContain("days");
    }
    for (const days of [1, 365]) {
      const usage = await usageOf(c.id, days);
      expect(Date.parse(usage.to) - Date.parse(usage.from)).toBe(days * DAY_MS);
      expect(usage.daily.length).toBeGreaterThanOrEqual(days);
      expect(usage.daily.length).toBeLessThanOrEqual(days + 1);
    }
    const { status, body } = await adminJson("GET", `/admin/clients/${c.id}/usage`);
    expect(status).toBe(200);
    expect(Date.parse(body.to) - Date.parse(body.from)).toBe(30 * DAY_MS);
    const unknownParam = await adminJson("GET", `/admin/clients/${c.id}/usage?days=2&hours=3`);
    expect(unknownParam.status).toBe(400);
    expect(unknownParam.body.error.code).toBe("invalid_request");
  });

  it("an unknown client is 404 not_found; the call needs the admin token", async () => {
    for (const id of [await newClientId("production"), await newClientId("sandbox"), "nope"]) {
      const res = await adminJson("GET", `/admin/clients/${id}/usage?days=7`);
      expect(res.status, id).toBe(404);
      expect(res.body.error.code).toBe("not_found");
    }
    const c = await createClient();
    await expectError(await call(`/admin/clients/${c.id}/usage`), 401, "unauthorized");
  });
});

describe("a request counts once it names a known client ID, whatever its outcome", () => {
  it("malformed credential headers next to a valid client ID (400 invalid_request) are counted for that client", async () => {
    await awayFromBoundary(DAY_MS, 15_000);
    const c = await createClient();
    const w = await createWorkflow(c);
    // Both a secret and a workflow ID.
    await expectStatus(
      call("/v1/verify", { headers: { "X-Client-ID": c.id, "X-Client-Secret": c.secret, "X-Workflow-ID": w.id } }),
      400,
      "invalid_request",
    );
    // A credential header sent twice, and one longer than any credential.
    await expectStatus(withSecret(c.id, `${c.secret}, ${c.secret}`), 400, "invalid_request");
    await expectStatus(withSecret(c.id, "sk_live_" + "a".repeat(300)), 400, "invalid_request");
    await expectStatus(withSecret(c.id, c.secret), 200);
    await settleAndFlush(c.id);
    const usage = await usageOf(c.id);
    expect(usage.total_requests).toBe(4);
    expect(usage.successful_requests).toBe(1);
    expect(usage.errors).toEqual({ invalid_request: 3 });
  }, 60_000);
});
