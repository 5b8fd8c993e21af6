/**
 * The exact per-client limit through the real Worker: concurrency, Durable Object restarts,
 * limit changes, refused requests not counting, and the rate-limit headers against the window the
 * client's Durable Object has persisted.
 */
import { abortAllDurableObjects } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { manualClockEverywhere, shiftIsolateClock } from "../support/clock";
import { REMEMBER_MS } from "../../src/edge/refusal-memory";
import {
  call,
  createClient,
  expectError,
  limitHeaders,
  patchClient,
  storedWindow,
  withSecret,
} from "../support/helpers";

const WINDOW_MS = 60_000;

/** What X-RateLimit-Reset must be for a window (oldest first) at a limit: the next growth of Remaining. */
function expectedResetMs(window: number[], limit: number): number {
  return window[Math.max(0, window.length - limit)]! + WINDOW_MS;
}

async function expect429(res: Response, limit: number): Promise<number> {
  const headers = limitHeaders(res);
  const error = await expectError(res, 429, "rate_limit_exceeded");
  expect(error).toEqual({
    code: "rate_limit_exceeded",
    message: `Rate limit of ${limit} requests/minute exceeded`,
    retry_after: headers.retryAfter,
  });
  expect(Number.isInteger(headers.retryAfter)).toBe(true);
  expect(headers.retryAfter).toBeGreaterThanOrEqual(1);
  expect(headers.retryAfter).toBeLessThanOrEqual(60);
  expect(headers.limit).toBe(limit);
  expect(headers.remaining).toBe(0);
  expect(Number.isInteger(headers.reset)).toBe(true);
  // The gateway's own request ID, as on every answer (the 429 is returned, not thrown).
  expect(res.headers.get("X-Request-Id")).toMatch(
    /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
  );
  expect(res.headers.get("Content-Type")).toBe("application/json");
  return headers.retryAfter!;
}

describe("concurrency", () => {
  it("60 parallel requests at limit 25 admit exactly 25; the other 35 get the contract's 429", async () => {
    const client = await createClient({ rate_limit: 25 });
    const responses = await Promise.all(Array.from({ length: 60 }, () => withSecret(client.id, client.secret)));

    const admitted = responses.filter((r) => r.status === 200);
    const limited = responses.filter((r) => r.status !== 200);
    expect(admitted).toHaveLength(25);
    expect(limited).toHaveLength(35);
    // Each admission saw its own slot: Remaining 24, 23, … 0, each exactly once.
    expect(admitted.map((r) => limitHeaders(r).remaining).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 25 }, (_, i) => i),
    );
    for (const r of admitted) expect(limitHeaders(r).limit).toBe(25);
    for (const r of limited) await expect429(r, 25);

    // Exactly the admitted requests are stored (refused ones do not count), and no more than L.
    expect(await storedWindow(client.id)).toHaveLength(25);
    await expect429(await withSecret(client.id, client.secret), 25);
  });

  it("stays exact when the burst hits a cold Durable Object (just restarted)", async () => {
    const client = await createClient({ rate_limit: 7 });
    await abortAllDurableObjects();
    const statuses = (await Promise.all(Array.from({ length: 30 }, () => withSecret(client.id, client.secret)))).map(
      (r) => r.status,
    );
    expect(statuses.filter((s) => s === 200)).toHaveLength(7);
    expect(statuses.filter((s) => s === 429)).toHaveLength(23);
  });

  it("counts clients separately: one client's burst does not touch another's window", async () => {
    const a = await createClient({ rate_limit: 5 });
    const b = await createClient({ rate_limit: 5 });
    const [ra, rb] = await Promise.all([
      Promise.all(Array.from({ length: 12 }, () => withSecret(a.id, a.secret))),
      Promise.all(Array.from({ length: 3 }, () => withSecret(b.id, b.secret))),
    ]);
    expect(ra.filter((r) => r.status === 200)).toHaveLength(5);
    expect(rb.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(limitHeaders(await withSecret(b.id, b.secret)).remaining).toBe(1);
  });
});

describe("Durable Object restart", () => {
  it("loses nothing: L−1 slots used, restart, exactly one more is admitted, then 429", async () => {
    const client = await createClient({ rate_limit: 5 });
    for (let i = 0; i < 4; i++) expect((await withSecret(client.id, client.secret)).status).toBe(200);

    await abortAllDurableObjects();
    const last = await withSecret(client.id, client.secret);
    expect(last.status).toBe(200);
    expect(limitHeaders(last).remaining).toBe(0);

    await abortAllDurableObjects();
    await expect429(await withSecret(client.id, client.secret), 5);
  });

  it("keeps a changed limit and the client's status across a restart", async () => {
    const client = await createClient({ rate_limit: 2 });
    await patchClient(client.id, { rate_limit: 3 });
    await abortAllDurableObjects();
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await withSecret(client.id, client.secret)).status);
    expect(statuses).toEqual([200, 200, 200, 429]);

    await patchClient(client.id, { status: "inactive" });
    await abortAllDurableObjects();
    // Past the second in which this isolate may repeat the 429 above from memory.
    shiftIsolateClock(REMEMBER_MS);
    await expectError(await withSecret(client.id, client.secret), 401, "client_inactive");
  });
});

describe("limit changes", () => {
  it("apply within a second (a refusal may be repeated from memory that long) without resetting the window, raised or lowered", async () => {
    const client = await createClient({ rate_limit: 3 });
    const clock = await manualClockEverywhere(client.id);
    for (let i = 0; i < 3; i++) expect((await withSecret(client.id, client.secret)).status).toBe(200);
    await expect429(await withSecret(client.id, client.secret), 3);

    // Raised: admitted once the remembered refusal is a second old, and the 3 earlier admissions still count.
    await patchClient(client.id, { rate_limit: 6 });
    clock.advance(REMEMBER_MS);
    const raised = await withSecret(client.id, client.secret);
    expect(raised.status).toBe(200);
    expect(limitHeaders(raised)).toMatchObject({ limit: 6, remaining: 2 });
    for (let i = 0; i < 2; i++) expect((await withSecret(client.id, client.secret)).status).toBe(200);
    await expect429(await withSecret(client.id, client.secret), 6);

    // Lowered below what the window holds: refused, with the new limit in the answer once the
    // object is asked again.
    await patchClient(client.id, { rate_limit: 2 });
    clock.advance(REMEMBER_MS);
    const lowered = await withSecret(client.id, client.secret);
    await expect429(lowered.clone(), 2);
    // Remaining grows only once 5 of the 6 stored admissions have left the window.
    const window = await storedWindow(client.id);
    expect(window).toHaveLength(6);
    expect(limitHeaders(lowered).reset).toBe(Math.ceil(expectedResetMs(window, 2) / 1000));

    // Raised again within the minute: the surplus still counts, so only one more fits under 7.
    await patchClient(client.id, { rate_limit: 7 });
    clock.advance(REMEMBER_MS);
    const again = await withSecret(client.id, client.secret);
    expect(again.status).toBe(200);
    expect(limitHeaders(again)).toMatchObject({ limit: 7, remaining: 0 });
    await expect429(await withSecret(client.id, client.secret), 7);
  });

  it("a raise during a burst of 429s admits within a second (no cached 'limited until' beyond it)", async () => {
    const client = await createClient({ rate_limit: 1 });
    const clock = await manualClockEverywhere(client.id);
    expect((await withSecret(client.id, client.secret)).status).toBe(200);
    for (let i = 0; i < 5; i++) expect((await withSecret(client.id, client.secret)).status).toBe(429);
    await patchClient(client.id, { rate_limit: 2 });
    clock.advance(REMEMBER_MS - 1);
    expect((await withSecret(client.id, client.secret)).status).toBe(429);
    clock.advance(1);
    expect((await withSecret(client.id, client.secret)).status).toBe(200);
  });
});

describe("refused requests do not count", () => {
  it("requests refused at authentication consume no slot", async () => {
    const client = await createClient({ rate_limit: 4 });
    const other = await createClient({ rate_limit: 4 });
    const refused = [
      call("/v1/verify", { headers: { "X-Client-ID": client.id } }), // missing_credentials
      withSecret(client.id, client.secret + "x"), // malformed
      withSecret(client.id, other.secret), // wrong secret (twice: the second may be decided by the isolate)
      withSecret(client.id, other.secret),
      call("/v1/verify", {
        headers: { "X-Client-ID": client.id, "X-Client-Secret": client.secret, "X-Workflow-ID": "wf_x" },
      }), // 400
    ];
    for (const res of await Promise.all(refused)) {
      expect([400, 401]).toContain(res.status);
      await res.body?.cancel();
    }
    await patchClient(client.id, { status: "inactive" });
    for (let i = 0; i < 3; i++) await expectError(await withSecret(client.id, client.secret), 401, "client_inactive");
    await patchClient(client.id, { status: "active" });

    expect(await storedWindow(client.id)).toHaveLength(0);
    const first = await withSecret(client.id, client.secret);
    expect(first.status).toBe(200);
    expect(limitHeaders(first).remaining).toBe(3);
  });

  it("wrong secrets sent concurrently with valid ones take none of the valid ones' slots", async () => {
    const client = await createClient({ rate_limit: 25 });
    const other = await createClient();
    const all = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        i % 2 === 0 ? withSecret(client.id, client.secret) : withSecret(client.id, other.secret),
      ),
    );
    expect(all.filter((r, i) => i % 2 === 0 && r.status === 200)).toHaveLength(20);
    expect(all.filter((r, i) => i % 2 === 1 && r.status === 401)).toHaveLength(20);
    expect(limitHeaders(await withSecret(client.id, client.secret)).remaining).toBe(25 - 21);
  });
});

describe("rate-limit headers", () => {
  it("every admitted answer carries X-RateLimit-* and the IETF draft headers, matching the stored window", async () => {
    const client = await createClient({ rate_limit: 4 });
    for (let i = 1; i <= 4; i++) {
      const before = Date.now();
      const res = await withSecret(client.id, client.secret);
      const after = Date.now();
      expect(res.status).toBe(200);
      const h = limitHeaders(res);
      const window = await storedWindow(client.id);
      expect(window).toHaveLength(i);
      const resetMs = expectedResetMs(window, 4);
      expect(h).toMatchObject({ limit: 4, remaining: 4 - i, retryAfter: null });
      // Unix seconds, rounded up, of the moment Remaining next grows.
      expect(h.reset).toBe(Math.ceil(resetMs / 1000));
      expect(h.policy).toBe(`"per-client";q=4;w=60`);
      const t = Number(/^"per-client";r=(\d+);t=(\d+)$/.exec(h.rateLimit ?? "")?.[2]);
      expect(h.rateLimit).toMatch(new RegExp(`^"per-client";r=${4 - i};t=\\d+$`));
      // t = seconds from the decision (between before and after) to that moment, rounded up.
      expect(t).toBeGreaterThanOrEqual(Math.ceil((resetMs - after) / 1000));
      expect(t).toBeLessThanOrEqual(Math.ceil((resetMs - before) / 1000));
    }
  });

  it("a 429 carries Retry-After, X-RateLimit-Reset of the next admission, and both IETF headers", async () => {
    const client = await createClient({ environment: "sandbox" });
    for (let i = 0; i < 10; i++) expect((await withSecret(client.id, client.secret)).status).toBe(200);
    const before = Date.now();
    const res = await withSecret(client.id, client.secret);
    const after = Date.now();
    const h = limitHeaders(res);
    await expect429(res, 10);
    const window = await storedWindow(client.id);
    const resetMs = expectedResetMs(window, 10);
    expect(h.reset).toBe(Math.ceil(resetMs / 1000));
    expect(h.retryAfter).toBeGreaterThanOrEqual(Math.max(1, Math.ceil((resetMs - after) / 1000)));
    expect(h.retryAfter).toBeLessThanOrEqual(Math.ceil((resetMs - before) / 1000));
    expect(h.policy).toBe(`"per-client";q=10;w=60`);
    expect(h.rateLimit).toBe(`"per-client";r=0;t=${h.retryAfter}`);
  });

  it("a retry after Retry-After seconds is admitted (on the object's clock, no sleeping)", async () => {
    const client = await createClient({ environment: "sandbox" });
    const clock = await manualClockEverywhere(client.id);
    for (let i = 0; i < 10; i++) {
      expect((await withSecret(client.id, client.secret)).status).toBe(200);
      clock.advance(1000); // one admission a second: they leave the window one by one
    }
    const limited = await withSecret(client.id, client.secret);
    const h = limitHeaders(limited);
    const retryAfter = await expect429(limited, 10);
    // The first admission (at start) leaves the window at start + 60 s; 10 s have passed.
    expect(retryAfter).toBe(50);
    expect(h.reset).toBe(Math.ceil((clock.now() + 50_000) / 1000));
    clock.advance(retryAfter * 1000 - 1);
    await expect429(await withSecret(client.id, client.secret), 10);
    clock.advance(1);
    const retried = await withSecret(client.id, client.secret);
    expect(retried.status).toBe(200);
    expect(limitHeaders(retried).remaining).toBe(0);
  });

  it("the window is exactly (t − 60 s, t]: an admission leaves it 60 s later to the millisecond", async () => {
    const client = await createClient({ rate_limit: 3 });
    const clock = await manualClockEverywhere(client.id);
    const start = clock.now();
    for (const offset of [0, 10_000, 20_000]) {
      clock.set(start + offset);
      expect((await withSecret(client.id, client.secret)).status).toBe(200);
    }
    clock.set(start + 59_999);
    await expect429(await withSecret(client.id, client.secret), 3);
    clock.set(start + 60_000);
    expect((await withSecret(client.id, client.secret)).status).toBe(200);
    await expect429(await withSecret(client.id, client.secret), 3);
    clock.set(start + 70_000);
    expect((await withSecret(client.id, client.secret)).status).toBe(200);
  });
});
