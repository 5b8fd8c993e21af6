/**
 * Refusals from memory: after the client's object answers 429, this isolate repeats the refusal for
 * the same credential, without a call, until the earlier of the refusal's reset and one second
 * after the object's answer. Object calls are counted on a wrapped namespace; time is one manual
 * clock for the edge and the object.
 */
import { env } from "cloudflare:workers";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { REMEMBER_MS } from "../../src/edge/refusal-memory";
import { WINDOW_MS } from "../../src/domain/sliding-window";
import { type ManualClock, manualClockEverywhere } from "../support/clock";
import { type Calls, countedStubs } from "../support/counting";
import {
  type CreatedClient,
  appWithEnv,
  createClient,
  createWorkflow,
  flushUsage,
  limitHeaders,
  patchClient,
  regenerateSecret,
  revokeClient,
  sleep,
  EDGE_BATCH_SETTLE_MS,
  unrelatedSecret,
  usageOf,
} from "../support/helpers";

/**
 * The data plane through an env whose Durable Object stubs count their calls. A request's object
 * calls are its `admitBatch` calls (answers of admitted requests travel in calls of their own).
 */
function countingApp() {
  const calls: Calls = {};
  const app = appWithEnv({ CLIENT_AUTHORITY: countedStubs(env.CLIENT_AUTHORITY, "DO", calls) });
  const objectCalls = () => calls["DO.admitBatch"] ?? 0;
  /** The status, code and rate-limit headers of one request, and how many object calls it made. */
  async function send(headers: Record<string, string>) {
    const before = objectCalls();
    const res = await app.fetch("/v1/verify", { headers });
    const body: any = await res.json();
    return {
      status: res.status,
      code: body?.error?.code as string | undefined,
      retryAfterBody: body?.error?.retry_after as number | undefined,
      headers: limitHeaders(res),
      rateLimit: res.headers.get("RateLimit"),
      calls: objectCalls() - before,
    };
  }
  return { app, send };
}

const bySecret = (client: CreatedClient, secret = client.secret) => ({
  "X-Client-ID": client.id,
  "X-Client-Secret": secret,
});
const byWorkflow = (client: CreatedClient, workflowId: string, origin?: string) => ({
  "X-Client-ID": client.id,
  "X-Workflow-ID": workflowId,
  ...(origin ? { Origin: origin } : {}),
});

/** A client of `limit` whose window is full, refused once by its object through `send`. */
async function refusedClient(limit: number, send: ReturnType<typeof countingApp>["send"]) {
  const client = await createClient({ rate_limit: limit });
  const clock = await manualClockEverywhere(client.id);
  for (let i = 0; i < limit; i++) expect((await send(bySecret(client))).status).toBe(200);
  const refused = await send(bySecret(client));
  expect(refused).toMatchObject({ status: 429, calls: 1 });
  return { client, clock, refused };
}

describe("a refusal repeated from memory", () => {
  it("makes no object call and counts its headers down from the object's answer", async () => {
    const { send } = countingApp();
    const client = await createClient({ rate_limit: 2 });
    const clock = await manualClockEverywhere(client.id);
    const start = clock.now();
    for (let i = 0; i < 2; i++) expect((await send(bySecret(client))).status).toBe(200);
    // Both admissions leave the window at start + 60 s.
    clock.set(start + 30_500);
    const refused = await send(bySecret(client));
    expect(refused).toMatchObject({ status: 429, calls: 1 });
    expect(refused.headers).toMatchObject({ retryAfter: 30, reset: Math.ceil((start + WINDOW_MS) / 1000) });
    clock.set(start + 31_100);
    const again = await send(bySecret(client));
    expect(again).toMatchObject({ status: 429, code: "rate_limit_exceeded", calls: 0 });
    expect(again.headers).toMatchObject({ limit: 2, remaining: 0, reset: refused.headers.reset, retryAfter: 29 });
    expect(again.retryAfterBody).toBe(29);
    expect(again.rateLimit).toBe(`"per-client";r=0;t=29`);
  });

  it("lasts one second after the object's answer at most: then the object is asked again", async () => {
    const { send } = countingApp();
    const { client, clock } = await refusedClient(1, send);
    clock.advance(REMEMBER_MS - 1);
    expect(await send(bySecret(client))).toMatchObject({ status: 429, calls: 0 });
    clock.advance(1);
    // Asked again (and refused: the window is still full), then remembered afresh.
    expect(await send(bySecret(client))).toMatchObject({ status: 429, calls: 1 });
    expect(await send(bySecret(client))).toMatchObject({ status: 429, calls: 0 });
  });

  it("never outlasts the refusal's reset: the request at the reset is admitted by the object", async () => {
    const { send } = countingApp();
    const client = await createClient({ rate_limit: 1 });
    const clock = await manualClockEverywhere(client.id);
    const start = clock.now();
    expect((await send(bySecret(client))).status).toBe(200);
    // Refused 600 ms before the admission leaves the window: remembered for 600 ms, not a second.
    clock.set(start + WINDOW_MS - 600);
    expect(await send(bySecret(client))).toMatchObject({ status: 429, calls: 1 });
    clock.set(start + WINDOW_MS - 1);
    expect(await send(bySecret(client))).toMatchObject({ status: 429, calls: 0 });
    clock.set(start + WINDOW_MS);
    expect(await send(bySecret(client))).toMatchObject({ status: 200, calls: 1 });
  });

  it("is kept per credential: another secret, a workflow, another origin and a wrong secret each go their usual way", async () => {
    const { send } = countingApp();
    const client = await createClient({ rate_limit: 2 });
    const plain = await createWorkflow(client, { name: "plain" });
    const bound = await createWorkflow(client, {
      name: "bound",
      allowed_origins: ["https://a.example", "https://b.example"],
    });
    await manualClockEverywhere(client.id);
    for (let i = 0; i < 2; i++) expect((await send(bySecret(client))).status).toBe(200);
    expect(await send(bySecret(client))).toMatchObject({ status: 429, calls: 1 });
    expect(await send(bySecret(client))).toMatchObject({ status: 429, calls: 0 });

    // A workflow of the same client is asked about on its own, then remembered on its own.
    expect(await send(byWorkflow(client, plain.id))).toMatchObject({ status: 429, calls: 1 });
    expect(await send(byWorkflow(client, plain.id))).toMatchObject({ status: 429, calls: 0 });
    // The same workflow from another origin is another credential.
    expect(await send(byWorkflow(client, bound.id, "https://a.example"))).toMatchObject({ status: 429, calls: 1 });
    expect(await send(byWorkflow(client, bound.id, "https://a.example"))).toMatchObject({ status: 429, calls: 0 });
    expect(await send(byWorkflow(client, bound.id, "https://b.example"))).toMatchObject({ status: 429, calls: 1 });
    // An origin the workflow does not allow is refused for that, by the object, not from memory.
    expect(await send(byWorkflow(client, bound.id, "https://evil.example"))).toMatchObject({
      status: 403,
      code: "origin_not_allowed",
      calls: 1,
    });
    // A wrong secret of the client is not refused with the right one's 429.
    expect(await send(bySecret(client, await unrelatedSecret()))).toMatchObject({
      status: 401,
      code: "invalid_credentials",
      calls: 1,
    });
    // The new secret after a regeneration (the old one in its grace period) is asked about too.
    const { secret: fresh } = await regenerateSecret(client.id, 3600);
    expect(await send(bySecret(client, fresh))).toMatchObject({ status: 429, calls: 1 });
    expect(await send(bySecret(client))).toMatchObject({ status: 429, calls: 0 });
  });

  it("a raised limit admits within a second, and a revoked client answers 401 within a second", async () => {
    const { send } = countingApp();
    const { client, clock } = await refusedClient(1, send);
    await patchClient(client.id, { rate_limit: 2 });
    expect(await send(bySecret(client))).toMatchObject({ status: 429, calls: 0 });
    clock.advance(REMEMBER_MS);
    expect(await send(bySecret(client))).toMatchObject({ status: 200, calls: 1 });

    expect(await send(bySecret(client))).toMatchObject({ status: 429, calls: 1 });
    await revokeClient(client.id);
    expect(await send(bySecret(client))).toMatchObject({ status: 429, calls: 0 });
    clock.advance(REMEMBER_MS);
    expect(await send(bySecret(client))).toMatchObject({ status: 401, code: "client_revoked", calls: 1 });
  });

  it("is counted exactly in usage, per workflow, once the isolate's batch is sent", async () => {
    const { app, send } = countingApp();
    const client = await createClient({ rate_limit: 3 });
    const workflow = await createWorkflow(client, { name: "spa" });
    const clock = await manualClockEverywhere(client.id);
    const statuses: number[] = [];
    let fromMemory = 0;
    for (let i = 0; i < 12; i++) {
      const r = await send(i % 3 === 2 ? byWorkflow(client, workflow.id) : bySecret(client));
      statuses.push(r.status);
      if (r.status === 429 && r.calls === 0) fromMemory++;
      clock.advance(50);
    }
    expect(statuses.filter((s) => s === 200)).toHaveLength(3);
    expect(statuses.filter((s) => s === 429)).toHaveLength(9);
    // Two refusals came from the object (one per credential); the other seven from memory.
    expect(fromMemory).toBe(7);
    await app.settle();
    await sleep(EDGE_BATCH_SETTLE_MS);
    await flushUsage(client.id);
    const usage = await usageOf(client.id);
    expect(usage).toMatchObject({
      total_requests: 12,
      successful_requests: 3,
      rate_limited_requests: 9,
      failed_authentications: 0,
      errors: { rate_limit_exceeded: 9 },
    });
    // Requests 3, 6, 9 and 12 were the workflow's: one admitted (the third request), three refused.
    expect(usage.by_workflow).toEqual([{ workflow_id: workflow.id, requests: 4, successful_requests: 1 }]);
  });
});

describe("the exact window with the memory in front (random schedules through the real Worker)", () => {
  it("never admits over the limit; refuses with room in the window only within a second after a raise", async () => {
    const { send } = countingApp();
    const schedules = fc.sample(
      fc.array(
        fc.record({
          gap: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 1_500 }), fc.integer({ min: 20_000, max: 61_000 })),
          raise: fc.option(fc.integer({ min: 1, max: 6 }), { freq: 8 }),
        }),
        { minLength: 60, maxLength: 60 },
      ),
      { numRuns: 2, seed: 30 },
    );
    for (const steps of schedules) {
      let limit = 3;
      const client = await createClient({ rate_limit: limit });
      const clock: ManualClock = await manualClockEverywhere(client.id);
      const admitted: number[] = [];
      let changedAt = -Infinity;
      for (const step of steps) {
        clock.advance(step.gap);
        if (step.raise !== null) {
          limit = step.raise;
          await patchClient(client.id, { rate_limit: limit });
          changedAt = clock.now();
        }
        const t = clock.now();
        const inWindow = admitted.filter((a) => a > t - WINDOW_MS).length;
        const r = await send(bySecret(client));
        if (r.status === 200) {
          admitted.push(t);
          expect(inWindow, `admitted at ${t} with ${inWindow} in the window`).toBeLessThan(limit);
        } else {
          expect(r.status).toBe(429);
          // A refusal with room is one repeated from memory in the second after a change.
          if (inWindow < limit) {
            expect(r.calls).toBe(0);
            expect(t - changedAt).toBeLessThan(REMEMBER_MS);
          }
        }
      }
      expect(admitted.length).toBeGreaterThan(3);
    }
  }, 60_000);
});
