// Child processes this run starts (wrangler, each in its own process group) and their cleanup.
import { spawn, spawnSync } from "node:child_process";
import net from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { HOST, ROOT } from "./settings.mjs";

const children = new Set();
/** workerd processes found under our wrangler, killed by pid too in case they outlive it. */
export const workerdPids = new Set();

export function wranglerEnv() {
  return {
    ...process.env,
    WRANGLER_SEND_METRICS: "false",
    CLOUDFLARE_CF_FETCH_ENABLED: "false",
    WRANGLER_HIDE_BANNER: "true",
    CI: "true",
    NO_COLOR: "1",
    FORCE_COLOR: "0",
  };
}

export function startChild(argv, options = {}) {
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

export function runSync(argv, what) {
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

export function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function kill(pid, signal) {
  try {
    process.kill(pid, signal);
  } catch {
    /* already gone */
  }
}

/** SIGTERM to every child's process group (wrangler and the workerd it runs), SIGKILL after 5 s. */
export async function stopChildren() {
  for (const child of children) kill(-child.pid, "SIGTERM");
  const until = Date.now() + 5000;
  while (Date.now() < until && ([...children].some((c) => alive(c.pid)) || [...workerdPids].some(alive)))
    await sleep(100);
  for (const child of children) kill(-child.pid, "SIGKILL");
  for (const pid of workerdPids) kill(pid, "SIGKILL");
}

export function freePort() {
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
