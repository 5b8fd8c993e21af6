// The throughput rounds: every selected scenario in RUN_ORDER, warm-up then measured, then a pause
// for the gateway's deferred work.
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { cannon } from "./cannon.mjs";
import { readCounters, resetCounters } from "./gateway.mjs";
import { cpuSeconds } from "./proc.mjs";
import { fmt } from "./report.mjs";
import { RUN_ORDER, say, SETTINGS } from "./settings.mjs";
import { errorDelta } from "./wrangler-log.mjs";

/** One scenario once: its warm-up, then the measured run with the Durable Object calls it made. */
async function measure(gw, scenario, round, setAside) {
  const requests = scenario.requestsFor ? scenario.requestsFor(round) : scenario.requests;
  const connections = scenario.connections ?? SETTINGS.connections;
  const warmup = await cannon(gw.base, requests, scenario.warmup ?? { seconds: SETTINGS.warmup_s }, connections);
  const errorsBefore = { ...gw.errorKinds };
  await resetCounters(gw, setAside);
  const r = await cannon(
    gw.base,
    requests,
    scenario.measure ?? { seconds: SETTINGS.duration_s },
    connections,
    gw.runtime ? [gw.runtime.pid] : [],
  );
  const counters = await readCounters(gw);
  r.do_calls = counters.do_calls;
  r.do_call_ms = counters.do_call_ms;
  r.edge_storage = counters.edge_storage;
  // Work inside objects is counted for the whole run, warm-ups included (see summary.mjs).
  r.warmup_responses = warmup.responses;
  r.runtime_errors = errorDelta(errorsBefore, gw.errorKinds);
  return r;
}

/**
 * The gateway defers work: each client's object flushes its usage to D1 20 s after the first
 * request it counts. Run order (the same in every round) puts the bare route and the peers first
 * and the gateway scenarios last, so that this deferred work never lands on the baseline or a
 * peer; after each round the bench waits until `settle_s` after the last scenario started and
 * reports the Worker's CPU during that wait as the round's deferred work. `afterFirstRound` runs
 * at the start of the first pause (the accuracy run is awaited there).
 */
export async function runRounds(gw, scenarios, selected, { setAside, afterFirstRound }) {
  const runOrder = RUN_ORDER.filter((s) => selected.includes(s));
  const rounds = {};
  const settles = [];
  for (let round = 0; round < SETTINGS.rounds; round++) {
    let lastStart = performance.now();
    for (const name of runOrder) {
      lastStart = performance.now();
      const r = await measure(gw, scenarios[name], round, setAside);
      (rounds[name] ??= []).push(r);
      say(
        `round ${round + 1} ${name.padEnd(23)} ${fmt(r.rps, 0).padStart(6)} req/s  p50 ${fmt(r.p50_ms)} ms  p99 ${fmt(r.p99_ms)} ms  workerd ${fmt(r.cpu_ms_per_request?.[0], 3)} cpu-ms/req (${fmt((r.cpu_utilisation?.[0] ?? 0) * 100, 0)}% busy)  DO calls ${JSON.stringify(r.do_calls)}  ${JSON.stringify(r.statuses)}${r.errors ? ` errors ${r.errors}` : ""}${Object.keys(r.runtime_errors).length ? ` runtime errors ${JSON.stringify(r.runtime_errors)}` : ""}`,
      );
    }
    const settleStart = performance.now();
    const cpuStart = gw.runtime ? cpuSeconds(gw.runtime.pid) : null;
    if (round === 0) await afterFirstRound();
    const wait = lastStart + SETTINGS.settle_s * 1000 - performance.now();
    if (wait > 0) await sleep(wait);
    const settle = {
      round: round + 1,
      seconds: Math.round((performance.now() - settleStart) / 100) / 10,
      worker_cpu_seconds: cpuStart === null ? null : Math.round((cpuSeconds(gw.runtime.pid) - cpuStart) * 100) / 100,
      with_accuracy_run: round === 0,
    };
    settles.push(settle);
    say(
      `round ${round + 1} settled: ${settle.seconds} s without load, workerd used ${settle.worker_cpu_seconds} CPU-s meanwhile (deferred work${round === 0 ? " and the accuracy run" : ""})`,
    );
  }
  return { rounds, settles };
}
