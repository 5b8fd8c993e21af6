/**
 * Outcomes of forwarded requests: with a real upstream (the auxiliary worker of
 * test/fixtures/upstream-worker.js), an upstream 4xx/5xx is counted as upstream_4xx/upstream_5xx
 * and is not successful; the gateway's own upstream failure keeps its code.
 */
import { describe, expect, it } from "vitest";
import {
  appWithEnv,
  awayFromBoundary,
  createClient,
  createWorkflow,
  settleAndFlush,
  usageOf,
  statusOf,
} from "../support/helpers";

const UPSTREAMS = {
  UPSTREAM_URL_PRODUCTION: "http://upstream.test",
  UPSTREAM_URL_SANDBOX: "http://sandbox-upstream.test",
};

/** Requests through an app whose upstreams are the test upstream (one env object for the whole file). */
const gateway = appWithEnv(UPSTREAMS);
const unreachable = appWithEnv({ ...UPSTREAMS, UPSTREAM_URL_PRODUCTION: "http://unreachable.test" });

function forwarded(path: string, headers: Record<string, string>, via = gateway): Promise<Response> {
  return via.fetch(path, { headers });
}

/** Lets every forwarded request's outcome reach the client's object, then flushes. */
async function settle(clientId: string): Promise<void> {
  await gateway.settle();
  await unreachable.settle();
  await settleAndFlush(clientId);
}

describe("usage of forwarded requests", () => {
  it("counts upstream 2xx as successful (one unit each), 4xx/5xx as upstream_4xx/upstream_5xx, and an unreachable upstream by its code", async () => {
    await awayFromBoundary(86_400_000, 15_000);
    const c = await createClient();
    const w = await createWorkflow(c);
    const secret = { "X-Client-ID": c.id, "X-Client-Secret": c.secret };
    const workflow = { "X-Client-ID": c.id, "X-Workflow-ID": w.id };
    const statuses: number[] = [];
    for (const s of [200, 201, 202, 400, 404, 422, 500, 503])
      statuses.push(await statusOf(forwarded(`/v1/items?status=${s}`, secret)));
    statuses.push(await statusOf(forwarded("/v1/items?status=200", workflow)));
    statuses.push(await statusOf(forwarded("/v1/items?status=502", workflow)));
    statuses.push(await statusOf(forwarded("/v1/items?status=404", workflow)));
    const down = await forwarded("/v1/items", secret, unreachable);
    expect(statuses).toEqual([200, 201, 202, 400, 404, 422, 500, 503, 200, 502, 404]);
    expect(down.status).toBe(502);
    expect(((await down.json()) as any).error.code).toBe("upstream_unavailable");

    await settle(c.id);
    const usage = await usageOf(c.id);
    expect(usage).toMatchObject({
      total_requests: 12,
      successful_requests: 4,
      units_consumed: 4,
      rate_limited_requests: 0,
      failed_authentications: 0,
      errors: { upstream_4xx: 4, upstream_5xx: 3, upstream_unavailable: 1 },
      by_workflow: [{ workflow_id: w.id, requests: 3, successful_requests: 1 }],
    });
    expect(Object.keys(usage.errors).sort()).toEqual(["upstream_4xx", "upstream_5xx", "upstream_unavailable"]);
    expect(usage.success_rate).toBeCloseTo(4 / 12, 4);
    expect(usage.daily.at(-1)).toMatchObject({ requests: 12, successful_requests: 4, units_consumed: 4 });
  }, 60_000);

  it("a sandbox client's forwarded successes consume no units; its upstream errors are counted", async () => {
    const s = await createClient({ environment: "sandbox" });
    const headers = { "X-Client-ID": s.id, "X-Client-Secret": s.secret };
    expect(await statusOf(forwarded("/v1/a", headers))).toBe(200);
    expect(await statusOf(forwarded("/v1/a?status=202", headers))).toBe(202);
    expect(await statusOf(forwarded("/v1/a?status=500", headers))).toBe(500);
    await settle(s.id);
    expect(await usageOf(s.id)).toMatchObject({
      total_requests: 3,
      successful_requests: 2,
      units_consumed: 0,
      errors: { upstream_5xx: 1 },
    });
  });

  it("average_response_ms is the mean time of admitted requests, including the upstream's", async () => {
    const c = await createClient();
    const headers = { "X-Client-ID": c.id, "X-Client-Secret": c.secret };
    const started = Date.now();
    expect(await statusOf(forwarded("/v1/slow?delay_ms=300", headers))).toBe(200);
    expect(await statusOf(forwarded("/v1/slow?delay_ms=300&status=500", headers))).toBe(500);
    const elapsed = Date.now() - started;
    await settle(c.id);
    const usage = await usageOf(c.id);
    expect(usage.average_response_ms).toBeGreaterThanOrEqual(300);
    expect(usage.average_response_ms).toBeLessThanOrEqual(elapsed / 2 + 50);
  });
});
