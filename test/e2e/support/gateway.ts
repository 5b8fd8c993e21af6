// Starts the real Worker with `wrangler dev` (local D1, KV and Durable Objects, offline) for the
// end-to-end tests. One instance serves a whole vitest run (see global-setup.ts).
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export interface Gateway {
  baseUrl: string;
  adminToken: string;
  stop(): Promise<void>;
}

const ROOT = resolve(import.meta.dirname, "../../..");
const WRANGLER = join(ROOT, "node_modules/wrangler/bin/wrangler.js");
const STARTUP_TIMEOUT_MS = 90_000;

export async function startGateway(): Promise<Gateway> {
  const dir = mkdtempSync(join(tmpdir(), "nafsi-e2e-"));
  const persistTo = join(dir, "state");
  const adminToken = "nafsi_admin_e2e" + randomBytes(24).toString("hex");
  // Secrets go through an env file (not argv) so they do not show up in `ps`. Passing --env-file
  // also stops wrangler from reading a developer's .dev.vars.
  const envFile = join(dir, "e2e.env");
  const secrets = {
    ADMIN_TOKEN: adminToken,
    TOKEN_SIGNING_KEY: randomBytes(32).toString("hex"),
    CREDENTIAL_TAG_KEY: randomBytes(32).toString("hex"),
  };
  writeFileSync(
    envFile,
    Object.entries(secrets)
      .map(([k, v]) => `${k}=${v}\n`)
      .join(""),
    { mode: 0o600 },
  );
  // No metrics, no Request.cf download, no update check (the banner's): nothing leaves the machine.
  const env = {
    ...process.env,
    WRANGLER_SEND_METRICS: "false",
    CLOUDFLARE_CF_FETCH_ENABLED: "false",
    WRANGLER_HIDE_BANNER: "true",
    CI: "true",
    NO_COLOR: "1",
  };

  const migrate = spawnSync(
    process.execPath,
    [WRANGLER, "d1", "migrations", "apply", "DB", "--local", "--persist-to", persistTo],
    { cwd: ROOT, env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] },
  );
  if (migrate.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`D1 migrations failed:\n${migrate.stdout}\n${migrate.stderr}`);
  }

  const [port, inspectorPort] = [await freePort(), await freePort()];
  // detached: wrangler runs in its own process group, so stop() can end it together with the
  // workerd it spawns (killing wrangler alone can leave workerd holding the port).
  const child = spawn(
    process.execPath,
    [
      WRANGLER,
      "dev",
      "--ip",
      "127.0.0.1",
      "--port",
      String(port),
      "--inspector-port",
      String(inspectorPort),
      "--persist-to",
      persistTo,
      "--env-file",
      envFile,
      "--log-level",
      "warn",
      "--show-interactive-dev-session=false",
    ],
    { cwd: ROOT, env, detached: true, stdio: ["ignore", "pipe", "pipe"] },
  );
  const output = tail(child);
  const baseUrl = `http://127.0.0.1:${port}`;

  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= killGroup(child).finally(() => {
      rmSync(dir, { recursive: true, force: true });
    }));

  try {
    await waitForHealth(baseUrl, child);
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message}\nwrangler output:\n${output()}`);
  }
  return { baseUrl, adminToken, stop };
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolvePort(port));
    });
  });
}

/** Keeps the last few KB of the child's output for error messages (and drains the pipes). */
function tail(child: ChildProcess) {
  let text = "";
  const keep = (chunk: Buffer) => {
    text = (text + chunk.toString("utf8")).slice(-8_000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  return () => text;
}

async function waitForHealth(baseUrl: string, child: ChildProcess) {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`wrangler dev exited early (${child.exitCode ?? child.signalCode})`);
    }
    try {
      const res = await fetch(`${baseUrl}/healthz`, { signal: AbortSignal.timeout(2_000) });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`wrangler dev did not answer GET /healthz within ${STARTUP_TIMEOUT_MS / 1000} s`);
}

async function killGroup(child: ChildProcess) {
  if (child.pid === undefined) return;
  const pid = child.pid;
  const exited = new Promise<void>((r) => {
    if (child.exitCode !== null || child.signalCode !== null) r();
    else child.once("exit", () => r());
  });
  // SIGTERM to wrangler alone first: it stops and reaps its own workerd and esbuild children
  // (signalling the whole group makes them orphans that linger as zombies). Whatever of the group
  // is still alive afterwards, or after 5 s, is killed.
  child.kill("SIGTERM");
  const timer = setTimeout(() => signalGroup(pid, "SIGKILL"), 5_000);
  await exited;
  clearTimeout(timer);
  signalGroup(pid, "SIGKILL");
}

function signalGroup(pid: number, signal: NodeJS.Signals) {
  try {
    process.kill(-pid, signal);
  } catch {
    // the group is already gone
  }
}
