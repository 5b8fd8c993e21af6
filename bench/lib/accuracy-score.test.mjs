import { describe, expect, it } from "vitest";
import { scoreAccuracy } from "./accuracy-score.mjs";

const S = 1000;
/** A request sent at `sent` seconds and answered `latency` seconds later. */
const at = (sent, status, latency = 0.01) => ({ sent: sent * S, received: (sent + latency) * S, status });
const score = (samples, limit = 3) => scoreAccuracy(samples, { limit, start: 0 });

describe("scoreAccuracy", () => {
  it("counts admissions per 60 s window from the first admission, the last one partial", () => {
    const r = score([at(10, 429), at(12, 200), at(13, 200), at(14, 200), at(15, 429), at(80, 200), at(100, 429)]);
    // Windows start at 12 s: [12, 72) holds three, [72, 100.01] holds one and lasts 28 s.
    expect(r.windows).toEqual([3, 1]);
    expect(r.last_window_seconds).toBe(28);
    expect(r.admitted_per_limit).toEqual([1, 0.333]);
    expect(r.first_admission_after_s).toBe(12);
    expect(r.over_admitted).toBe(0);
    expect(r.under_admitted).toBe(0);
    expect(r.statuses).toEqual({ 200: 4, 429: 3 });
    expect(r.offered).toBe(7);
  });

  it("places an admission where its answer arrived", () => {
    // Sent at 59.9 s but answered at 60.5 s: it belongs to the second window.
    const r = score([at(0, 200), at(59.9, 200, 0.6), at(61, 429)]);
    expect(r.windows).toEqual([1, 1]);
  });

  it("shows over-admission in a full window and in the most admitted in any 60 s", () => {
    const samples = [at(0, 200), at(10, 200), at(20, 200), at(30, 200), at(50, 200), at(125, 429)];
    const r = score(samples);
    expect(r.windows).toEqual([5, 0, 0]);
    expect(r.over_admitted).toBe(2);
    expect(r.max_admitted_in_any_60s).toBe(5);
  });

  it("finds the busiest 60 s even when it straddles two windows", () => {
    const r = score([at(0, 200), at(50, 200), at(55, 200), at(65, 200), at(70, 200), at(130, 429)], 5);
    expect(r.windows).toEqual([3, 2, 0]);
    expect(r.max_admitted_in_any_60s).toBe(4);
  });

  it("counts a 429 as wrong only when fewer than the limit could have been admitted in its trailing 60 s", () => {
    const samples = [at(0, 200), at(1, 200), at(2, 429), at(3, 200), at(4, 429), at(70, 429)];
    const r = score(samples);
    // At 2 s only two were admitted (wrong); at 4 s three were (right); at 70 s none within 60 s (wrong).
    expect(r.wrongly_rejected).toBe(2);
  });

  it("gives a refusal the benefit of the doubt for admissions still in flight", () => {
    // The third admission was sent before the 429 was answered, so it may have come first.
    const samples = [at(0, 200), at(1, 200), at(2, 200, 5), at(3, 429)];
    expect(score(samples).wrongly_rejected).toBe(0);
  });

  it("reports under-admission in full windows, and requests without an answer", () => {
    const samples = [at(0, 200), at(30, 429), { sent: 31 * S, received: 46 * S, status: 0, error: "error ECONNRESET" }];
    const r = score([...samples, at(61, 429)]);
    expect(r.windows).toEqual([1, 0]);
    expect(r.under_admitted).toBe(2);
    expect(r.unknown_outcomes).toBe(1);
    expect(r.statuses).toEqual({ 200: 1, 429: 2, "error ECONNRESET": 1 });
  });

  it("has no windows when nothing was admitted", () => {
    const r = score([at(0, 429), at(1, 429)]);
    expect(r.windows).toEqual([]);
    expect(r.last_window_seconds).toBeNull();
    expect(r.first_admission_after_s).toBeNull();
    expect(r.max_admitted_in_any_60s).toBe(0);
    expect(r.wrongly_rejected).toBe(2);
  });
});
