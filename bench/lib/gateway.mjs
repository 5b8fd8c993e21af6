// Starts the bench Worker under `wrangler dev` with fresh local state, finds the workerd that runs
// it, and talks to its admin API and bench-only routes.
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { writeBenchConfig } from "./config.mjs";
import { request } from "./http.mjs";
import { listeningPorts, workerdUnder } from "./proc.mjs";
import { alive, freePort, runSync, startChild, workerdPids, wranglerEnv } from "./processes.mjs";
import {
  args,
  BENCH_DIR,
  BUILD_DIR,
  CONFIG,
  HOST,
  LIMITS,
  PERSIST_DIR,
  PERSIST_ON_DISK,
  ROOT,
  say,
  STATE_DIR,
} from "./settings.mjs";
import { wranglerLog } from "./wrangler-log.mjs";

const WRANGLER = createRequire(import.meta.url).resolve("wrangler/bin/wrangler.js");

function freshState() {
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
}

async function waitForHealth(base, exited, log) {
  const until = Date.now() + 90_000;
  for (;;) {
    if (exited() !== null) throw new Error(`wrangler dev exited (${exited()}):\n${log.tail()}`);
    if (Date.now() > until) throw new Error(`wrangler dev did not answer /healthz within 90 s:\n${log.tail()}`);
    try {
      const res = await request(base, "GET", "/healthz", { timeoutMs: 2000 });
      if (res.status === 200) return;
    } catch {
      /* not yet */
    }
    await sleep(250);
  }
}

/**
 * wrangler dev runs two workerd processes: its proxy (on our port) and the Worker's runtime, which
 * the proxy forwards to. The load goes straight to the latter (see README) unless --via-proxy.
 * Found by probing the runtime's listening ports for /healthz.
 */
export async function findRuntime(wranglerPid, proxyPort) {
  for (let attempt = 0; attempt < 20; attempt++) {
    for (const w of workerdUnder(wranglerPid)) {
      workerdPids.add(w.pid);
      if (w.cmdline.includes(`entry=${HOST}:${proxyPort}`)) continue; // the proxy
      for (const p of listeningPorts(w.pid)) {
        try {
          const res = await request(`http://${HOST}:${p}`, "GET", "/healthz", { timeoutMs: 1000 });
          if (res.status === 200 && res.json?.status === "ok") return { pid: w.pid, port: p };
        } catch {
          /* another socket (inspector, loopback) */
        }
      }
    }
    await sleep(250);
  }
  return null;
}

export async function startGateway() {
  freshState();
  await writeBenchConfig(CONFIG, { limits: LIMITS, root: ROOT, benchDir: BENCH_DIR });

  say("building what the Worker serves (npm run build)");
  const built = spawnSync("npm", ["run", "--silent", "build"], { cwd: ROOT, stdio: "inherit" });
  if (built.status !== 0) throw new Error(`npm run build failed (exit ${built.status})`);
  say("bundling bench/worker.ts (wrangler deploy --dry-run; nothing is uploaded)");
  runSync([WRANGLER, "deploy", "--dry-run", "--outdir", BUILD_DIR, "-c", CONFIG], "bundling");
  const bundle = path.join(BUILD_DIR, "worker.js");
  if (!existsSync(bundle)) throw new Error(`no bundle at ${bundle}`);

  const shown = path.relative(ROOT, PERSIST_DIR);
  say(`applying D1 migrations to ${shown.startsWith("..") ? PERSIST_DIR : shown}`);
  runSync(
    [WRANGLER, "d1", "migrations", "apply", "DB", "--local", "-c", CONFIG, "--persist-to", PERSIST_DIR],
    "migrations",
  );

  const port = await freePort();
  const adminToken = "bench_admin_" + randomBytes(24).toString("base64url");
  const signingKey = randomBytes(32).toString("base64url");
  const inspectorPort = await freePort();
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
      String(inspectorPort),
      "--show-interactive-dev-session=false",
      "--var",
      `ADMIN_TOKEN:${adminToken}`,
      "--var",
      `TOKEN_SIGNING_KEY:${signingKey}`,
      `CREDENTIAL_TAG_KEY:${randomBytes(32).toString("base64url")}`,
    ],
    { env: wranglerEnv() },
  );
  const log = wranglerLog(path.join(STATE_DIR, "wrangler.log"));
  log.follow(child.stdout);
  log.follow(child.stderr);
  let exited = null;
  child.on("exit", (code) => (exited = code));

  const proxyBase = `http://${HOST}:${port}`;
  await waitForHealth(proxyBase, () => exited, log);
  const runtime = await findRuntime(child.pid, port);
  const viaProxy = args.has("--via-proxy") || !runtime;
  if (!runtime) say("could not find the Worker's workerd process; measuring through wrangler's proxy");
  const base = viaProxy ? proxyBase : `http://${HOST}:${runtime.port}`;
  say(`gateway up; load goes to ${viaProxy ? "wrangler dev's proxy" : "the Worker's workerd directly"} at ${base}`);
  return {
    child,
    base,
    proxyBase,
    inspectorPort,
    adminToken,
    runtime,
    viaProxy,
    log: log.tail,
    errorKinds: log.errorKinds,
  };
}

export async function createClient(gw, name, rateLimit) {
  const res = await request(gw.base, "POST", "/admin/clients", {
    headers: { authorization: `Bearer ${gw.adminToken}` },
    body: { name, environment: "production", rate_limit: rateLimit },
  });
  if (res.status !== 201 || !res.json?.client?.id || !res.json?.client_secret) {
    throw new Error(`POST /admin/clients answered ${res.status}: ${res.text.slice(0, 300)}`);
  }
  return { id: res.json.client.id, secret: res.json.client_secret };
}

export async function createWorkflow(gw, client, name) {
  const res = await request(gw.base, "POST", "/admin/workflows", {
    headers: { authorization: `Bearer ${gw.adminToken}` },
    body: { client_id: client.id, client_secret: client.secret, name },
  });
  if (res.status !== 201 || !res.json?.workflow?.id) {
    throw new Error(`POST /admin/workflows answered ${res.status}: ${res.text.slice(0, 300)}`);
  }
  return res.json.workflow.id;
}

/**
 * Durable Object calls the Worker made since the last reset, by binding and method (bench/worker.ts
 * counts them). Calls to the objects named in `setAside` (the accuracy client, whose run overlaps
 * the first round) are counted apart, so that they never land on a scenario.
 */
export async function resetCounters(gw, setAside) {
  const res = await request(gw.base, "POST", "/bench/counters", { body: { set_aside: setAside } });
  if (res.status !== 200) throw new Error(`POST /bench/counters answered ${res.status}: ${res.text.slice(0, 300)}`);
}

/** `{do_calls, do_call_ms, edge_storage}` since the last reset (see bench/worker.ts). */
export async function readCounters(gw) {
  const res = await request(gw.base, "GET", "/bench/counters");
  if (res.status !== 200) throw new Error(`GET /bench/counters answered ${res.status}: ${res.text.slice(0, 300)}`);
  return res.json;
}

async function benchCall(gw, method, path, body) {
  const res = await request(gw.base, method, path, body === undefined ? {} : { body });
  if (res.status !== 200) throw new Error(`${method} ${path} answered ${res.status}: ${res.text.slice(0, 300)}`);
  return res.json;
}

/** Storage work inside objects, by owner label, since the last `resetObjectStorage` (deferred work included). */
export const readObjectStorage = (gw) => benchCall(gw, "GET", "/bench/storage");
export const resetObjectStorage = (gw) => benchCall(gw, "POST", "/bench/storage");

/** The owner label of each named object of `binding` (`CLIENT_AUTHORITY` or `HRL_LIMITER`). */
export const objectOwners = (gw, binding, names) => benchCall(gw, "POST", "/bench/object-owners", { binding, names });
