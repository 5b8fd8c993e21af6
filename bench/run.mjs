#!/usr/bin/env node
// `npm run bench`: the gateway against a bare Worker route and against two peer rate limiters, in
// one run, on this machine. See bench/README.md for what each scenario does and why.
//
// It bundles bench/worker.ts once (so edits made while it runs cannot reload the Worker), starts
// `wrangler dev --log-level warn` on a free loopback port with its own local state (a fresh
// directory on tmpfs, or bench/.state/data with --persist-on-disk; never the dev database),
// applies the D1 migrations there, seeds clients through the admin API, and drives the Worker from
// this process with autocannon. Results: a table on stdout, bench/results/latest.json and
// bench/results/latest.md. Everything it starts is stopped at the end, also on errors.
//
// Options: --update-readme (rewrite the results section of bench/README.md), --via-proxy (send
// the load through wrangler dev's own port instead of straight to workerd), --persist-on-disk.
// Environment overrides, for quick trials only: BENCH_DURATION, BENCH_WARMUP, BENCH_ROUNDS,
// BENCH_CONNECTIONS, BENCH_ACCURACY_SECONDS, BENCH_MEMORY_CLIENTS, BENCH_SCENARIOS (comma list).
import autocannon from "autocannon";
import { Buffer } from "node:buffer";
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import {
  createWriteStream,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  rmSync,
  writeFileSync,
  renameSync,
} from "node:fs";
import http from "node:http";
import { createRequire } from "node:module";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { clearInterval, setInterval } from "node:timers";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(BENCH_DIR, "..");
const STATE_DIR = path.join(BENCH_DIR, ".state");
const BUILD_DIR = path.join(STATE_DIR, "build");
const RESULTS_DIR = path.join(BENCH_DIR, "results");
const CONFIG = path.join(BENCH_DIR, "wrangler.toml");
const WRANGLER = require.resolve("wrangler/bin/wrangler.js");
const HOST = "127.0.0.1";

const args = new Set(process.argv.slice(2));

/**
 * Local D1, KV and Durable Object state. On tmpfs (/dev/shm) unless --persist-on-disk: workerd
 * keeps one SQLite file per Durable Object and syncs every write, so on this VM's disk the figures
 * would mostly measure the disk (creating a client's object costs ~4× more there; see README).
 */
const PERSIST_ON_DISK = args.has("--persist-on-disk") || !existsSync("/dev/shm");
const PERSIST_DIR = PERSIST_ON_DISK
  ? path.join(STATE_DIR, "data")
  : path.join("/dev/shm", `nafsi-bench-${process.pid}`);
const num = (name, fallback) => {
  const value = Number(process.env[name]);
  return Number.isFinite(value) && value > 0 ? value : fallback;
};

const SETTINGS = {
  connections: num("BENCH_CONNECTIONS", 10),
  warmup_s: num("BENCH_WARMUP", 1),
  duration_s: num("BENCH_DURATION", 6),
  rounds: num("BENCH_ROUNDS", 2),
  secret_clients: 200,
  workflow_clients: 200,
  client_rate_limit: 1000,
  flood_rate_limit: 10,
  accuracy_limit: 50,
  accuracy_connections: 50,
  accuracy_load_factor: 10,
  accuracy_burst: 20,
  accuracy_seconds: num("BENCH_ACCURACY_SECONDS", 66),
  memory_clients: num("BENCH_MEMORY_CLIENTS", 10_000),
  junk_clients: 20,
  admin_concurrency: 8,
  settle_s: 21,
};
/** Must equal the limits of the peer routes (bench/worker.ts) and bindings (bench/wrangler.toml). */
const PEER_THROUGHPUT_LIMIT = 1000;
const PEER_ACCURACY_LIMIT = 50;
/** The whole run is stopped (and reported as failed) past this, whatever happens. */
const HARD_DEADLINE_MS = 7 * 60_000;
/** The memory phase uses no further clients past this (from the start), so the run stays under 5 minutes. */
const MEMORY_DEADLINE_MS = 275_000;

const ALL_SCENARIOS = [
  "baseline",
  "secret",
  "workflow",
  "flood",
  "junk",
  "peer-cf-ratelimit",
  "peer-hono-rate-limiter",
];
/** The order they run in, in every round (see main). */
const RUN_ORDER = ["baseline", "peer-cf-ratelimit", "peer-hono-rate-limiter", "junk", "flood", "secret", "workflow"];
const SELECTED = process.env.BENCH_SCENARIOS
  ? process.env.BENCH_SCENARIOS.split(",").map((s) => s.trim())
  : ALL_SCENARIOS;

const startedAt = new Date();
const t0 = performance.now();
const elapsed = () => ((performance.now() - t0) / 1000).toFixed(1).padStart(6) + "s";
const say = (message) => console.log(`[bench ${elapsed()}] ${message}`);

// ---- process management ---------------------------------------------------------------------

/** Child processes this run started (wrangler, each in its own process group), stopped at exit. */
const children = new Set();
/** workerd processes found under our wrangler, killed by pid too in case they outlive it. */
const workerdPids = new Set();

function startChild(argv, options = {}) {
  const child = spawn(process.execPath, argv, {
    cwd: ROOT,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    ...options,
  });
  children.add(child);
  child.on("exit", () => children.delete(child));
  return child;
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function stopEverything() {
  for (const child of children) {
    try {
      process.kill(-child.pid, "SIGTERM"); // its own process group: wrangler and the workerd it runs
    } catch {
      /* already gone */
    }
  }
  const until = Date.now() + 5000;
  while (Date.now() < until && ([...children].some((c) => alive(c.pid)) || [...workerdPids].some(alive)))
    await sleep(100);
  for (const child of children) {
    try {
      process.kill(-child.pid, "SIGKILL");
    } catch {
      /* already gone */
    }
  }
  for (const pid of workerdPids) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      /* already gone */
    }
  }
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
const deadline = setTimeout(
  () => fail(new Error(`still running after ${HARD_DEADLINE_MS / 60000} minutes`)),
  HARD_DEADLINE_MS,
);
deadline.unref();

function runSync(argv, what) {
  const result = spawnSync(process.execPath, argv, {
    cwd: ROOT,
    env: wranglerEnv(),
    encoding: "utf8",
    timeout: 120_000,
  });
  if (result.status !== 0)
    throw new Error(`${what} failed (exit ${result.status}):\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

function wranglerEnv() {
  return { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "true", NO_COLOR: "1", FORCE_COLOR: "0" };
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, HOST, () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

// ---- /proc helpers (Linux): find workerd under our wrangler, its ports and memory ------------

function parentOf(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  } catch {
    return 0;
  }
}

function workerdUnder(rootPid) {
  const found = [];
  for (const entry of readdirSync("/proc")) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    let comm;
    try {
      comm = readFileSync(`/proc/${pid}/comm`, "utf8").trim();
    } catch {
      continue;
    }
    if (comm !== "workerd") continue;
    for (let p = parentOf(pid), hops = 0; p > 1 && hops < 10; p = parentOf(p), hops++) {
      if (p === rootPid) {
        let cmdline = "";
        try {
          cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
        } catch {
          /* gone */
        }
        found.push({ pid, cmdline });
        break;
      }
    }
  }
  return found;
}

function listeningPorts(pid) {
  const inodes = new Set();
  try {
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (m) inodes.add(m[1]);
      } catch {
        /* closed meanwhile */
      }
    }
  } catch {
    return [];
  }
  const ports = [];
  for (const file of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    let text = "";
    try {
      text = readFileSync(file, "utf8");
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 10 || cols[3] !== "0A" || !inodes.has(cols[9])) continue;
      ports.push(parseInt(cols[1].split(":")[1], 16));
    }
  }
  return ports;
}

/** CPU seconds (user + system) a process has used so far. */
function cpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return null;
  }
}
const CLOCK_TICKS = (() => {
  const r = spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" });
  return Number(r.stdout) || 100;
})();

function rssMb(pid, field = "VmRSS") {
  try {
    const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Math.round((Number(m[1]) / 1024) * 10) / 10 : null;
  } catch {
    return null;
  }
}
/** VmRSS and its parts: anonymous (heaps), file-backed and shared-memory mappings. */
const rssParts = (pid) => ({
  rss_mb: rssMb(pid),
  anon_mb: rssMb(pid, "RssAnon"),
  file_mb: rssMb(pid, "RssFile"),
  shmem_mb: rssMb(pid, "RssShmem"),
});

// ---- HTTP helpers ---------------------------------------------------------------------------

/**
 * workerd closes a keep-alive connection that stays idle for 5 s; a request sent on it at that
 * moment gets a reset. Idle sockets are therefore dropped here after 2 s (the agent's `timeout`
 * applies to free sockets; each request sets its own).
 */
const IDLE_SOCKET_MS = 2000;
const adminAgent = new http.Agent({ keepAlive: true, maxSockets: 64, timeout: IDLE_SOCKET_MS });

function request(base, method, urlPath, { headers = {}, body, agent = adminAgent, timeoutMs = 30_000 } = {}) {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const req = http.request(
      `${base}${urlPath}`,
      {
        method,
        agent,
        headers: {
          ...headers,
          ...(payload ? { "content-type": "application/json", "content-length": payload.length } : {}),
        },
        timeout: timeoutMs,
      },
      (res) => {
        const chunks = [];
        res.on("data", (c) => chunks.push(c));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let json = null;
          try {
            json = text ? JSON.parse(text) : null;
          } catch {
            /* not JSON */
          }
          resolve({ status: res.statusCode, headers: res.headers, json, text });
        });
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error(`timeout: ${method} ${urlPath}`)));
    req.on("error", reject);
    req.end(payload);
  });
}

/** Runs `fn(i)` for i in [0, count) with at most `concurrency` in flight. */
async function pool(count, concurrency, fn) {
  let next = 0;
  const results = new Array(count);
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) {
        const i = next++;
        results[i] = await fn(i);
      }
    }),
  );
  return results;
}

// ---- setup ----------------------------------------------------------------------------------

/** Every binding, Durable Object class and var of ../wrangler.toml must also be in bench/wrangler.toml. */
function checkConfigInSync() {
  const entries = (text) => {
    const out = new Set();
    let section = "";
    for (const raw of text.split("\n")) {
      const line = raw.replace(/#.*$/, "").trim();
      if (!line) continue;
      const header = /^\[\[?([^\]]+)\]\]?$/.exec(line);
      if (header) {
        section = header[1].trim();
        continue;
      }
      const kv = /^([A-Za-z0-9_]+)\s*=\s*(.*)$/.exec(line);
      if (!kv) continue;
      const [, key, value] = kv;
      if (section === "vars") out.add(`var ${key}`);
      else if (section === "migrations" && /classes$/.test(key)) {
        for (const cls of value.match(/"([^"]+)"/g) ?? []) out.add(`durable object class ${cls}`);
      } else if (
        section &&
        section !== "migrations" &&
        section !== "triggers" &&
        ["binding", "name", "class_name"].includes(key)
      ) {
        out.add(`[[${section}]] ${key} = ${value}`);
      }
    }
    return out;
  };
  const main = entries(readFileSync(path.join(ROOT, "wrangler.toml"), "utf8"));
  const bench = entries(readFileSync(CONFIG, "utf8"));
  const missing = [...main].filter((e) => !bench.has(e));
  if (missing.length) {
    throw new Error(`bench/wrangler.toml is missing what wrangler.toml has; add it:\n  ${missing.join("\n  ")}`);
  }
  const limits = [
    ...readFileSync(CONFIG, "utf8").matchAll(/name = "(CF_RL_\w+)"[^\n]*\n[^\n]*\n\s*simple = \{ limit = (\d+)/g),
  ];
  const byName = Object.fromEntries(limits.map((m) => [m[1], Number(m[2])]));
  if (
    byName.CF_RL_THROUGHPUT !== PEER_THROUGHPUT_LIMIT ||
    byName.CF_RL_ACCURACY !== PEER_ACCURACY_LIMIT ||
    SETTINGS.accuracy_limit !== PEER_ACCURACY_LIMIT
  ) {
    throw new Error(`peer limits in bench/wrangler.toml (${JSON.stringify(byName)}) do not match bench/run.mjs`);
  }
}

async function startGateway() {
  rmSync(STATE_DIR, { recursive: true, force: true });
  rmSync(PERSIST_DIR, { recursive: true, force: true });
  // State left in /dev/shm (RAM) by an earlier run that was killed outright.
  if (!PERSIST_ON_DISK) {
    for (const entry of readdirSync("/dev/shm")) {
      const m = /^nafsi-bench-(\d+)$/.exec(entry);
      if (m && !alive(Number(m[1]))) rmSync(path.join("/dev/shm", entry), { recursive: true, force: true });
    }
  }
  mkdirSync(BUILD_DIR, { recursive: true });
  mkdirSync(PERSIST_DIR, { recursive: true });

  say("bundling bench/worker.ts (wrangler deploy --dry-run; nothing is uploaded)");
  runSync([WRANGLER, "deploy", "--dry-run", "--outdir", BUILD_DIR, "-c", CONFIG], "bundling");
  const bundle = path.join(BUILD_DIR, "worker.js");
  if (!existsSync(bundle)) throw new Error(`no bundle at ${bundle}`);

  say(
    `applying D1 migrations to ${path.relative(ROOT, PERSIST_DIR).startsWith("..") ? PERSIST_DIR : path.relative(ROOT, PERSIST_DIR)}`,
  );
  runSync(
    [WRANGLER, "d1", "migrations", "apply", "DB", "--local", "-c", CONFIG, "--persist-to", PERSIST_DIR],
    "migrations",
  );

  const port = await freePort();
  const adminToken = "bench_admin_" + randomBytes(24).toString("base64url");
  const signingKey = randomBytes(32).toString("base64url");
  say(`starting wrangler dev on ${HOST}:${port}`);
  const child = startChild(
    [
      WRANGLER,
      "dev",
      bundle,
      "--no-bundle",
      "-c",
      CONFIG,
      "--persist-to",
      PERSIST_DIR,
      "--log-level",
      "warn",
      "--ip",
      HOST,
      "--port",
      String(port),
      "--inspector-port",
      String(await freePort()),
      "--show-interactive-dev-session=false",
      "--var",
      `ADMIN_TOKEN:${adminToken}`,
      "--var",
      `TOKEN_SIGNING_KEY:${signingKey}`,
    ],
    { env: wranglerEnv() },
  );
  // wrangler's output: its tail for error messages, the whole of it (up to 50 MB) in
  // bench/.state/wrangler.log, and a count of the runtime's error lines by kind.
  let log = "";
  let logged = 0;
  const logFile = createWriteStream(path.join(STATE_DIR, "wrangler.log"));
  const errorKinds = {};
  const keeper = () => {
    let partial = "";
    return (chunk) => {
      const text = chunk.toString();
      log = (log + text).slice(-20_000);
      if (logged < 50 * 2 ** 20) {
        logFile.write(chunk);
        logged += chunk.length;
      }
      const lines = (partial + text).split("\n");
      partial = lines.pop() ?? "";
      for (const raw of lines) {
        const line = raw
          .split("\u001b")
          .map((part) => part.replace(/^\[[0-9;]*m/, ""))
          .join("");
        const m = /\[ERROR\]\s*(.*)$/.exec(line);
        if (!m) continue;
        const kind = m[1]
          .replace(/"at":"[^"]*",?/g, "")
          .replace(/reference = \w+/g, "reference = …")
          .replace(/[0-9a-f]{16,}/g, "…")
          .replace(/\d+/g, "N")
          .slice(0, 120)
          .trim();
        errorKinds[kind] = (errorKinds[kind] ?? 0) + 1;
      }
    };
  };
  child.stdout.on("data", keeper());
  child.stderr.on("data", keeper());
  let exited = null;
  child.on("exit", (code) => (exited = code));

  const proxyBase = `http://${HOST}:${port}`;
  const until = Date.now() + 90_000;
  for (;;) {
    if (exited !== null) throw new Error(`wrangler dev exited (${exited}):\n${log}`);
    if (Date.now() > until) throw new Error(`wrangler dev did not answer /healthz within 90 s:\n${log}`);
    try {
      const res = await request(proxyBase, "GET", "/healthz", { timeoutMs: 2000 });
      if (res.status === 200) break;
    } catch {
      /* not yet */
    }
    await sleep(250);
  }

  // wrangler dev runs two workerd processes: its proxy (on our port) and the Worker's runtime,
  // which the proxy forwards to. The load goes straight to the latter (see README) unless
  // --via-proxy. Found by probing the runtime's listening ports for /healthz.
  let runtime = null;
  for (let attempt = 0; attempt < 20 && !runtime; attempt++) {
    for (const w of workerdUnder(child.pid)) {
      workerdPids.add(w.pid);
      if (w.cmdline.includes(`entry=${HOST}:${port}`)) continue; // the proxy
      for (const p of listeningPorts(w.pid)) {
        try {
          const res = await request(`http://${HOST}:${p}`, "GET", "/healthz", { timeoutMs: 1000 });
          if (res.status === 200 && res.json?.status === "ok") {
            runtime = { pid: w.pid, port: p };
            break;
          }
        } catch {
          /* another socket (inspector, loopback) */
        }
      }
      if (runtime) break;
    }
    if (!runtime) await sleep(250);
  }
  const viaProxy = args.has("--via-proxy") || !runtime;
  if (!runtime) say("could not find the Worker's workerd process; measuring through wrangler's proxy");
  const base = viaProxy ? proxyBase : `http://${HOST}:${runtime.port}`;
  say(`gateway up; load goes to ${viaProxy ? "wrangler dev's proxy" : "the Worker's workerd directly"} at ${base}`);
  return { child, base, proxyBase, adminToken, runtime, viaProxy, log: () => log, errorKinds };
}

async function createClient(gw, name, rateLimit) {
  const res = await request(gw.base, "POST", "/admin/clients", {
    headers: { authorization: `Bearer ${gw.adminToken}` },
    body: { name, environment: "production", rate_limit: rateLimit },
  });
  if (res.status !== 201 || !res.json?.client?.id || !res.json?.client_secret) {
    throw new Error(`POST /admin/clients answered ${res.status}: ${res.text.slice(0, 300)}`);
  }
  return { id: res.json.client.id, secret: res.json.client_secret };
}

/** One workflow for the client, or null when the gateway has no /admin/workflows yet (404). */
async function createWorkflow(gw, client, name) {
  const res = await request(gw.base, "POST", "/admin/workflows", {
    headers: { authorization: `Bearer ${gw.adminToken}` },
    body: { client_id: client.id, client_secret: client.secret, name },
  });
  if (res.status === 404) return null;
  if (res.status !== 201 || !res.json?.workflow?.id) {
    throw new Error(`POST /admin/workflows answered ${res.status}: ${res.text.slice(0, 300)}`);
  }
  return res.json.workflow.id;
}

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const randomBase62 = (n) => Array.from(randomBytes(n), (b) => BASE62[b % 62]).join("");

/**
 * The 401 path: what random and malformed credentials look like. Random IDs and secrets have the
 * right prefix and length but (with probability 1 − 62⁻⁶) a wrong checksum; the rest are wrong
 * prefixes, the other environment's secret, junk characters, a missing secret, and real secrets
 * of one client sent with another client's ID (well-formed, so the client's Durable Object decides
 * the first time, and this isolate remembers the pair as wrong afterwards).
 */
function junkRequests(clients, count) {
  const kinds = [
    () => ({ id: `nafsi_live_${randomBase62(28)}`, secret: `sk_live_${randomBase62(28)}` }),
    () => ({ id: `nafsi_live_${randomBase62(28)}`, secret: `sk_live_${randomBase62(28)}` }),
    () => ({ id: `nafsi_live_${randomBase62(28)}`, secret: `sk_live_${randomBase62(28)}` }),
    (i) => ({ id: clients[i % clients.length].id, secret: `sk_live_${randomBase62(28)}` }),
    (i) => ({ id: clients[i % clients.length].id, secret: `sk_live_${randomBase62(28)}` }),
    (i) => ({ id: clients[i % clients.length].id, secret: `sk_test_${randomBase62(28)}` }),
    (i) => ({
      id: ["' OR 1=1 --", "nafsi_live_", `NAFSI_LIVE_${randomBase62(28)}`, `nafsi_prod_${randomBase62(28)}`][i % 4],
      secret: `sk_live_${randomBase62(28)}`,
    }),
    (i) => ({ id: clients[i % clients.length].id, secret: undefined }),
    (i) => ({ id: clients[i % clients.length].id, secret: clients[(i + 1) % clients.length].secret }),
    (i) => ({ id: clients[(i + 7) % clients.length].id, secret: clients[(i + 3) % clients.length].secret }),
  ];
  return Array.from({ length: count }, (_, i) => {
    const { id, secret } = kinds[i % kinds.length](i);
    return {
      path: "/v1/bench",
      headers: secret === undefined ? { "X-Client-ID": id } : { "X-Client-ID": id, "X-Client-Secret": secret },
    };
  });
}

// ---- throughput -----------------------------------------------------------------------------

/**
 * One autocannon run over `requests`, handed out round-robin across all connections (so that
 * concurrent requests name different clients). Latencies are recorded here from autocannon's
 * per-response event, at sub-millisecond resolution and for every status.
 */
function cannon(base, requests, durationS, connections, cpuPids = []) {
  return new Promise((resolve, reject) => {
    const cpuBefore = cpuPids.map(cpuSeconds);
    let next = 0;
    let latencies = new Float64Array(1 << 16);
    let n = 0;
    const statuses = {};
    const started = performance.now();
    const instance = autocannon(
      {
        url: base,
        connections,
        duration: durationS,
        pipelining: 1,
        timeout: 10,
        requests: [
          {
            setupRequest: (req) => {
              const r = requests[next++ % requests.length];
              return { ...req, method: "GET", path: r.path, headers: r.headers };
            },
          },
        ],
      },
      (err, result) => {
        if (err) return reject(err);
        const wall = (performance.now() - started) / 1000;
        const sorted = latencies.subarray(0, n).sort();
        const q = (p) => (n ? sorted[Math.min(n - 1, Math.floor(p * n))] : null);
        const cpu = cpuPids.map((pid, i) => cpuSeconds(pid) - cpuBefore[i]);
        resolve({
          cpu_ms_per_request: n && cpu.length ? cpu.map((c) => (c * 1000) / n) : null,
          cpu_utilisation: cpu.length ? cpu.map((c) => c / wall) : null,
          rps: n / Math.min(wall, result.duration || wall),
          p50_ms: q(0.5),
          p99_ms: q(0.99),
          responses: n,
          statuses,
          errors: result.errors,
          timeouts: result.timeouts,
        });
      },
    );
    instance.on("response", (_client, statusCode, _bytes, responseTime) => {
      if (n === latencies.length) {
        const bigger = new Float64Array(latencies.length * 2);
        bigger.set(latencies);
        latencies = bigger;
      }
      latencies[n++] = responseTime;
      statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
    });
  });
}

// ---- accuracy -------------------------------------------------------------------------------

/**
 * A key at limit L hit at `load_factor` × L per 60 s by `accuracy_connections` keep-alive
 * connections, in bursts of `accuracy_burst` simultaneous requests at random (exponential)
 * intervals, for `accuracy_seconds`. Each admission is placed at the moment its answer arrived;
 * windows start at the moment the first admitted request was sent, so an exact limiter can never
 * appear to over-admit from network jitter, while a limiter that does over-admit shows it.
 */
async function accuracyRun(base, name, description, limit, requestFor) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: SETTINGS.accuracy_connections, timeout: IDLE_SOCKET_MS });
  const durationMs = SETTINGS.accuracy_seconds * 1000;
  const meanGapMs = (60_000 * SETTINGS.accuracy_burst) / (SETTINGS.accuracy_load_factor * limit);
  const now = () => performance.timeOrigin + performance.now();
  const samples = [];
  const inFlight = new Set();
  const start = now();
  while (now() - start < durationMs) {
    for (let k = 0; k < SETTINGS.accuracy_burst; k++) {
      const { path: p, headers } = requestFor();
      const sent = now();
      const promise = request(base, "GET", p, { headers, agent, timeoutMs: 15_000 })
        .then((res) => samples.push({ sent, received: now(), status: res.status }))
        .catch((err) => samples.push({ sent, received: now(), status: 0, error: `error ${err.code ?? err.message}` }))
        .finally(() => inFlight.delete(promise));
      inFlight.add(promise);
    }
    const gap = -Math.log(1 - Math.random()) * meanGapMs;
    await sleep(Math.min(gap, Math.max(0, durationMs - (now() - start))));
  }
  await Promise.all(inFlight);
  agent.destroy();

  const admitted = samples.filter((s) => s.status === 200);
  const statuses = {};
  for (const s of samples) statuses[s.error ?? s.status] = (statuses[s.error ?? s.status] ?? 0) + 1;
  const windows = [];
  let maxIn60 = 0;
  let lastWindowSeconds = null;
  if (admitted.length) {
    const anchor = Math.min(...admitted.map((s) => s.sent));
    const end = Math.max(...samples.map((s) => s.received));
    const count = Math.ceil((end - anchor) / 60_000);
    for (let i = 0; i < count; i++) windows.push(0);
    for (const s of admitted) windows[Math.min(count - 1, Math.floor((s.received - anchor) / 60_000))]++;
    lastWindowSeconds = Math.round(((end - anchor) / 1000 - (count - 1) * 60) * 10) / 10;
    // A lower bound of the most admissions any 60 s holds: those sent after one admitted request
    // was sent and answered before 60 s from then certainly fell within that 60 s.
    for (const a of admitted) {
      const inside = admitted.filter((b) => b.sent >= a.sent && b.received < a.sent + 60_000).length;
      maxIn60 = Math.max(maxIn60, inside);
    }
  }
  const fullWindows = windows.slice(0, lastWindowSeconds !== null && lastWindowSeconds < 60 ? -1 : undefined);
  // Under-admission: a 429 is certainly wrong when even every admission that could have been
  // decided before it, within its trailing 60 s, numbers fewer than the limit.
  let wronglyRejected = 0;
  for (const r of samples) {
    if (r.status !== 429) continue;
    const possible = admitted.filter((a) => a.sent < r.received && a.received > r.sent - 60_000).length;
    if (possible < limit) wronglyRejected++;
  }
  return {
    name,
    description,
    limit,
    windows,
    admitted_per_limit: windows.map((w) => Math.round((w / limit) * 1000) / 1000),
    last_window_seconds: lastWindowSeconds,
    over_admitted: fullWindows.reduce((sum, w) => sum + Math.max(0, w - limit), 0),
    under_admitted: fullWindows.reduce((sum, w) => sum + Math.max(0, limit - w), 0),
    max_admitted_in_any_60s: maxIn60,
    /** 429s answered while certainly fewer than `limit` had been admitted in the trailing 60 s. */
    wrongly_rejected: wronglyRejected,
    first_admission_after_s: admitted.length
      ? Math.round((Math.min(...admitted.map((a) => a.sent)) - start) / 100) / 10
      : null,
    offered: samples.length,
    /** Requests that got no answer (connection error or timeout): admitted or not, unknown. */
    unknown_outcomes: samples.filter((s) => s.status === 0).length,
    statuses,
  };
}

// ---- memory ---------------------------------------------------------------------------------

async function memoryRun(gw) {
  const pid = gw.runtime?.pid;
  const processes = () =>
    workerdUnder(gw.child.pid).map((w) => ({
      pid: w.pid,
      role: w.pid === pid ? "worker" : "proxy",
      ...rssParts(w.pid),
    }));
  const before = pid ? rssMb(pid) : null;
  const beforeAll = processes();
  const count = SETTINGS.memory_clients;
  const started = performance.now();
  // Minted with the gateway's own code and inserted into D1 by a bench-only route (bench/worker.ts
  // explains why); each client's Durable Object is created by its first request below.
  const chunk = 500;
  const chunks = await pool(Math.ceil(count / chunk), 2, async (k) => {
    const n = Math.min(chunk, count - k * chunk);
    const res = await request(gw.base, "POST", "/bench/seed-clients", {
      headers: { authorization: `Bearer ${gw.adminToken}` },
      body: { count: n, rate_limit: 100 },
      timeoutMs: 120_000,
    });
    if (res.status !== 201 || !Array.isArray(res.json?.clients))
      throw new Error(`seeding answered ${res.status}: ${res.text.slice(0, 300)}`);
    return res.json.clients;
  });
  const clients = chunks.flat();
  const createSeconds = (performance.now() - started) / 1000;
  const useStarted = performance.now();
  const cpuBefore = pid ? cpuSeconds(pid) : null;
  const statuses = {};
  let used = 0;
  // Sampled every second: the peak, and the last value seen should the process die meanwhile.
  let peak = before ?? 0;
  let last = before;
  let gone = false;
  const sampler = setInterval(() => {
    const now = pid ? rssMb(pid) : null;
    if (now === null) gone = true;
    else {
      last = now;
      peak = Math.max(peak, now);
    }
  }, 1000);
  // Paced: every client's first request creates its Durable Object, and each object wakes again
  // 20 s later to flush its usage to D1, so local workerd holds thousands of SQLite-backed objects
  // at once. Unpaced, it overloads (SQLITE_NOMEM, connect() timeouts, 503s) and at times dies; at
  // ~90 new clients/s it stays clean on a 2-core machine. The pace drops by 30 % after a failure
  // and climbs back by 10/s per clean 5 s. A 503 or a reset is counted and retried (twice at
  // most), so that every client gets used.
  const MAX_RATE = 90;
  let rate = MAX_RATE;
  let slot = performance.now();
  let lastCut = 0;
  let cleanSince = performance.now();
  const paced = async () => {
    const now = performance.now();
    if (now - cleanSince > 5000 && rate < MAX_RATE) {
      rate = Math.min(MAX_RATE, rate + 10);
      cleanSince = now;
    }
    const due = Math.max(slot, now);
    slot = due + 1000 / rate;
    if (due > now) await sleep(due - now);
  };
  const failed = () => {
    const now = performance.now();
    cleanSince = now;
    if (now - lastCut > 1000) {
      rate = Math.max(20, rate * 0.7);
      lastCut = now;
    }
  };
  let minRate = rate;
  await pool(count, 16, async (i) => {
    const c = clients[i];
    for (let attempt = 0; attempt < 3; attempt++) {
      await paced();
      if (gone || performance.now() - t0 > MEMORY_DEADLINE_MS) return;
      if (attempt === 0) used++;
      let outcome;
      try {
        outcome = (
          await request(gw.base, "GET", "/v1/memory", {
            headers: { "X-Client-ID": c.id, "X-Client-Secret": c.secret },
            timeoutMs: 15_000,
          })
        ).status;
      } catch (err) {
        outcome = `error ${err.code ?? err.message}`;
      }
      statuses[outcome] = (statuses[outcome] ?? 0) + 1;
      if (outcome === 200 || (typeof outcome === "number" && outcome !== 503)) break;
      failed();
      minRate = Math.min(minRate, rate);
    }
  });
  const useSeconds = (performance.now() - useStarted) / 1000;
  clearInterval(sampler);
  const after = pid ? rssMb(pid) : null;
  const cpuUsed = after !== null ? cpuSeconds(pid) - cpuBefore : null;
  return {
    memory_mb: after,
    memory_before_mb: before,
    memory_delta_mb: after !== null && before !== null ? Math.round((after - before) * 10) / 10 : null,
    memory_peak_mb: after === null ? peak : Math.max(peak, after),
    memory_last_seen_mb: after ?? last,
    memory_detail: {
      clients: used,
      clients_planned: count,
      worker_cpu_seconds: cpuUsed === null ? null : Math.round(cpuUsed * 10) / 10,
      worker_cpu_busy: cpuUsed === null ? null : Math.round((cpuUsed / useSeconds) * 100) / 100,
      seed_seconds: Math.round(createSeconds * 10) / 10,
      use_seconds: Math.round(useSeconds * 10) / 10,
      use_statuses: statuses,
      pace_per_s: { max: MAX_RATE, lowest: Math.round(minRate) },
      processes_before: beforeAll,
      processes_after: processes(),
    },
  };
}

// ---- report ---------------------------------------------------------------------------------

/** Error lines (by kind) printed between two snapshots of the counts. */
const errorDelta = (before, after) =>
  Object.fromEntries(
    Object.entries(after)
      .map(([k, v]) => [k, v - (before[k] ?? 0)])
      .filter(([, v]) => v > 0),
  );

const fmt = (v, digits = 2) =>
  v === null || v === undefined ? "-" : typeof v === "number" ? v.toFixed(digits) : String(v);

function table(rows, columns) {
  const widths = columns.map((c) => Math.max(c.title.length, ...rows.map((r) => c.get(r).length)));
  const line = (cells) =>
    "| " +
    cells.map((cell, i) => (columns[i].left ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join(" | ") +
    " |";
  const rule =
    "|" + widths.map((w, i) => (columns[i].left ? ":" + "-".repeat(w + 1) : "-".repeat(w + 1) + ":")).join("|") + "|";
  return [line(columns.map((c) => c.title)), rule, ...rows.map((r) => line(columns.map((c) => c.get(r))))].join("\n");
}

function renderMarkdown(out) {
  const scenarioTable = table(out.scenarios, [
    { title: "scenario", left: true, get: (r) => r.name },
    { title: "req/s", get: (r) => (r.skipped ? "skipped" : fmt(r.rps, 0)) },
    { title: "p50 ms", get: (r) => fmt(r.p50_ms) },
    { title: "p99 ms", get: (r) => fmt(r.p99_ms) },
    { title: "× baseline", get: (r) => fmt(r.ratio_to_baseline) },
    { title: "workerd CPU ms/req", get: (r) => fmt(r.worker_cpu_ms_per_request, 3) },
    {
      title: "answers",
      left: true,
      get: (r) =>
        r.skipped
          ? r.skipped
          : Object.entries(r.statuses ?? {})
              .map(([s, c]) => `${s}: ${c}`)
              .join(", "),
    },
  ]);
  const accuracyTable = table(out.accuracy, [
    { title: "limiter", left: true, get: (r) => r.name },
    { title: "limit", get: (r) => String(r.limit) },
    {
      title: "admitted per 60 s window",
      left: true,
      get: (r) =>
        r.windows.join(", ") + (r.last_window_seconds < 60 ? ` (last: first ${r.last_window_seconds} s)` : ""),
    },
    { title: "÷ limit", left: true, get: (r) => r.admitted_per_limit.map((v) => v.toFixed(2)).join(", ") },
    { title: "max in any 60 s", get: (r) => String(r.max_admitted_in_any_60s) },
    { title: "wrongly refused", get: (r) => String(r.wrongly_rejected) },
    { title: "offered", get: (r) => String(r.offered) },
    {
      title: "answers",
      left: true,
      get: (r) =>
        Object.entries(r.statuses)
          .map(([s, c]) => `${s}: ${c}`)
          .join(", "),
    },
  ]);
  const m = out.machine;
  const warnings = [
    ...out.scenarios
      .filter((r) => r.unexpected_answers || r.errors)
      .map(
        (r) =>
          `- ${r.name}: ${r.unexpected_answers} unexpected answers, ${r.errors} connection errors or timeouts (see "answers")`,
      ),
    ...out.accuracy
      .filter((a) => a.unknown_outcomes)
      .map((a) => `- accuracy ${a.name}: ${a.unknown_outcomes} requests got no answer, so its windows may undercount`),
    ...out.accuracy
      .filter((a) => a.wrongly_rejected)
      .map(
        (a) =>
          `- accuracy ${a.name}: ${a.wrongly_rejected} requests were refused (429) while fewer than ${a.limit} had been admitted in their trailing 60 s`,
      ),
    ...(out.memory_mb === null
      ? [
          `- memory: the workerd process running the Worker died during the memory phase (last seen at ${fmt(out.memory_last_seen_mb, 1)} MB); the phase stopped there`,
        ]
      : []),
    ...(out.memory_detail.clients < out.memory_detail.clients_planned
      ? [
          `- memory: only ${out.memory_detail.clients} of ${out.memory_detail.clients_planned} clients were used before the time limit`,
        ]
      : []),
  ];
  return [
    `Run of ${out.started_at} (${out.total_seconds} s in all) on ${m.cpu_model}, ${m.cores} cores, ${m.os}, Node ${m.node}, wrangler ${m.wrangler}, workerd ${m.workerd}.`,
    `${out.settings.connections} connections, ${out.settings.warmup_s} s warm-up + ${out.settings.duration_s} s per scenario, ${out.settings.rounds} rounds in the order ${RUN_ORDER.join(", ")}, each followed by a pause for deferred work (the accuracy run's ~25 req/s ran alongside the first round), means of the rounds; load sent ${out.target}; state on ${out.persistence}.`,
    "",
    scenarioTable,
    "",
    `Accuracy: limit ${SETTINGS.accuracy_limit}, ${SETTINGS.accuracy_load_factor}× the limit offered by ${SETTINGS.accuracy_connections} connections in bursts of ${SETTINGS.accuracy_burst}, for ${SETTINGS.accuracy_seconds} s; windows start at the first admission.`,
    "",
    accuracyTable,
    "",
    `Memory (workerd running the Worker, VmRSS): ${fmt(out.memory_before_mb, 1)} MB before, ${fmt(out.memory_mb, 1)} MB after ${out.memory_detail?.clients ?? "-"} distinct clients were created and used once each (+${fmt(out.memory_delta_mb, 1)} MB; peak ${fmt(out.memory_peak_mb, 1)} MB); their first requests were answered ${Object.entries(
      out.memory_detail?.use_statuses ?? {},
    )
      .map(([s, c]) => `${s}: ${c}`)
      .join(", ")}.`,
    ...(warnings.length ? ["", "**Warnings**", ...warnings] : []),
  ].join("\n");
}

// ---- main -----------------------------------------------------------------------------------

async function main() {
  if (process.platform !== "linux") say("warning: process discovery and memory figures need Linux /proc");
  checkConfigInSync();
  const gw = await startGateway();

  // The accuracy run needs a little over a minute of wall time but little CPU (about 25 requests/s
  // in all), so it runs while the scenario clients are seeded and during the first round of the
  // throughput scenarios, which therefore all carry that same small extra load; the second round
  // starts only once it has ended. This keeps the whole run within five minutes.
  const accuracyClient = await createClient(gw, "accuracy", SETTINGS.accuracy_limit);
  say(
    `accuracy: ${SETTINGS.accuracy_seconds} s, ours and both peers at once, while the scenario clients are seeded and round 1 runs`,
  );
  const accTag = randomBase62(8);
  const accuracyPromise = Promise.all([
    accuracyRun(
      gw.base,
      "nafsi",
      "the gateway: X-Client-ID + X-Client-Secret, exact sliding window in the client's Durable Object",
      SETTINGS.accuracy_limit,
      () => ({
        path: "/v1/accuracy",
        headers: { "X-Client-ID": accuracyClient.id, "X-Client-Secret": accuracyClient.secret },
      }),
    ),
    accuracyRun(
      gw.base,
      "peer-cf-ratelimit",
      "Cloudflare's rate-limit binding as miniflare simulates it (period 60)",
      PEER_ACCURACY_LIMIT,
      () => ({
        path: "/bench/peer/cf/accuracy/x",
        headers: { "X-Client-ID": `accuracy-cf-${accTag}` },
      }),
    ),
    accuracyRun(
      gw.base,
      "peer-hono-rate-limiter",
      "hono-rate-limiter 0.5 with the Durable Object store of @hono-rate-limiter/cloudflare (windowMs 60000)",
      PEER_ACCURACY_LIMIT,
      () => ({
        path: "/bench/peer/hrl/accuracy/x",
        headers: { "X-Client-ID": `accuracy-hrl-${accTag}` },
      }),
    ),
  ]);

  say(
    `seeding ${SETTINGS.secret_clients} + ${SETTINGS.workflow_clients} clients (limit ${SETTINGS.client_rate_limit}) and a flood client (limit ${SETTINGS.flood_rate_limit}) through the admin API`,
  );
  const secretClients = await pool(SETTINGS.secret_clients, SETTINGS.admin_concurrency, (i) =>
    createClient(gw, `secret-${i}`, SETTINGS.client_rate_limit),
  );
  const workflowClients = await pool(SETTINGS.workflow_clients, SETTINGS.admin_concurrency, (i) =>
    createClient(gw, `workflow-${i}`, SETTINGS.client_rate_limit),
  );
  const flood = await createClient(gw, "flood", SETTINGS.flood_rate_limit);
  const junkClients = await pool(SETTINGS.junk_clients, SETTINGS.admin_concurrency, (i) =>
    createClient(gw, `junk-${i}`, SETTINGS.client_rate_limit),
  );
  let workflows = null;
  let workflowSkip = null;
  const first = await createWorkflow(gw, workflowClients[0], "bench-0");
  if (first === null) {
    workflowSkip = "workflows not available";
    say("POST /admin/workflows answered 404: the workflow scenario is skipped");
  } else {
    const rest = await pool(workflowClients.length - 1, SETTINGS.admin_concurrency, (i) =>
      createWorkflow(gw, workflowClients[i + 1], `bench-${i + 1}`),
    );
    workflows = [first, ...rest];
  }

  // Sanity: every scenario answers what it should before anything is measured.
  const check = async (what, p, headers, expected) => {
    const res = await request(gw.base, "GET", p, { headers });
    if (!expected.includes(res.status))
      throw new Error(`${what}: expected ${expected.join("/")}, got ${res.status}: ${res.text.slice(0, 300)}`);
  };
  await check("baseline", "/bench/baseline", {}, [200]);
  await check(
    "secret",
    "/v1/bench",
    { "X-Client-ID": secretClients[0].id, "X-Client-Secret": secretClients[0].secret },
    [200],
  );
  if (workflows)
    await check(
      "workflow",
      "/v1/bench",
      { "X-Client-ID": workflowClients[0].id, "X-Workflow-ID": workflows[0] },
      [200],
    );
  await check(
    "junk",
    "/v1/bench",
    { "X-Client-ID": `nafsi_live_${randomBase62(28)}`, "X-Client-Secret": `sk_live_${randomBase62(28)}` },
    [401],
  );
  await check("peer-cf", "/bench/peer/cf/throughput/x", { "X-Client-ID": "check" }, [200]);
  await check("peer-hrl", "/bench/peer/hrl/throughput/x", { "X-Client-ID": "check" }, [200]);

  const secretRequests = secretClients.map((c) => ({
    path: "/v1/bench",
    headers: { "X-Client-ID": c.id, "X-Client-Secret": c.secret },
  }));
  const scenarios = {
    baseline: { requests: [{ path: "/bench/baseline", headers: {} }], expect: ["200"] },
    secret: { requests: secretRequests, expect: ["200"] },
    workflow: workflows
      ? {
          requests: workflowClients.map((c, i) => ({
            path: "/v1/bench",
            headers: { "X-Client-ID": c.id, "X-Workflow-ID": workflows[i] },
          })),
          expect: ["200"],
        }
      : { skipped: workflowSkip },
    flood: {
      requests: [{ path: "/v1/bench", headers: { "X-Client-ID": flood.id, "X-Client-Secret": flood.secret } }],
      expect: ["429", "200"],
    },
    junk: { requests: junkRequests(junkClients, 1000), expect: ["401"] },
    "peer-cf-ratelimit": {
      requests: secretClients.map((c) => ({ path: "/bench/peer/cf/throughput/x", headers: { "X-Client-ID": c.id } })),
      expect: ["200"],
    },
    "peer-hono-rate-limiter": {
      requests: secretClients.map((c) => ({ path: "/bench/peer/hrl/throughput/x", headers: { "X-Client-ID": c.id } })),
      expect: ["200"],
    },
  };
  const order = ALL_SCENARIOS.filter((s) => SELECTED.includes(s));
  // The gateway defers work: each client's object flushes its usage to D1 20 s after the first
  // request it counts. Run order (the same in both rounds) puts the bare route and the peers first
  // and the gateway scenarios last, so that this deferred work never lands on the baseline or a
  // peer; after each round the bench waits until 21 s after the last scenario started and reports
  // the Worker's CPU during that wait as the round's deferred work.
  const runOrder = RUN_ORDER.filter((s) => order.includes(s));
  const rounds = {};
  const settles = [];
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
  for (let round = 0; round < SETTINGS.rounds; round++) {
    let lastStart = performance.now();
    for (const name of runOrder) {
      const scenario = scenarios[name];
      if (scenario.skipped) continue;
      lastStart = performance.now();
      await cannon(gw.base, scenario.requests, SETTINGS.warmup_s, SETTINGS.connections);
      const errorsBefore = { ...gw.errorKinds };
      const r = await cannon(
        gw.base,
        scenario.requests,
        SETTINGS.duration_s,
        SETTINGS.connections,
        gw.runtime ? [gw.runtime.pid] : [],
      );
      r.runtime_errors = errorDelta(errorsBefore, gw.errorKinds);
      (rounds[name] ??= []).push(r);
      say(
        `round ${round + 1} ${name.padEnd(23)} ${fmt(r.rps, 0).padStart(6)} req/s  p50 ${fmt(r.p50_ms)} ms  p99 ${fmt(r.p99_ms)} ms  workerd ${fmt(r.cpu_ms_per_request?.[0], 3)} cpu-ms/req (${fmt((r.cpu_utilisation?.[0] ?? 0) * 100, 0)}% busy)  ${JSON.stringify(r.statuses)}${r.errors ? ` errors ${r.errors}` : ""}${Object.keys(r.runtime_errors).length ? ` runtime errors ${JSON.stringify(r.runtime_errors)}` : ""}`,
      );
    }
    const settleStart = performance.now();
    const cpuStart = gw.runtime ? cpuSeconds(gw.runtime.pid) : null;
    if (round === 0) await endAccuracy();
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

  await endAccuracy();
  const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const round2 = (v) => (v === null ? null : Math.round(v * 100) / 100);
  const round3 = (v) => (v === null ? null : Math.round(v * 1000) / 1000);
  const baselineRps = rounds.baseline ? mean(rounds.baseline.map((r) => r.rps)) : null;
  const scenarioResults = order.map((name) => {
    const scenario = scenarios[name];
    if (scenario.skipped)
      return { name, rps: null, p50_ms: null, p99_ms: null, ratio_to_baseline: null, skipped: scenario.skipped };
    const rs = rounds[name];
    const rps = mean(rs.map((r) => r.rps));
    const statuses = {};
    for (const r of rs) for (const [s, c] of Object.entries(r.statuses)) statuses[s] = (statuses[s] ?? 0) + c;
    const unexpected = Object.entries(statuses)
      .filter(([s]) => !scenario.expect.includes(s))
      .reduce((a, [, c]) => a + c, 0);
    return {
      name,
      rps: Math.round(rps),
      p50_ms: round2(mean(rs.map((r) => r.p50_ms))),
      p99_ms: round2(mean(rs.map((r) => r.p99_ms))),
      ratio_to_baseline: baselineRps ? round2(rps / baselineRps) : null,
      worker_cpu_ms_per_request: gw.runtime ? round3(mean(rs.map((r) => r.cpu_ms_per_request[0]))) : null,
      worker_cpu_busy: gw.runtime ? round2(mean(rs.map((r) => r.cpu_utilisation[0]))) : null,
      statuses,
      unexpected_answers: unexpected,
      errors: rs.reduce((a, r) => a + r.errors + r.timeouts, 0),
      runtime_errors: rs.reduce((acc, r) => {
        for (const [k, v] of Object.entries(r.runtime_errors)) acc[k] = (acc[k] ?? 0) + v;
        return acc;
      }, {}),
      rounds: rs.map((r) => ({
        rps: Math.round(r.rps),
        p50_ms: round2(r.p50_ms),
        p99_ms: round2(r.p99_ms),
        worker_cpu_ms_per_request: round3(r.cpu_ms_per_request?.[0] ?? null),
      })),
    };
  });

  const errorsBeforeMemory = { ...gw.errorKinds };
  say(`memory: ${SETTINGS.memory_clients} distinct clients, each used once`);
  const memory = await memoryRun(gw);
  say(
    `memory: ${memory.memory_before_mb} MB -> ${memory.memory_mb} MB (${memory.memory_detail.clients} clients; ${memory.memory_detail.seed_seconds} s to seed, ${memory.memory_detail.use_seconds} s to use, workerd ${Math.round((memory.memory_detail.worker_cpu_busy ?? 0) * 100)}% busy) ${JSON.stringify(memory.memory_detail.use_statuses)}`,
  );

  const cpus = os.cpus();
  const out = {
    scenarios: scenarioResults,
    accuracy,
    memory_mb: memory.memory_mb,
    machine: {
      cpu_model: cpus[0]?.model ?? "unknown",
      cores: cpus.length,
      memory_gb: Math.round(os.totalmem() / 2 ** 30),
      node: process.version,
      os: `${os.type()} ${os.release()} ${os.arch()}`,
      wrangler: require("wrangler/package.json").version,
      workerd: (() => {
        try {
          return require("workerd/package.json").version;
        } catch {
          return "unknown";
        }
      })(),
    },
    settles,
    memory_before_mb: memory.memory_before_mb,
    memory_delta_mb: memory.memory_delta_mb,
    memory_peak_mb: memory.memory_peak_mb,
    memory_last_seen_mb: memory.memory_last_seen_mb,
    memory_detail: memory.memory_detail,
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

  mkdirSync(RESULTS_DIR, { recursive: true });
  const jsonPath = path.join(RESULTS_DIR, "latest.json");
  writeFileSync(jsonPath + ".tmp", JSON.stringify(out, null, 2) + "\n");
  renameSync(jsonPath + ".tmp", jsonPath);
  const markdown = renderMarkdown(out);
  writeFileSync(path.join(RESULTS_DIR, "latest.md"), markdown + "\n");
  if (args.has("--update-readme")) {
    const readme = path.join(BENCH_DIR, "README.md");
    const text = readFileSync(readme, "utf8");
    const start = "<!-- bench:results:start -->";
    const end = "<!-- bench:results:end -->";
    const a = text.indexOf(start);
    const b = text.indexOf(end);
    if (a !== -1 && b > a)
      writeFileSync(readme, text.slice(0, a + start.length) + "\n" + markdown + "\n" + text.slice(b));
  }
  console.log("\n" + markdown + "\n");
  say(`wrote bench/results/latest.json and bench/results/latest.md in ${out.total_seconds} s`);
}

main().then(
  () => process.exit(0),
  (err) => fail(err),
);
