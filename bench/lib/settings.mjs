// What a run does and where it keeps things: paths, options, the scenario list, the clock and the
// progress log. Everything here is fixed when the run starts.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";

export const BENCH_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const ROOT = path.resolve(BENCH_DIR, "..");
export const STATE_DIR = path.join(BENCH_DIR, ".state");
export const BUILD_DIR = path.join(STATE_DIR, "build");
export const RESULTS_DIR = path.join(BENCH_DIR, "results");
/** Generated at every start from ../wrangler.toml and limits.json (lib/config.mjs). */
export const CONFIG = path.join(STATE_DIR, "wrangler.json");
export const HOST = "127.0.0.1";

export const args = new Set(process.argv.slice(2));

/** The peers' limits and period: the one source for bench/worker.ts, the wrangler config and this run. */
export const LIMITS = JSON.parse(readFileSync(path.join(BENCH_DIR, "limits.json"), "utf8"));

/**
 * Local D1, KV and Durable Object state. On tmpfs (/dev/shm) unless --persist-on-disk: workerd
 * keeps one SQLite file per Durable Object and syncs every write, so on this VM's disk the figures
 * would mostly measure the disk (creating a client's object costs ~4× more there; see README).
 */
export const PERSIST_ON_DISK = args.has("--persist-on-disk") || !existsSync("/dev/shm");
export const PERSIST_DIR = PERSIST_ON_DISK
  ? path.join(STATE_DIR, "data")
  : path.join("/dev/shm", `nafsi-bench-${process.pid}`);

const num = (name, fallback) => {
  const value = Number(process.env[name]);
  return Number.isFinite(value) && value > 0 ? value : fallback;
};

export const SETTINGS = {
  connections: num("BENCH_CONNECTIONS", 10),
  warmup_s: num("BENCH_WARMUP", 1),
  duration_s: num("BENCH_DURATION", 6),
  rounds: num("BENCH_ROUNDS", 2),
  secret_clients: 200,
  workflow_clients: 200,
  client_rate_limit: 1000,
  flood_rate_limit: 10,
  /**
   * One client, many connections: a client's limit is at most 1000/min, which this machine
   * answers in under a second, so this scenario is a fixed number of requests (warm-up, then
   * measured) that stays under the limit, on a fresh client every round.
   */
  one_client_connections: 20,
  one_client_warmup_requests: 100,
  one_client_requests: 800,
  one_client_rate_limit: 1000,
  accuracy_limit: LIMITS.accuracy_limit,
  accuracy_connections: 50,
  accuracy_load_factor: 10,
  accuracy_burst: 20,
  accuracy_seconds: num("BENCH_ACCURACY_SECONDS", 66),
  memory_clients: num("BENCH_MEMORY_CLIENTS", 10_000),
  junk_clients: 20,
  admin_concurrency: 8,
  // A client's object flushes its usage 40 s after the first request it counts (src/object/flusher.ts).
  settle_s: 41,
};
/** The whole run is stopped (and reported as failed) past this, whatever happens. */
export const HARD_DEADLINE_MS = 8 * 60_000;
/** The memory phase uses no further clients past this (from the start), so the run stays under 6 minutes. */
export const MEMORY_DEADLINE_MS = 315_000;

/** The order of the results table. */
export const ALL_SCENARIOS = [
  "baseline",
  "secret",
  "one-client",
  "workflow",
  "flood",
  "junk",
  "no-credentials",
  "floor-429",
  "floor-429-fifth",
  "peer-cf-ratelimit",
  "peer-hono-rate-limiter",
];
/**
 * Run only when named in BENCH_SCENARIOS: references for reading `junk` and `flood` (README), left
 * out of the full run so that its memory phase keeps its time.
 */
export const ON_REQUEST = ["no-credentials", "floor-429", "floor-429-fifth"];
/** The order they run in, in every round (lib/throughput.mjs says why). */
export const RUN_ORDER = [
  "baseline",
  "floor-429",
  "floor-429-fifth",
  "peer-cf-ratelimit",
  "peer-hono-rate-limiter",
  "no-credentials",
  "junk",
  "flood",
  "secret",
  "workflow",
  "one-client",
];
export const SELECTED = process.env.BENCH_SCENARIOS
  ? process.env.BENCH_SCENARIOS.split(",").map((s) => s.trim())
  : ALL_SCENARIOS.filter((s) => !ON_REQUEST.includes(s));

export const startedAt = new Date();
export const t0 = performance.now();
export const elapsed = () => ((performance.now() - t0) / 1000).toFixed(1).padStart(6) + "s";
export const say = (message) => console.log(`[bench ${elapsed()}] ${message}`);
