/**
 * One client's concurrent requests in an isolate share one call to its Durable Object (issue 10).
 * The namespace is wrapped so that the test sees, and can break, each call the edge makes.
 */
import { describe, expect, it } from "vitest";
import { appWithEnv, createClient, env, sleep, statusOf, storedWindow } from "../support/helpers";

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

  it("a lane taken over as stuck stays with its new chain when the old call ends", async () => {
    const client = await createClient({ rate_limit: 100 });
    const send = () => statusOf(app.fetch("/v1/x", { headers: headers(client.id, client.secret) }));
    const spans: { start: number; end: number }[] = [];
    const { namespace } = recordingNamespace(async (n, forward) => {
      const span = { start: Date.now(), end: 0 };
      spans.push(span);
      // The first call hangs past STUCK_MS (5 s); the second, from the request that takes the lane
      // over, is still in flight when the first ends.
      if (n === 1) await sleep(5_300);
      if (n === 2) await sleep(500);
      const answer = await forward();
      span.end = Date.now();
      return answer;
    });
    const app = appWithEnv({ CLIENT_AUTHORITY: namespace });
    const first = send();
    await sleep(5_100);
    const takeover = send(); // the lane has been busy for over 5 s: this request leads a new chain
    await sleep(350); // the first call has ended meanwhile; the second has not
    const third = send();
    expect(await Promise.all([first, takeover, third])).toEqual([200, 200, 200]);
    await app.settle();
    expect(spans).toHaveLength(3);
    // The first chain's end did not free the lane: the third request waited for the second call
    // and rode on the call after it, instead of calling alongside it.
    expect(spans[2]!.start).toBeGreaterThanOrEqual(spans[1]!.end);
  }, 15_000);
});
