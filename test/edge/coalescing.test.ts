/**
 * One client's concurrent requests in an isolate share one call to its Durable Object (issue 10).
 * Most tests wrap the namespace so that they see, and can break, each call the edge makes; those
 * about cancelled requests go through the Worker's entry point instead, where a caller's abort
 * cancels its request (and its timers) as a client's disconnect does.
 */
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { appWithEnv, authority, call, createClient, env, sleep, statusOf, storedWindow } from "../support/helpers";
import { ManualClock, withIsolateClock } from "../support/clock";

/**
 * Lets the app's deferred work finish under a stopped clock: the answers' usage reports wait on a
 * timer for their second to pass on the clock, so it is moved past that first.
 */
async function settleAt(clock: ManualClock, app: { settle(): Promise<void> }): Promise<void> {
  clock.advance(1_000);
  await app.settle();
}

/** Waits, in real time, until `done()` holds (a call under test has started). */
async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !done(); i++) await sleep(2);
  expect(done()).toBe(true);
}

type Call = { method: string; size: number };

/** CLIENT_AUTHORITY whose stubs record admitBatch calls; `around` may delay or fail each one. */
function recordingNamespace(around: (n: number, forward: () => Promise<unknown>) => Promise<unknown>) {
  const calls: Call[] = [];
  const namespace = new Proxy(env.CLIENT_AUTHORITY, {
    get(target, prop) {
      const value = Reflect.get(target, prop);
      if (prop !== "getByName") return typeof value === "function" ? value.bind(target) : value;
      return (name: string, options?: unknown) => {
        const stub = target.getByName(name, options as DurableObjectNamespaceGetDurableObjectOptions);
        return new Proxy(stub, {
          get(s, method) {
            // Other methods go to the real stub as calls on it (an RPC method detached from its
            // stub cannot be called).
            if (method !== "admitBatch") {
              const fn = Reflect.get(s, method);
              if (typeof fn !== "function") return fn;
              return (...args: unknown[]) =>
                (s as unknown as Record<string | symbol, (...a: unknown[]) => unknown>)[method]!(...args);
            }
            return (batch: { proofs: unknown[] }) => {
              calls.push({ method: "admitBatch", size: batch.proofs.length });
              return around(calls.length, () =>
                (s as unknown as { admitBatch(b: unknown): Promise<unknown> }).admitBatch(batch),
              );
            };
          },
        });
      };
    },
  });
  return { namespace, calls };
}

const headers = (id: string, secret: string) => ({ "X-Client-ID": id, "X-Client-Secret": secret });

/**
 * Runs `body` for a fresh client under a stopped isolate clock, through an app whose first `held`
 * calls wait until `release(n)`; then lets the app's deferred work finish. Resolves to the calls made.
 */
async function underHeldCalls(
  held: number,
  body: (t: {
    send: () => Promise<number>;
    calls: Call[];
    release: (n: number) => void;
    clock: ManualClock;
  }) => Promise<void>,
): Promise<Call[]> {
  const client = await createClient({ rate_limit: 100 });
  const gates = Array.from({ length: held }, () => Promise.withResolvers<void>());
  const { namespace, calls } = recordingNamespace(async (n, forward) => {
    await gates[n - 1]?.promise;
    return forward();
  });
  const app = appWithEnv({ CLIENT_AUTHORITY: namespace });
  const send = () => statusOf(app.fetch("/v1/x", { headers: headers(client.id, client.secret) }));
  const clock = new ManualClock(Date.now());
  await withIsolateClock(clock, async () => {
    await body({ send, calls, release: (n) => gates[n - 1]!.resolve(), clock });
    await settleAt(clock, app);
  });
  return calls;
}

/**
 * For tests through the Worker's entry point (where each request runs in its own context, and a
 * caller's abort cancels it): a fresh client, one request of which is answered first, so that later
 * ones reach their call without the isolate's first look-ups; then its object takes no call until
 * `release()`, so that the next request's call stays in flight and others queue behind it. `send`
 * makes a request of that client (`signal` to cancel it).
 */
async function servedThenHeld() {
  const client = await createClient({ rate_limit: 100 });
  const send = (signal?: AbortSignal) => call("/v1/x", { headers: headers(client.id, client.secret), signal });
  expect(await statusOf(send())).toBe(200);
  const gate = Promise.withResolvers<void>();
  let holding = false;
  void runInDurableObject(authority(client.id), (_instance, state) => {
    void state.blockConcurrencyWhile(() => gate.promise);
    holding = true;
  });
  await until(() => holding);
  return { clientId: client.id, send, release: () => gate.resolve() };
}

/** The answer's status, or the name of the error the call failed with (AbortError when cancelled). */
const statusOrError = (res: Promise<Response>) => statusOf(res).catch((err: unknown) => (err as Error).name);

describe("coalescing", () => {
  it("concurrent requests of one client ride on fewer calls than requests, and each is decided exactly", async () => {
    const client = await createClient({ rate_limit: 15 });
    const { namespace, calls } = recordingNamespace(async (_n, forward) => {
      await sleep(20); // a slow object: requests arriving meanwhile form the next batch
      return forward();
    });
    const app = appWithEnv({ CLIENT_AUTHORITY: namespace });
    const statuses = await Promise.all(
      Array.from({ length: 30 }, () => statusOf(app.fetch("/v1/x", { headers: headers(client.id, client.secret) }))),
    );
    await app.settle();
    expect(statuses.filter((s) => s === 200)).toHaveLength(15);
    expect(statuses.filter((s) => s === 429)).toHaveLength(15);
    expect(calls.reduce((n, c) => n + c.size, 0)).toBe(30); // every request decided once
    expect(calls.length).toBeLessThan(30);
    expect(Math.max(...calls.map((c) => c.size))).toBeGreaterThan(1);
    expect(await storedWindow(client.id)).toHaveLength(15);
  });

  it("a follower whose batch's call fails gets 503, does not retry, and nothing is counted twice", async () => {
    const client = await createClient({ rate_limit: 100 });
    const { namespace, calls } = recordingNamespace(async (n, forward) => {
      if (n === 1) {
        await sleep(100); // the leader's call: everyone else queues behind it
        return forward();
      }
      if (n === 2) {
        await forward(); // the object decides (and counts) the followers' batch…
        throw new Error("Network connection lost."); // …but its answer never arrives
      }
      return forward();
    });
    const app = appWithEnv({ CLIENT_AUTHORITY: namespace });
    const first = app.fetch("/v1/x", { headers: headers(client.id, client.secret) });
    await sleep(10);
    const followers = Array.from({ length: 8 }, () =>
      statusOf(app.fetch("/v1/x", { headers: headers(client.id, client.secret) })),
    );
    const statuses = [await statusOf(first), ...(await Promise.all(followers))];
    await app.settle();
    expect(statuses[0]).toBe(200);
    expect(statuses.slice(1)).toEqual(Array(8).fill(503));
    expect(calls.map((c) => c.size)).toEqual([1, 8]); // no follower made a call of its own
    // The object counted each request once: the leader and the batch it decided.
    expect(await storedWindow(client.id)).toHaveLength(9);
  });

  it("requests that reach the edge while a call is returning ride on the next call, not one after it", async () => {
    const client = await createClient({ rate_limit: 100 });
    const send = () => statusOf(app.fetch("/v1/x", { headers: headers(client.id, client.secret) }));
    const late: Promise<number>[] = [];
    const { namespace, calls } = recordingNamespace(async (n, forward) => {
      if (n !== 1) return forward();
      await sleep(30); // the first call is slow: two requests queue behind it
      const answer = await forward();
      // Three more requests start just as its answer comes back: they are still in the pipeline
      // (authentication) when the chain would send the queued batch.
      for (let i = 0; i < 3; i++) late.push(send());
      return answer;
    });
    const app = appWithEnv({ CLIENT_AUTHORITY: namespace });
    const first = send();
    await sleep(10);
    const queued = [send(), send()];
    const statuses = await Promise.all([first, ...queued]);
    statuses.push(...(await Promise.all(late))); // started by the time the first call answered
    await app.settle();
    expect(statuses).toEqual(Array(6).fill(200));
    // The second call carries the two that queued and the three that were still on their way.
    expect(calls.map((c) => c.size)).toEqual([1, 5]);
  });

  it("a lane taken over as stuck stays with its new chain, whatever queued before or after the old call ended", async () => {
    const client = await createClient({ rate_limit: 100 });
    const send = () => statusOf(app.fetch("/v1/x", { headers: headers(client.id, client.secret) }));
    const held = [Promise.withResolvers<void>(), Promise.withResolvers<void>()];
    const spans: { n: number; size: number; start: number; end: number }[] = [];
    let tick = 0; // the order calls start and end in (the isolate's clock is stopped)
    const { namespace, calls } = recordingNamespace(async (n, forward) => {
      const span = { n, size: calls[n - 1]!.size, start: ++tick, end: 0 };
      spans.push(span);
      await held[n - 1]?.promise; // the first two calls are held until the test lets them go
      const answer = await forward();
      span.end = ++tick;
      return answer;
    });
    const app = appWithEnv({ CLIENT_AUTHORITY: namespace });
    const clock = new ManualClock(Date.now());
    await withIsolateClock(clock, async () => {
      const first = send();
      await until(() => spans.length === 1);
      clock.advance(5_001); // the first call has run past STUCK_MS
      const takeover = send(); // leads a new chain: the second call
      await until(() => spans.length === 2);
      const queuedBefore = send(); // queued behind the second call while the first is still out
      await sleep(20);
      held[0]!.resolve();
      expect(await first).toBe(200);
      const queuedAfter = send(); // queued after the first call ended, the second still out
      await sleep(20);
      expect(spans).toHaveLength(2); // neither chain sent the queue early
      held[1]!.resolve();
      expect(await Promise.all([takeover, queuedBefore, queuedAfter])).toEqual([200, 200, 200]);
      await settleAt(clock, app);
    });
    // Both late requests rode on one call, made after the second call ended: the old chain neither
    // took the queue nor freed the lane.
    expect(spans.map((s) => s.size)).toEqual([1, 1, 2]);
    expect(spans[2]!.start).toBeGreaterThan(spans[1]!.end);
  });

  it("followers queued behind a call that hangs take the lane over together after STUCK_MS", async () => {
    const calls = await underHeldCalls(1, async ({ send, calls, release, clock }) => {
      const first = send();
      await until(() => calls.length === 1);
      const followers = [send(), send()];
      await sleep(20);
      clock.advance(4_900);
      await sleep(40);
      expect(calls).toHaveLength(1); // not yet stuck: they keep waiting
      clock.advance(200);
      // Stuck: the first follower to look leads a call that carries the other one too.
      expect(await Promise.all(followers)).toEqual([200, 200]);
      expect(calls.map((c) => c.size)).toEqual([1, 2]);
      release(1);
      expect(await first).toBe(200);
    });
    expect(calls.map((c) => c.size)).toEqual([1, 2]); // the old chain sent nothing more
  });

  it("followers behind a slow call wait for the lane and ride on the next call together", async () => {
    const calls = await underHeldCalls(1, async ({ send, calls, release, clock }) => {
      const first = send();
      await until(() => calls.length === 1);
      const followers = [send(), send(), send()];
      // A far-away object: the call takes 1.5 s. The followers keep waiting for the lane (and keep
      // showing they are alive) rather than each calling the slow object on its own.
      for (let i = 0; i < 15; i++) {
        clock.advance(100);
        await sleep(20);
      }
      expect(calls).toHaveLength(1);
      release(1);
      expect(await Promise.all([first, ...followers])).toEqual([200, 200, 200, 200]);
    });
    expect(calls.map((c) => c.size)).toEqual([1, 3]);
  });

  it("a follower whose call never answers gets 503 after SENT_WAIT_MS and is not sent again", async () => {
    // The second call (the followers') hangs: its chain was cut, say.
    const calls = await underHeldCalls(2, async ({ send, calls, release, clock }) => {
      const first = send();
      await until(() => calls.length === 1);
      const followers = [send(), send()];
      await sleep(20);
      release(1);
      expect(await first).toBe(200);
      await until(() => calls.length === 2);
      clock.advance(29_000);
      await sleep(50);
      const waiting = await Promise.race([Promise.all(followers), sleep(1).then(() => "waiting")]);
      expect(waiting).toBe("waiting"); // before SENT_WAIT_MS they wait
      clock.advance(1_000);
      expect(await Promise.all(followers)).toEqual([503, 503]);
      release(2);
    });
    expect(calls.map((c) => c.size)).toEqual([1, 2]); // no follower called again
  });

  it("a request cancelled while queued is never sent: only the requests still waiting are counted", async () => {
    // Through the Worker's entry point: appWithEnv runs every request in the test's own context.
    const { clientId, send, release } = await servedThenHeld();
    const clock = new ManualClock(Date.now());
    await withIsolateClock(clock, async () => {
      const first = send();
      await sleep(200);
      const caller = new AbortController();
      const cancelled = statusOrError(send(caller.signal));
      await sleep(200); // queued behind the first call
      caller.abort();
      expect(await cancelled).toBe("AbortError");
      const waiting = send();
      await sleep(100);
      // The cancelled request stopped looking at its entry; the waiting one looks again.
      clock.advance(2_000);
      await sleep(50);
      release();
      expect(await statusOf(first)).toBe(200);
      expect(await statusOf(waiting)).toBe(200);
    });
    // The two requests before and the one still waiting: the cancelled one's entry was dropped unsent.
    expect(await storedWindow(clientId)).toHaveLength(3);
  });

  it("a leader whose caller goes away still sends its followers' batch", async () => {
    const { clientId, send, release } = await servedThenHeld();
    const clock = new ManualClock(Date.now());
    await withIsolateClock(clock, async () => {
      const caller = new AbortController();
      const leader = statusOrError(send(caller.signal));
      await sleep(200);
      const followers = [send(), send()].map(statusOf);
      await sleep(200);
      caller.abort();
      expect(await leader).toBe("AbortError");
      release();
      // The clock stands still, so the followers cannot take the lane over as stuck: only the
      // leader's chain, which outlives its request, can answer them.
      const answered = await Promise.race([Promise.all(followers), sleep(3_000).then(() => "still waiting")]);
      expect(answered).toEqual([200, 200]);
    });
    expect(await storedWindow(clientId)).toHaveLength(4);
  });
});
