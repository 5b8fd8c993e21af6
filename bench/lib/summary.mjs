// From the rounds' raw runs to the figures reported per scenario: pure.
import { costPerMillion } from "./prices.mjs";

/** Labels bench/worker.ts gives calls it counts apart (the accuracy run's): never a scenario's. */
const SET_ASIDE = " (set aside)";

const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const round2 = (v) => (v === null ? null : Math.round(v * 100) / 100);
const round3 = (v) => (v === null ? null : Math.round(v * 1000) / 1000);

/**
 * Durable Object calls summed over runs (each `{binding: {method: count}}`, as GET /bench/counters
 * answers), without those set aside: `{total, by_method: {"BINDING.method": count}}`.
 */
export function sumCalls(runs) {
  const byMethod = {};
  let total = 0;
  for (const calls of runs) {
    for (const [label, methods] of Object.entries(calls ?? {})) {
      if (label.endsWith(SET_ASIDE)) continue;
      for (const [method, count] of Object.entries(methods)) {
        byMethod[`${label}.${method}`] = (byMethod[`${label}.${method}`] ?? 0) + count;
        total += count;
      }
    }
  }
  return { total, by_method: byMethod };
}

/** Durable Object calls per answered request over runs, or null when nothing was answered. */
export function callsPerRequest(runs) {
  const responses = runs.reduce((a, r) => a + r.responses, 0);
  return responses ? round3(sumCalls(runs.map((r) => r.do_calls)).total / responses) : null;
}

const STORAGE_KINDS = [
  "sql_rows_read",
  "sql_rows_written",
  "kv_api_rows_read",
  "kv_api_rows_written",
  "d1_rows_read",
  "d1_rows_written",
  "kv_reads",
  "kv_writes",
];

/**
 * Storage work per request: the Worker's own (D1 and KV on the edge), counted during the measured
 * runs, over their answers; and the work inside the scenario's objects, counted over the whole run
 * (their deferred work included), over every request the scenario sent them, warm-ups included.
 */
export function storagePerRequest(runs, objectCounts) {
  const measured = runs.reduce((a, r) => a + r.responses, 0);
  const sent = runs.reduce((a, r) => a + r.responses + (r.warmup_responses ?? 0), 0);
  const out = {};
  for (const kind of STORAGE_KINDS) {
    const edge = runs.reduce((a, r) => a + (r.edge_storage?.[kind] ?? 0), 0);
    const inObjects = objectCounts?.[kind] ?? 0;
    out[kind] = (measured ? edge / measured : 0) + (sent ? inObjects / sent : 0);
  }
  return out;
}

/** The priced figures of one scenario, per request: rows (SQLite and D1, then KV operations too) and cost. */
export function costFigures(runs, objectCounts, cpuMsPerRequest) {
  const s = storagePerRequest(runs, objectCounts);
  const responses = runs.reduce((a, r) => a + r.responses, 0);
  const rowsRead = s.sql_rows_read + s.kv_api_rows_read + s.d1_rows_read;
  const rowsWritten = s.sql_rows_written + s.kv_api_rows_written + s.d1_rows_written;
  const doCalls = responses ? sumCalls(runs.map((r) => r.do_calls)).total / responses : 0;
  const doCallMs = responses ? runs.reduce((a, r) => a + (r.do_call_ms ?? 0), 0) / responses : 0;
  return {
    rows_read_per_request: round3(rowsRead + s.kv_reads),
    rows_written_per_request: round3(rowsWritten + s.kv_writes),
    storage_per_request: Object.fromEntries(Object.entries(s).map(([k, v]) => [k, round3(v)])),
    do_call_ms_per_request: round3(doCallMs),
    cost_usd_per_million: costPerMillion({
      worker_cpu_ms: cpuMsPerRequest,
      do_calls: doCalls,
      do_call_ms: doCallMs,
      rows_read: rowsRead,
      rows_written: rowsWritten,
      kv_reads: s.kv_reads,
      kv_writes: s.kv_writes,
    }),
  };
}

/**
 * One entry per scenario in `order`: the means of its rounds, its answers, and what went wrong.
 * Each round also carries its own ratio to that round's baseline: on a shared machine a round can
 * run several tens of percent slower than the next, so the spread of those ratios says how far the
 * mean can be trusted.
 */
export function summarize(order, scenarios, rounds, { withCpu, objectStorage = {} }) {
  const baselineRps = rounds.baseline ? mean(rounds.baseline.map((r) => r.rps)) : null;
  const roundRatio = (r, i) => {
    const base = rounds.baseline?.[i]?.rps;
    return base ? round2(r.rps / base) : null;
  };
  return order.map((name) => {
    const rs = rounds[name];
    const rps = mean(rs.map((r) => r.rps));
    const statuses = {};
    for (const r of rs) for (const [s, c] of Object.entries(r.statuses)) statuses[s] = (statuses[s] ?? 0) + c;
    const unexpected = Object.entries(statuses)
      .filter(([s]) => !scenarios[name].expect.includes(s))
      .reduce((a, [, c]) => a + c, 0);
    const cpuMs = withCpu ? round3(mean(rs.map((r) => r.cpu_ms_per_request[0]))) : null;
    return {
      name,
      rps: Math.round(rps),
      p50_ms: round2(mean(rs.map((r) => r.p50_ms))),
      p99_ms: round2(mean(rs.map((r) => r.p99_ms))),
      ratio_to_baseline: baselineRps ? round2(rps / baselineRps) : null,
      worker_cpu_ms_per_request: cpuMs,
      worker_cpu_busy: withCpu ? round2(mean(rs.map((r) => r.cpu_utilisation[0]))) : null,
      do_calls_per_request: callsPerRequest(rs),
      do_calls: sumCalls(rs.map((r) => r.do_calls)).by_method,
      ...costFigures(rs, objectStorage[name], cpuMs),
      statuses,
      unexpected_answers: unexpected,
      errors: rs.reduce((a, r) => a + r.errors + r.timeouts, 0),
      runtime_errors: rs.reduce((acc, r) => {
        for (const [k, v] of Object.entries(r.runtime_errors)) acc[k] = (acc[k] ?? 0) + v;
        return acc;
      }, {}),
      rounds: rs.map((r, i) => ({
        rps: Math.round(r.rps),
        ratio_to_baseline: roundRatio(r, i),
        p50_ms: round2(r.p50_ms),
        p99_ms: round2(r.p99_ms),
        worker_cpu_ms_per_request: round3(r.cpu_ms_per_request?.[0] ?? null),
        do_calls_per_request: callsPerRequest([r]),
      })),
    };
  });
}
