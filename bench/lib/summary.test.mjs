import { describe, expect, it } from "vitest";
import { callsPerRequest, sumCalls, summarize } from "./summary.mjs";

const run = (rps, responses, doCalls, statuses = { 200: responses }) => ({
  rps,
  p50_ms: 1,
  p99_ms: 2,
  responses,
  statuses,
  errors: 0,
  timeouts: 0,
  cpu_ms_per_request: [0.5],
  cpu_utilisation: [1],
  do_calls: doCalls,
  runtime_errors: {},
});

describe("Durable Object calls", () => {
  it("sums calls by binding and method, leaving out those set aside", () => {
    const calls = sumCalls([
      { CLIENT_AUTHORITY: { admit: 90, complete: 5 }, "CLIENT_AUTHORITY (set aside)": { admit: 40 } },
      { CLIENT_AUTHORITY: { admit: 10 }, HRL_LIMITER: { update: 3 } },
    ]);
    expect(calls).toEqual({
      total: 108,
      by_method: { "CLIENT_AUTHORITY.admit": 100, "CLIENT_AUTHORITY.complete": 5, "HRL_LIMITER.update": 3 },
    });
  });

  it("divides them by the requests answered in all rounds together", () => {
    const rounds = [
      run(1, 100, { CLIENT_AUTHORITY: { admit: 100 } }),
      run(1, 300, { CLIENT_AUTHORITY: { admit: 50 } }),
    ];
    expect(callsPerRequest(rounds)).toBe(0.375);
    expect(callsPerRequest([run(1, 50, {})])).toBe(0);
    expect(callsPerRequest([run(0, 0, {})])).toBeNull();
  });
});

describe("summarize", () => {
  it("reports the means of the rounds, the ratio to the baseline, calls per request and unexpected answers", () => {
    const scenarios = { baseline: { expect: ["200"] }, flood: { expect: ["429", "200"] } };
    const rounds = {
      baseline: [run(1000, 6000, {}), run(3000, 18000, {})],
      flood: [
        run(500, 3000, { CLIENT_AUTHORITY: { admit: 3000 } }, { 429: 2990, 200: 10 }),
        run(500, 3000, { CLIENT_AUTHORITY: { admit: 3000 } }, { 429: 2999, 503: 1 }),
      ],
    };
    const [baseline, flood] = summarize(["baseline", "flood"], scenarios, rounds, { withCpu: true });
    expect(baseline).toMatchObject({ name: "baseline", rps: 2000, ratio_to_baseline: 1, do_calls_per_request: 0 });
    expect(flood).toMatchObject({
      rps: 500,
      ratio_to_baseline: 0.25,
      worker_cpu_ms_per_request: 0.5,
      do_calls_per_request: 1,
      do_calls: { "CLIENT_AUTHORITY.admit": 6000 },
      statuses: { 429: 5989, 200: 10, 503: 1 },
      unexpected_answers: 1,
    });
    expect(flood.rounds.map((r) => r.do_calls_per_request)).toEqual([1, 1]);
    // Each round against its own baseline: 500/1000 and 500/3000.
    expect(flood.rounds.map((r) => r.ratio_to_baseline)).toEqual([0.5, 0.17]);
  });

  it("leaves the per-round ratios out when the baseline did not run", () => {
    const scenarios = { flood: { expect: ["429"] } };
    const [flood] = summarize(["flood"], scenarios, { flood: [run(500, 3000, {}, { 429: 3000 })] }, { withCpu: false });
    expect(flood.ratio_to_baseline).toBeNull();
    expect(flood.rounds[0].ratio_to_baseline).toBeNull();
  });
});
