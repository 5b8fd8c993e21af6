#!/usr/bin/env node
// `npm run bench`: the gateway against a bare Worker route and against two peer rate limiters, in
// one run, on this machine. See bench/README.md for what each scenario does and why.
//
// It generates the bench Worker's wrangler config (lib/config.mjs), bundles bench/worker.ts once
// (so edits made while it runs cannot reload the Worker), starts `wrangler dev --log-level warn`
// on a free loopback port with its own local state (a fresh directory on tmpfs, or
// bench/.state/data with --persist-on-disk; never the dev database), applies the D1 migrations
// there, seeds clients through the admin API, and drives the Worker from this process with
// autocannon. Results: a table on stdout, bench/results/latest.json and bench/results/latest.md.
// Everything it starts is stopped at the end, also on errors.
//
// Options: --update-readme (rewrite the results section of bench/README.md), --via-proxy (send
// the load through wrangler dev's own port instead of straight to workerd), --persist-on-disk.
// Environment overrides, for quick trials only: BENCH_DURATION, BENCH_WARMUP, BENCH_ROUNDS,
// BENCH_CONNECTIONS, BENCH_ACCURACY_SECONDS, BENCH_MEMORY_CLIENTS, BENCH_SCENARIOS (comma list).
import { rmSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { startAccuracy } from "./lib/accuracy.mjs";
import { createClient, resetObjectStorage, startGateway } from "./lib/gateway.mjs";
import { objectStorageByScenario } from "./lib/object-storage.mjs";
import { memoryRun } from "./lib/memory.mjs";
import { stopChildren } from "./lib/processes.mjs";
import { machine, writeResults } from "./lib/report.mjs";
import { seedScenarios } from "./lib/scenarios.mjs";
import {
  ALL_SCENARIOS,
  args,
  elapsed,
  HARD_DEADLINE_MS,
  PERSIST_DIR,
  PERSIST_ON_DISK,
  say,
  SELECTED,
  SETTINGS,
  startedAt,
  t0,
} from "./lib/settings.mjs";
import { summarize } from "./lib/summary.mjs";
import { runRounds } from "./lib/throughput.mjs";
import { errorDelta } from "./lib/wrangler-log.mjs";

async function stopEverything() {
  await stopChildren();
  if (!PERSIST_ON_DISK) rmSync(PERSIST_DIR, { recursive: true, force: true });
}

let stopping = false;
async function fail(err) {
  if (stopping) return;
  stopping = true;
  console.error(`[bench ${elapsed()}] FAILED: ${err?.stack ?? err}`);
  await stopEverything();
  process.exit(1);
}
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"])
  process.on(signal, () => fail(new Error(`interrupted by ${signal}`)));
process.on("uncaughtException", fail);
process.on("unhandledRejection", fail);
setTimeout(() => fail(new Error(`still running after ${HARD_DEADLINE_MS / 60000} minutes`)), HARD_DEADLINE_MS).unref();

async function main() {
  if (process.platform !== "linux") say("warning: process discovery and memory figures need Linux /proc");
  const gw = await startGateway();

  // The accuracy run needs a little over a minute of wall time but little CPU (about 25 requests/s
  // in all), so it runs while the scenario clients are seeded and during the first round of the
  // throughput scenarios, which therefore all carry that same small extra load; the second round
  // starts only once it has ended. This keeps the whole run within five minutes. Its Durable
  // Object calls are counted apart (set aside), never in a scenario's.
  const accuracyClient = await createClient(gw, "accuracy", SETTINGS.accuracy_limit);
  say(
    `accuracy: ${SETTINGS.accuracy_seconds} s, ours and both peers at once, while the scenario clients are seeded and round 1 runs`,
  );
  const accuracyPromise = startAccuracy(gw.base, accuracyClient);
  let accuracy = null;
  const endAccuracy = async () => {
    if (accuracy) return;
    say("waiting for the accuracy run to end");
    accuracy = await accuracyPromise;
    for (const a of accuracy) {
      say(
        `accuracy ${a.name}: windows ${JSON.stringify(a.windows)}, max in any 60 s ${a.max_admitted_in_any_60s}, ${JSON.stringify(a.statuses)}`,
      );
    }
  };

  const scenarios = await seedScenarios(gw);
  const order = ALL_SCENARIOS.filter((s) => SELECTED.includes(s));
  // Seeding's own storage work (creating clients and workflows) is no scenario's.
  await resetObjectStorage(gw);
  const { rounds, settles } = await runRounds(gw, scenarios, order, {
    setAside: [accuracyClient.id],
    afterFirstRound: endAccuracy,
  });
  await endAccuracy();
  const objectStorage = await objectStorageByScenario(gw, scenarios, order);
  const scenarioResults = summarize(order, scenarios, rounds, { withCpu: Boolean(gw.runtime), objectStorage });

  const errorsBeforeMemory = { ...gw.errorKinds };
  say(`memory: ${SETTINGS.memory_clients} distinct clients, each used once`);
  const memory = await memoryRun(gw);
  const md = memory.memory_detail;
  say(
    `memory: ${memory.memory_before_mb} MB -> ${memory.memory_mb} MB (${md.clients} clients; ${md.seed_seconds} s to seed, ${md.use_seconds} s to use, workerd ${Math.round((md.worker_cpu_busy ?? 0) * 100)}% busy) ${JSON.stringify(md.use_statuses)}`,
  );

  const out = {
    scenarios: scenarioResults,
    accuracy,
    memory_mb: memory.memory_mb,
    machine: machine(),
    settles,
    memory_before_mb: memory.memory_before_mb,
    memory_delta_mb: memory.memory_delta_mb,
    memory_peak_mb: memory.memory_peak_mb,
    memory_last_seen_mb: memory.memory_last_seen_mb,
    memory_detail: md,
    started_at: startedAt.toISOString(),
    total_seconds: null,
    /** Error lines the runtime printed (by kind, numbers folded) before and during the memory phase; per scenario in scenarios[].runtime_errors. */
    runtime_errors: {
      before_memory_phase: errorsBeforeMemory,
      memory_phase: errorDelta(errorsBeforeMemory, gw.errorKinds),
    },
    persistence: PERSIST_ON_DISK ? "disk (bench/.state)" : "tmpfs (/dev/shm)",
    target: gw.viaProxy
      ? "through wrangler dev's proxy"
      : "straight to the Worker's workerd (wrangler dev's proxy bypassed)",
    settings: SETTINGS,
  };
  await stopEverything();
  out.total_seconds = Math.round((performance.now() - t0) / 100) / 10;

  const markdown = writeResults(out, { updateReadme: args.has("--update-readme") });
  console.log("\n" + markdown + "\n");
  say(`wrote bench/results/latest.json and bench/results/latest.md in ${out.total_seconds} s`);
}

main().then(
  () => process.exit(0),
  (err) => fail(err),
);
