/**
 * No counted request is lost across Durable Object restarts or failed flushes, and a flush that is
 * repeated (a retried batch, a second alarm) never double-counts.
 */
import { abortAllDurableObjects, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import {
  authority,
  breakChecksum,
  createClient,
  createWorkflow,
  EDGE_BATCH_SETTLE_MS,
  env,
  flushUsage,
  forceFlush,
  patchAuthorityEnv,
  restoreAuthorityEnv,
  settleAndFlush,
  sleep,
  unrelatedSecret,
  usageOf,
  withSecret,
  withWorkflow,
  statusOf,
} from "../support/helpers";

const figures = (u: any) => ({
  total_requests: u.total_requests,
  successful_requests: u.successful_requests,
  rate_limited_requests: u.rate_limited_requests,
  failed_authentications: u.failed_authentications,
  units_consumed: u.units_consumed,
  by_workflow: u.by_workflow,
  errors: u.errors,
});

const d1Rows = (clientId: string) =>
  env.DB.prepare(
    "SELECT hour, workflow_id, requests, successful_requests, responses FROM usage_hourly WHERE client_id = ? ORDER BY hour, workflow_id",
  )
    .bind(clientId)
    .all()
    .then((r) => r.results);

/** 4 admitted (3 secret, 1 workflow), 2 rate-limited, 1 object-decided and 2 edge-decided failed auths. */
async function traffic(c: { id: string; secret: string }, workflowId: string): Promise<void> {
  for (let i = 0; i < 3; i++) expect(await statusOf(withSecret(c.id, c.secret))).toBe(200);
  expect(await statusOf(withWorkflow(c.id, workflowId))).toBe(200);
  for (let i = 0; i < 2; i++) expect(await statusOf(withSecret(c.id, c.secret))).toBe(429);
  expect(await statusOf(withSecret(c.id, await unrelatedSecret()))).toBe(401);
  for (let i = 0; i < 2; i++) expect(await statusOf(withSecret(c.id, breakChecksum(c.secret)))).toBe(401);
}

const EXPECTED = (w: string) => ({
  total_requests: 9,
  successful_requests: 4,
  rate_limited_requests: 2,
  failed_authentications: 3,
  units_consumed: 4,
  by_workflow: [{ workflow_id: w, requests: 1, successful_requests: 1 }],
  errors: { rate_limit_exceeded: 2, invalid_credentials: 3 },
});

describe("usage survives restarts and repeated flushes", () => {
  it("an object restarted between the requests and the flush loses nothing", async () => {
    const c = await createClient({ rate_limit: 4 });
    const w = await createWorkflow(c);
    await traffic(c, w.id);
    // Nothing flushed yet: the traffic's rate_limit_approaching alert asks for a flush a second later.
    expect(await d1Rows(c.id)).toEqual([]);
    await abortAllDurableObjects();
    // The alarm the object had set survives the restart; the edge's failure batch reaches the new
    // instance meanwhile, and the next flush has everything.
    await sleep(EDGE_BATCH_SETTLE_MS);
    await forceFlush(c.id);
    expect(figures(await usageOf(c.id))).toEqual(EXPECTED(w.id));
  });

  it("restarts in the middle of the traffic lose nothing either", async () => {
    const c = await createClient({ rate_limit: 4 });
    const w = await createWorkflow(c);
    expect(await statusOf(withSecret(c.id, c.secret))).toBe(200);
    await sleep(100);
    await abortAllDurableObjects();
    for (let i = 0; i < 2; i++) expect(await statusOf(withSecret(c.id, c.secret))).toBe(200);
    expect(await statusOf(withWorkflow(c.id, w.id))).toBe(200);
    await sleep(100);
    await abortAllDurableObjects();
    for (let i = 0; i < 2; i++) expect(await statusOf(withSecret(c.id, c.secret))).toBe(429);
    expect(await statusOf(withSecret(c.id, await unrelatedSecret()))).toBe(401);
    for (let i = 0; i < 2; i++) expect(await statusOf(withSecret(c.id, breakChecksum(c.secret)))).toBe(401);
    await sleep(EDGE_BATCH_SETTLE_MS);
    await abortAllDurableObjects();
    await flushUsage(c.id);
    expect(figures(await usageOf(c.id))).toEqual(EXPECTED(w.id));
  });

  it("flushing again (same alarm re-run, after a restart, or with new traffic) never double-counts", async () => {
    const c = await createClient({ rate_limit: 4 });
    const w = await createWorkflow(c);
    await traffic(c, w.id);
    await settleAndFlush(c.id);
    const once = figures(await usageOf(c.id));
    expect(once).toEqual(EXPECTED(w.id));
    const rows = await d1Rows(c.id);

    expect(await forceFlush(c.id)).toBe(true);
    expect(figures(await usageOf(c.id))).toEqual(once);
    await abortAllDurableObjects();
    expect(await forceFlush(c.id)).toBe(true);
    expect(await forceFlush(c.id)).toBe(true);
    expect(figures(await usageOf(c.id))).toEqual(once);
    expect(await d1Rows(c.id)).toEqual(rows);

    // New traffic adds exactly itself.
    expect(await statusOf(withSecret(c.id, await unrelatedSecret()))).toBe(401);
    await settleAndFlush(c.id);
    await forceFlush(c.id);
    const after = figures(await usageOf(c.id));
    expect(after).toEqual({
      ...once,
      total_requests: 10,
      failed_authentications: 4,
      errors: { rate_limit_exceeded: 2, invalid_credentials: 4 },
    });
  });

  it("a flush that fails (D1 unavailable) is retried later and then counts everything exactly once", async () => {
    const c = await createClient({ rate_limit: 4 });
    const w = await createWorkflow(c);
    // The object's D1 binding fails every batch (a fault at the gateway's own boundary), from before
    // the traffic: its alert's early flush fails too.
    const failingDb = {
      prepare: (query: string) => env.DB.prepare(query),
      batch: () => Promise.reject(new Error("D1 unavailable (test)")),
      exec: () => Promise.reject(new Error("D1 unavailable (test)")),
      withSession: () => {
        throw new Error("D1 unavailable (test)");
      },
      dump: () => Promise.reject(new Error("D1 unavailable (test)")),
    };
    await patchAuthorityEnv(c.id, { DB: failingDb });
    await traffic(c, w.id);
    await sleep(EDGE_BATCH_SETTLE_MS);
    const before = Date.now();
    expect(await flushUsage(c.id)).toBe(true);
    expect(await d1Rows(c.id)).toEqual([]);
    const retryAt = await runInDurableObject(authority(c.id), (_i, state) => state.storage.getAlarm());
    expect(retryAt).not.toBeNull();
    expect(retryAt! - before).toBeGreaterThan(0);
    expect(retryAt! - before).toBeLessThanOrEqual(60_000); // still within the contract's lag

    expect(await flushUsage(c.id)).toBe(true); // fails again
    await restoreAuthorityEnv(c.id);
    expect(await flushUsage(c.id)).toBe(true);
    expect(figures(await usageOf(c.id))).toEqual(EXPECTED(w.id));
    await forceFlush(c.id);
    expect(figures(await usageOf(c.id))).toEqual(EXPECTED(w.id));
  });
});
