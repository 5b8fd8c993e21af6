import { describe, expect, it } from "vitest";
import { costPerMillion } from "./prices.mjs";
import { callsPerRequest, costFigures, storagePerRequest, sumCalls, summarize } from "./summary.mjs";

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

describe("storage and cost per request", () => {
  const withStorage = (responses, warmup, edge, doCallMs) => ({
    ...run(1000, responses, { CLIENT_AUTHORITY: { admitBatch: responses } }),
    warmup_responses: warmup,
    edge_storage: edge,
    do_call_ms: doCallMs,
  });

  it("divides the Worker's own work by the measured answers, and the objects' by every request sent them", () => {
    const runs = [withStorage(900, 100, { kv_reads: 90 }, 0), withStorage(900, 100, { kv_reads: 0 }, 0)];
    const s = storagePerRequest(runs, { sql_rows_written: 2000, d1_rows_written: 20 });
    expect(s.kv_reads).toBeCloseTo(0.05);
    expect(s.sql_rows_written).toBeCloseTo(1);
    expect(s.d1_rows_written).toBeCloseTo(0.01);
    expect(s.sql_rows_read).toBe(0);
  });

  it("prices a request at the published per-unit prices", () => {
    // One request: $0.30/M, 1 ms of CPU at $0.02 per million ms, one object call at $0.15/M, 10 ms
    // of it at 128 MB and $12.50 per million GB-s, one row written at $1.00/M, one KV read at $0.50/M.
    const cost = costPerMillion({
      worker_cpu_ms: 1,
      do_calls: 1,
      do_call_ms: 10,
      rows_read: 0,
      rows_written: 1,
      kv_reads: 1,
      kv_writes: 0,
    });
    expect(cost).toBeCloseTo(0.3 + 0.02 + 0.15 + 0.01 * 0.125 * 12.5 + 1 + 0.5, 4);
    expect(costPerMillion({ worker_cpu_ms: null })).toBeNull();
  });

  it("reports rows (SQLite and D1, then KV operations) and cost per scenario", () => {
    const runs = [withStorage(1000, 0, {}, 1000)];
    const f = costFigures(runs, { sql_rows_written: 1000, kv_api_rows_written: 500, sql_rows_read: 2000 }, 0.5);
    expect(f.rows_written_per_request).toBe(1.5);
    expect(f.rows_read_per_request).toBe(2);
    expect(f.do_call_ms_per_request).toBe(1);
    expect(f.cost_usd_per_million).toBeCloseTo(0.3 + 0.01 + 0.15 + 0.001 * 0.125 * 12.5 + 1.5 + 0.002, 4);
  });
});
