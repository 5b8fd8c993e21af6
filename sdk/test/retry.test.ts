import { describe, expect, it } from "vitest";
import { Nafsi, NafsiError } from "../src/index.js";
import { BACKOFF_BASE_MS, BACKOFF_CAP_MS, MAX_TIMER_MS, type RetryInfo, retryDelayMs } from "../src/retry.js";
import { fakeRuntime, json, rateLimited } from "./fakes.js";

const BASE = "http://gateway.test";
const ok = () => json(200, { authenticated: true });

function client(net: ReturnType<typeof fakeRuntime>, options: Partial<Parameters<typeof Nafsi.init>[0]> = {}) {
  return Nafsi.init({
    clientId: "nafsi_test_abc",
    clientSecret: "sk_test_xyz",
    baseUrl: BASE,
    fetch: net.fetch,
    runtime: net.runtime,
    ...options,
  } as Parameters<typeof Nafsi.init>[0]);
}

describe("retries on 429 and 503", () => {
  it("waits Retry-After seconds, then succeeds", async () => {
    const net = fakeRuntime([rateLimited({ "Retry-After": "7" }), ok()]);
    net.state.randomValue = 0;
    await expect(client(net).request("/v1/verify")).resolves.toEqual({ authenticated: true });
    expect(net.sent).toHaveLength(2);
    expect(net.waits).toEqual([7000]);
  });

  it("reads Retry-After as an HTTP date against the clock", async () => {
    const net = fakeRuntime([]);
    const at = new Date(net.state.now + 12_000).toUTCString();
    net.steps.push(json(503, { error: { code: "service_unavailable", message: "x" } }, { "Retry-After": at }), ok());
    net.state.randomValue = 0;
    await client(net).request("/v1/verify");
    expect(net.waits).toEqual([12_000]);
  });

  it("falls back to the IETF RateLimit header's t= when there is no Retry-After", async () => {
    const net = fakeRuntime([rateLimited({ RateLimit: '"per-client";r=0;t=4' }), ok()]);
    net.state.randomValue = 0;
    await client(net).request("/v1/verify");
    expect(net.waits).toEqual([4000]);
  });

  it("adds at most 10 % jitter", async () => {
    for (const [random, expected] of [
      [0, 10_000],
      [0.5, 10_500],
      [0.999, 10_999],
    ] as const) {
      const net = fakeRuntime([rateLimited({ "Retry-After": "10" }), ok()]);
      net.state.randomValue = random;
      await client(net).request("/v1/verify");
      expect(net.waits[0]).toBeCloseTo(expected, 6);
      expect(net.waits[0]).toBeGreaterThanOrEqual(10_000);
      expect(net.waits[0]).toBeLessThan(11_000);
    }
  });

  it("never waits longer than maxRetryDelayMs, even with jitter", async () => {
    const net = fakeRuntime([rateLimited({ "Retry-After": "60" }), ok()]);
    net.state.randomValue = 0.99;
    await client(net).request("/v1/verify");
    expect(net.waits).toEqual([60_000]);
  });

  it("throws at once when Retry-After exceeds maxRetryDelayMs", async () => {
    const net = fakeRuntime([rateLimited({ "Retry-After": "30", "X-Request-Id": "req-abc" }), ok()]);
    const error = await client(net, { maxRetryDelayMs: 5_000 })
      .request("/v1/verify")
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NafsiError);
    expect(error).toMatchObject({ status: 429, code: "rate_limit_exceeded", retryAfter: 30, requestId: "req-abc" });
    expect(net.sent).toHaveLength(1);
    expect(net.waits).toEqual([]);
  });

  it("gives up after maxRetries and throws the last answer's error", async () => {
    const net = fakeRuntime(Array.from({ length: 5 }, () => rateLimited({ "Retry-After": "1" })));
    const error = await client(net, { maxRetries: 2 })
      .request("/v1/verify")
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 429, code: "rate_limit_exceeded", retryAfter: 1 });
    expect(net.sent).toHaveLength(3);
    expect(net.waits).toHaveLength(2);
  });

  it("lets request() override the retry defaults given to init", async () => {
    const net = fakeRuntime([rateLimited({ "Retry-After": "1" }), ok()]);
    const nafsi = client(net, { maxRetries: 0 });
    await expect(nafsi.request("/v1/verify", { maxRetries: 1 })).resolves.toEqual({ authenticated: true });
  });

  it("retries a POST refused with 429 (it was not processed)", async () => {
    const net = fakeRuntime([rateLimited({ "Retry-After": "1" }), ok()]);
    await client(net).request("/v1/verify", { method: "POST", body: { document: "passport" } });
    expect(net.sent.map((s) => s.method)).toEqual(["POST", "POST"]);
    expect(net.sent[1]!.body).toEqual({ document: "passport" });
  });

  it("does not retry a POST after a 503 without Retry-After", async () => {
    const net = fakeRuntime([json(503, { error: { code: "service_unavailable", message: "down" } }), ok()]);
    await expect(client(net).request("/v1/x", { method: "POST" })).rejects.toMatchObject({
      code: "service_unavailable",
    });
    expect(net.sent).toHaveLength(1);
  });

  it("does not retry other errors", async () => {
    const net = fakeRuntime([
      json(401, { error: { code: "invalid_credentials", message: "Invalid client credentials" } }),
      ok(),
    ]);
    const error = await client(net)
      .request("/v1/verify")
      .catch((e: unknown) => e);
    expect(error).toMatchObject({
      status: 401,
      code: "invalid_credentials",
      message: "Invalid client credentials",
      requestId: "req-401",
      retryAfter: null,
    });
    expect(net.sent).toHaveLength(1);
  });
});

describe("network errors", () => {
  it("back off exponentially with full jitter on idempotent methods, capped at 8 s", async () => {
    const failures = Array.from({ length: 7 }, () => new TypeError("fetch failed"));
    const net = fakeRuntime([...failures, ok()]);
    net.state.randomValue = 0.999999;
    await client(net, { maxRetries: 7 }).request("/v1/verify");
    const ceilings = net.waits.map((_, i) => Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** i));
    expect(ceilings).toEqual([500, 1000, 2000, 4000, 8000, 8000, 8000]);
    net.waits.forEach((wait, i) => {
      expect(wait).toBeLessThan(ceilings[i]!);
      expect(wait).toBeGreaterThan(ceilings[i]! * 0.999);
    });
  });

  it("full jitter can wait nothing at all", () => {
    const base = { method: "GET", status: null, serverDelay: null, maxRetries: 3, maxRetryDelayMs: 60_000 };
    expect(retryDelayMs({ ...base, retries: 2, random: () => 0 })).toBe(0);
    expect(retryDelayMs({ ...base, retries: 3, random: () => 0 })).toBeNull();
  });

  it("are not retried for a POST, which may have been processed", async () => {
    const net = fakeRuntime([new TypeError("fetch failed"), ok()]);
    const error = await client(net)
      .request("/v1/verify", { method: "POST", body: {} })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NafsiError);
    expect(error).toMatchObject({ status: 0, code: "network_error" });
    expect((error as Error).cause).toBeInstanceOf(TypeError);
    expect(net.sent).toHaveLength(1);
    expect(net.waits).toEqual([]);
  });
});

describe("abort", () => {
  it("cuts a Retry-After wait short (the real sleep, a real signal)", async () => {
    const net = fakeRuntime([rateLimited({ "Retry-After": "30" }), ok()]);
    const { sleep: _fakeSleep, ...withRealSleep } = net.runtime;
    const nafsi = client(net, { runtime: withRealSleep } as never);
    const controller = new AbortController();
    const pending = nafsi.request("/v1/verify", { signal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    await expect(pending).rejects.toMatchObject({ name: "AbortError" });
    expect(net.sent).toHaveLength(1);
  });

  it("rejects with the signal's reason and sends nothing when already aborted", async () => {
    const net = fakeRuntime([ok()]);
    const controller = new AbortController();
    controller.abort(new Error("user left"));
    const realFetch = (input: RequestInfo | URL, init?: RequestInit) => {
      init?.signal?.throwIfAborted();
      return net.fetch(input, init);
    };
    await expect(
      client(net, { fetch: realFetch as typeof fetch }).request("/v1/verify", { signal: controller.signal }),
    ).rejects.toThrow("user left");
    expect(net.sent).toHaveLength(0);
  });
});

describe("waits a timer can hold", () => {
  // 2 147 484 s is just over 2^31 - 1 ms: setTimeout would fire at once instead of waiting.
  const beyondTimer = () => rateLimited({ "Retry-After": "2147484" });

  it("a Retry-After beyond 2^31 - 1 ms throws at once, however large maxRetryDelayMs (the real sleep)", async () => {
    for (const maxRetryDelayMs of [2 ** 31, 2 ** 40, Infinity]) {
      const net = fakeRuntime([beyondTimer(), beyondTimer(), beyondTimer(), beyondTimer()]);
      const { sleep: _fakeSleep, ...withRealSleep } = net.runtime;
      const error = await client(net, { maxRetryDelayMs, runtime: withRealSleep } as never)
        .request("/v1/verify")
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ status: 429, code: "rate_limit_exceeded", retryAfter: 2147484 });
      expect(net.sent, String(maxRetryDelayMs)).toHaveLength(1);
    }
  });

  it("no wait exceeds 2^31 - 1 ms, jitter included", async () => {
    const net = fakeRuntime([rateLimited({ "Retry-After": "2147483" }), ok()]);
    net.state.randomValue = 0.99;
    await client(net, { maxRetryDelayMs: Infinity }).request("/v1/verify");
    expect(net.waits).toEqual([MAX_TIMER_MS]);
  });

  it("a NaN maxRetryDelayMs or maxRetries means the default, not 'no wait' or 'forever'", async () => {
    const net = fakeRuntime([rateLimited({ "Retry-After": "30" }), ok()]);
    net.state.randomValue = 0;
    await client(net, { maxRetryDelayMs: NaN }).request("/v1/verify");
    expect(net.waits).toEqual([30_000]);
    const tooLong = fakeRuntime([rateLimited({ "Retry-After": "61" }), ok()]);
    await expect(client(tooLong, { maxRetryDelayMs: NaN }).request("/v1/verify")).rejects.toMatchObject({
      code: "rate_limit_exceeded",
    });
    expect(tooLong.sent).toHaveLength(1);
    const forever = fakeRuntime(Array.from({ length: 10 }, () => rateLimited({ "Retry-After": "1" })));
    await expect(client(forever, { maxRetries: NaN }).request("/v1/verify")).rejects.toMatchObject({
      code: "rate_limit_exceeded",
    });
    expect(forever.sent).toHaveLength(4);
  });
});

describe("onRetry", () => {
  it("is called before each wait with the attempt, the delay and the error", async () => {
    const net = fakeRuntime([rateLimited({ "Retry-After": "7" }), new TypeError("fetch failed"), ok()]);
    net.state.randomValue = 0;
    const seen: (RetryInfo & { waitsSoFar: number })[] = [];
    await client(net, { onRetry: (info: RetryInfo) => seen.push({ ...info, waitsSoFar: net.waits.length }) }).request(
      "/v1/verify",
    );
    expect(seen).toHaveLength(2);
    expect(seen[0]).toMatchObject({ attempt: 1, delayMs: 7000, waitsSoFar: 0 });
    expect(seen[0]!.error).toBeInstanceOf(NafsiError);
    expect(seen[0]!.error).toMatchObject({ status: 429, code: "rate_limit_exceeded", retryAfter: 7 });
    expect(seen[1]).toMatchObject({ attempt: 2, delayMs: net.waits[1], waitsSoFar: 1 });
    expect(seen[1]!.error).toMatchObject({ status: 0, code: "network_error" });
    expect(net.waits).toEqual([7000, net.waits[1]]);
  });

  it("is not called when nothing is retried: success, an error not retried, a Retry-After too long", async () => {
    const calls: RetryInfo[] = [];
    const onRetry = (info: RetryInfo) => calls.push(info);
    await client(fakeRuntime([ok()]), { onRetry }).request("/v1/verify");
    await client(fakeRuntime([json(401, { error: { code: "invalid_credentials", message: "x" } })]), { onRetry })
      .request("/v1/verify")
      .catch(() => null);
    await client(fakeRuntime([rateLimited({ "Retry-After": "120" })]), { onRetry })
      .request("/v1/verify")
      .catch(() => null);
    expect(calls).toEqual([]);
  });

  it("counts every retry up to maxRetries; not for the final failure", async () => {
    const net = fakeRuntime(Array.from({ length: 4 }, () => rateLimited({ "Retry-After": "1" })));
    const attempts: number[] = [];
    await client(net, { onRetry: ({ attempt }: RetryInfo) => attempts.push(attempt) })
      .request("/v1/verify")
      .catch(() => null);
    expect(attempts).toEqual([1, 2, 3]);
    expect(net.sent).toHaveLength(4);
  });

  it("given to request() replaces the one given to init", async () => {
    const fromInit: number[] = [];
    const fromRequest: number[] = [];
    const net = fakeRuntime([rateLimited({ "Retry-After": "1" }), ok(), rateLimited({ "Retry-After": "1" }), ok()]);
    const nafsi = client(net, { onRetry: ({ attempt }: RetryInfo) => fromInit.push(attempt) });
    await nafsi.request("/v1/verify", { onRetry: ({ attempt }) => fromRequest.push(attempt) });
    expect(fromInit).toEqual([]);
    expect(fromRequest).toEqual([1]);
    await nafsi.request("/v1/verify");
    expect(fromInit).toEqual([1]);
  });

  it("that throws stops the call with its error, before any wait", async () => {
    const net = fakeRuntime([rateLimited({ "Retry-After": "1" }), ok()]);
    const stop = new Error("the user gave up");
    await expect(
      client(net, {
        onRetry: () => {
          throw stop;
        },
      }).request("/v1/verify"),
    ).rejects.toBe(stop);
    expect(net.waits).toEqual([]);
    expect(net.sent).toHaveLength(1);
  });
});
