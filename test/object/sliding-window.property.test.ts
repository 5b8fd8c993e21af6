/**
 * Property tests of the exact sliding window (src/ratelimit/sliding-window.ts) with an injected
 * clock, against a brute-force oracle of the contract's rule: a request at time t is admitted iff
 * fewer than L requests were admitted in (t − 60 000, t]; refused requests do not count.
 */
import { runInDurableObject } from "cloudflare:test";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { rateLimitHeaders, retryAfterSeconds } from "../../src/domain/rate-limit-headers";
import { SlidingWindow, WINDOW_MS } from "../../src/domain/sliding-window";
import { authority, createClient, sha256HexOf, unrelatedSecret } from "../support/helpers";

/** The rule, by brute force: every admitted timestamp of the last 60 s, counted each time. */
class Oracle {
  /** Admitted timestamps that can still matter (time never goes back, so older ones never do). */
  live: number[] = [];

  private prune(t: number) {
    this.live = this.live.filter((a) => a > t - WINDOW_MS);
  }

  /** Admitted in (t − 60 s, t], counted one by one. */
  count(t: number): number {
    let n = 0;
    for (const a of this.live) if (a > t - WINDOW_MS && a <= t) n++;
    return n;
  }

  remainingAt(t: number, limit: number): number {
    return Math.max(0, limit - this.count(t));
  }

  /** One request at t: admitted iff fewer than `limit` were admitted in (t − 60 s, t]. */
  admit(t: number, limit: number): { admitted: boolean; remaining: number } {
    this.prune(t);
    if (this.count(t) < limit) {
      this.live.push(t);
      return { admitted: true, remaining: this.remainingAt(t, limit) };
    }
    return { admitted: false, remaining: 0 };
  }

  /**
   * The first moment after t at which Remaining (with nothing else sent) is larger than at t,
   * found by trying every moment an entry leaves the window; null when it never grows.
   */
  nextGrowth(t: number, limit: number): number | null {
    const now = this.remainingAt(t, limit);
    const candidates = [...new Set(this.live.map((a) => a + WINDOW_MS))].filter((x) => x > t).sort((a, b) => a - b);
    for (const x of candidates) if (this.remainingAt(x, limit) > now) return x;
    return null;
  }
}

type Step =
  | { kind: "gap"; ms: number; limit: number | null; count: number }
  /** Lands exactly 60 s (±1 ms) after an earlier request, when that is not in the past. */
  | { kind: "anchor"; back: number; delta: number; limit: number | null; count: number };

const gapMs = fc.oneof(
  { weight: 6, arbitrary: fc.constant(0) },
  { weight: 4, arbitrary: fc.integer({ min: 1, max: 3_000 }) },
  { weight: 2, arbitrary: fc.integer({ min: 59_990, max: 60_010 }) },
  { weight: 2, arbitrary: fc.constantFrom(59_999, 60_000, 60_001) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 130_000 }) },
);

function stepArb(limits: fc.Arbitrary<number>, maxBatch: number): fc.Arbitrary<Step> {
  const limitChange = fc.option(limits, { freq: 6 });
  const count = fc.oneof(
    { weight: 4, arbitrary: fc.constant(1) },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: maxBatch }) },
  );
  return fc.oneof(
    { weight: 3, arbitrary: fc.record({ kind: fc.constant("gap" as const), ms: gapMs, limit: limitChange, count }) },
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constant("anchor" as const),
        back: fc.nat({ max: 40 }),
        delta: fc.constantFrom(-1, 0, 0, 1),
        limit: limitChange,
        count,
      }),
    },
  );
}

interface Schedule {
  start: number;
  initialLimit: number;
  steps: Step[];
}

function scheduleArb(limits: fc.Arbitrary<number>, maxSteps: number, maxBatch: number): fc.Arbitrary<Schedule> {
  return fc.record({
    start: fc.integer({ min: 1_600_000_000_000, max: 1_900_000_000_000 }),
    initialLimit: limits,
    steps: fc.array(stepArb(limits, maxBatch), { minLength: 1, maxLength: maxSteps }),
  });
}

/**
 * Runs a schedule through three windows at once: one admitting each step as one batch, one
 * admitting the same requests one by one, and the oracle; checks every decision and every
 * header-relevant number against the oracle.
 */
function check(schedule: Schedule): void {
  const batched = new SlidingWindow();
  const single = new SlidingWindow();
  const oracle = new Oracle();
  const times: number[] = [];
  let t = schedule.start;
  let limit = schedule.initialLimit;

  for (const step of schedule.steps) {
    if (step.kind === "gap") t += step.ms;
    else if (times.length > 0) {
      const anchor = times[Math.max(0, times.length - 1 - step.back)]! + WINDOW_MS + step.delta;
      t = Math.max(t, anchor);
    }
    times.push(t);
    if (step.limit !== null) limit = step.limit;

    // The oracle, one request at a time.
    const expected = Array.from({ length: step.count }, () => oracle.admit(t, limit));
    const expectedAdmitted = expected.filter((e) => e.admitted).length;
    // Admission is a prefix: once one is refused at t, every later one at t is refused too.
    expect(expected.map((e) => e.admitted)).toEqual(expected.map((_, i) => i < expectedAdmitted));

    // admit(now, L, n) …
    const batch = batched.admit(t, limit, step.count);
    expect(batch.admitted).toBe(expectedAdmitted);
    expect(batch.limit).toBe(limit);
    expect(batch.remaining).toEqual(
      expectedAdmitted === 0 ? [0] : expected.filter((e) => e.admitted).map((e) => e.remaining),
    );

    // … equals n sequential admits.
    const singles = Array.from({ length: step.count }, () => single.admit(t, limit, 1));
    expect(singles.map((d) => d.admitted)).toEqual(expected.map((e) => (e.admitted ? 1 : 0)));
    expect(singles.map((d) => d.remaining[0])).toEqual(expected.map((e) => e.remaining));
    expect(singles.at(-1)!.resetAt).toBe(batch.resetAt);
    expect(batched.snapshot()).toEqual(single.snapshot());

    // The window holds exactly the admissions of the last 60 s, and no admission made any
    // 60 s interval ending at it hold more than the limit in force.
    expect(batched.snapshot()).toEqual(oracle.live);
    if (expectedAdmitted > 0) expect(oracle.count(t)).toBeLessThanOrEqual(limit);
    // Nothing is refused while fewer than L were admitted in the trailing 60 s.
    if (expectedAdmitted < step.count) expect(oracle.count(t)).toBeGreaterThanOrEqual(limit);

    // resetAt: the next moment Remaining grows, exactly.
    const remainingNow = oracle.remainingAt(t, limit);
    const growth = oracle.nextGrowth(t, limit);
    expect(growth).not.toBeNull(); // something was admitted (now or earlier), so it will leave
    expect(batch.resetAt).toBe(growth);
    expect(oracle.remainingAt(batch.resetAt - 1, limit)).toBe(remainingNow);
    expect(oracle.remainingAt(batch.resetAt, limit)).toBeGreaterThan(remainingNow);

    const state = { limit, remaining: batch.remaining.at(-1)!, resetAt: batch.resetAt, now: t };
    const headers = rateLimitHeaders(state);
    expect(headers["X-RateLimit-Limit"]).toBe(String(limit));
    expect(headers["X-RateLimit-Remaining"]).toBe(String(remainingNow));
    const resetSeconds = Number(headers["X-RateLimit-Reset"]);
    expect(Number.isInteger(resetSeconds)).toBe(true);
    // Unix seconds, rounded up: never before the moment, less than a second after it.
    expect(resetSeconds * 1000).toBeGreaterThanOrEqual(batch.resetAt);
    expect(resetSeconds * 1000 - batch.resetAt).toBeLessThan(1000);
    expect(headers["RateLimit-Policy"]).toBe(`"per-client";q=${limit};w=60`);
    expect(headers.RateLimit).toBe(`"per-client";r=${remainingNow};t=${Math.ceil((batch.resetAt - t) / 1000)}`);

    if (expectedAdmitted < step.count) {
      // A rejection: a request at resetAt is admitted when nothing else was sent, one a
      // millisecond earlier is not, and so are requests at Retry-After and at X-RateLimit-Reset.
      const retryAfter = retryAfterSeconds(state);
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter * 1000).toBeGreaterThanOrEqual(batch.resetAt - t);
      expect(retryAfter * 1000 - (batch.resetAt - t)).toBeLessThan(1000);
      const probe = (at: number) => new SlidingWindow(batched.snapshot()).admit(at, limit).admitted;
      expect(probe(batch.resetAt - 1)).toBe(0);
      expect(probe(batch.resetAt)).toBe(1);
      expect(probe(t + retryAfter * 1000)).toBe(1);
      expect(probe(resetSeconds * 1000)).toBe(1);
    }
  }
}

describe("SlidingWindow against a brute-force oracle", () => {
  it("decides every request of random schedules exactly (small limits, limit changes, batches, boundaries)", () => {
    fc.assert(
      fc.property(scheduleArb(fc.integer({ min: 1, max: 12 }), 120, 6), (schedule) => check(schedule)),
      { numRuns: 3_000 },
    );
  });

  it("stays exact with large limits and long schedules (bursts at one timestamp, storage compaction)", () => {
    const limits = fc.oneof(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 50, max: 1_000 }));
    fc.assert(
      fc.property(scheduleArb(limits, 400, 60), (schedule) => check(schedule)),
      { numRuns: 200 },
    );
  });

  it("keeps no 60 s interval above a constant limit (checked over every interval)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10 }), fc.array(gapMs, { minLength: 1, maxLength: 200 }), (limit, gaps) => {
        const w = new SlidingWindow();
        const admitted: number[] = [];
        const refused: number[] = [];
        let t = 1_700_000_000_000;
        for (const gap of gaps) {
          t += gap;
          if (w.admit(t, limit).admitted === 1) admitted.push(t);
          else refused.push(t);
        }
        // The busiest interval (a, a + 60 s] ends at an admission: check each one.
        for (const end of admitted) {
          expect(admitted.filter((a) => a > end - WINDOW_MS && a <= end).length).toBeLessThanOrEqual(limit);
        }
        // Every refusal had a full window behind it.
        for (const at of refused) {
          expect(admitted.filter((a) => a > at - WINDOW_MS && a <= at).length).toBeGreaterThanOrEqual(limit);
        }
      }),
      { numRuns: 2_000 },
    );
  });

  it("keeps a lowered limit's surplus until it expires, so raising it again does not over-admit", () => {
    const w = new SlidingWindow();
    const t0 = 1_700_000_000_000;
    expect(w.admit(t0, 10, 10).admitted).toBe(10);
    const lowered = w.admit(t0 + 1_000, 3);
    expect(lowered).toMatchObject({ admitted: 0, remaining: [0] });
    // Remaining grows above 0 only once 8 of the 10 have left: all 10 leave together at t0 + 60 s.
    expect(lowered.resetAt).toBe(t0 + WINDOW_MS);
    expect(w.admit(t0 + 2_000, 10).admitted).toBe(0);
    expect(w.admit(t0 + 2_000, 11)).toMatchObject({ admitted: 1, remaining: [0] });
    expect(w.admit(t0 + WINDOW_MS, 3)).toMatchObject({ admitted: 1, remaining: [1] });
  });

  it("restores from a persisted snapshot with the same decisions", () => {
    fc.assert(
      fc.property(
        scheduleArb(fc.integer({ min: 1, max: 8 }), 60, 4),
        fc.integer({ min: 0, max: 90_000 }),
        (schedule, later) => {
          const w = new SlidingWindow();
          let t = schedule.start;
          let limit = schedule.initialLimit;
          for (const step of schedule.steps) {
            t += step.kind === "gap" ? step.ms : 0;
            if (step.limit !== null) limit = step.limit;
            w.admit(t, limit, step.count);
          }
          const restored = new SlidingWindow(w.snapshot());
          const at = t + later;
          expect(restored.admit(at, limit, 3)).toEqual(w.admit(at, limit, 3));
        },
      ),
      { numRuns: 500 },
    );
  });
});

// ---- batches through the real Durable Object --------------------------------------------------

describe("admitBatch on the client's object: random batches with mixed proofs", () => {
  it("never admits more than L in any 60 s, never refuses a right secret while fewer than L were admitted, never counts a wrong one", async () => {
    const limit = 7;
    const client = await createClient({ rate_limit: limit });
    const right = { kind: "secret" as const, secretHash: await sha256HexOf(client.secret) };
    const wrong = { kind: "secret" as const, secretHash: await sha256HexOf(await unrelatedSecret()) };
    const stub = authority(client.id);
    const clock = { t: Date.now() };
    await runInDurableObject(stub as DurableObjectStub, (instance) => {
      (instance as unknown as { clock: { now: () => number } }).clock = { now: () => clock.t };
    });

    const steps = fc.sample(
      fc.record({
        gap: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 4_000 }), fc.integer({ min: 20_000, max: 61_000 })),
        proofs: fc.array(fc.boolean(), { minLength: 1, maxLength: 12 }),
      }),
      { numRuns: 120, seed: 10 },
    );
    const admitted: number[] = [];
    for (const step of steps) {
      clock.t += step.gap;
      const t = clock.t;
      const results = await stub.admitBatch({
        clientId: client.id,
        proofs: step.proofs.map((ok) => (ok ? right : wrong)),
      });
      expect(results).toHaveLength(step.proofs.length);
      step.proofs.forEach((ok, i) => {
        const r = results[i]!;
        if (!ok) {
          expect(r).toMatchObject({ outcome: "denied", code: "invalid_credentials" });
          return;
        }
        expect(r.outcome).toBe("decided");
        if (r.outcome !== "decided") return;
        const before = admitted.filter((a) => a > t - WINDOW_MS).length;
        // In order: admitted exactly when fewer than L were admitted before it (batch included).
        expect(r.admitted, `at ${t}, ${before} in window`).toBe(before < limit);
        if (r.admitted) {
          admitted.push(t);
          expect(r.remaining).toBe(limit - before - 1);
        }
      });
      // The persisted window holds exactly the admitted entries of the last 60 s.
      const stored = await runInDurableObject(stub as DurableObjectStub, (_i: unknown, state: DurableObjectState) =>
        state.storage.sql
          .exec<{ n: number }>("SELECT COUNT(*) AS n FROM window_ring WHERE ts > ?", t - WINDOW_MS)
          .one(),
      );
      expect(stored.n).toBe(admitted.filter((a) => a > t - WINDOW_MS).length);
    }
    // Never over L in any 60 s interval (each admission checked as the interval's end).
    for (const a of admitted)
      expect(admitted.filter((b) => b > a - WINDOW_MS && b <= a).length).toBeLessThanOrEqual(limit);
    expect(admitted.length).toBeGreaterThan(limit); // the schedule did cross windows
  });
});
