// From the rounds' raw runs to the figures reported per scenario: pure.

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

/**
 * One entry per scenario in `order`: the means of its rounds, its answers, and what went wrong.
 * Each round also carries its own ratio to that round's baseline: on a shared machine a round can
 * run several tens of percent slower than the next, so the spread of those ratios says how far the
 * mean can be trusted.
 */
export function summarize(order, scenarios, rounds, { withCpu }) {
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
    return {
      name,
      rps: Math.round(rps),
      p50_ms: round2(mean(rs.map((r) => r.p50_ms))),
      p99_ms: round2(mean(rs.map((r) => r.p99_ms))),
      ratio_to_baseline: baselineRps ? round2(rps / baselineRps) : null,
      worker_cpu_ms_per_request: withCpu ? round3(mean(rs.map((r) => r.cpu_ms_per_request[0]))) : null,
      worker_cpu_busy: withCpu ? round2(mean(rs.map((r) => r.cpu_utilisation[0]))) : null,
      do_calls_per_request: callsPerRequest(rs),
      do_calls: sumCalls(rs.map((r) => r.do_calls)).by_method,
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
