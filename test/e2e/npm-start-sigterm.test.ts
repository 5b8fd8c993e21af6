// `npm start` (scripts/start.mjs) reaches nothing beyond the machine (no host name but loopback is
// looked up, by any of its Node processes), and ended by SIGTERM it leaves nothing behind: the
// script exits, no wrangler or workerd of its process groups survives, and the port can be
// listened on again.
//
// It runs the real script in the repository's files, but in a scratch directory of symlinks so that
// the .dev.vars it creates and the local state (.wrangler/) are the scratch directory's, with a
// scratch HOME for wrangler's and npm's own files. Both ways of starting it are checked: `npm start`
// (the signal goes to npm, which passes it on) and `node scripts/start.mjs` (a process manager
// running the script itself).
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");
const LINKED = [
  "package.json",
  "package-lock.json",
  "wrangler.toml",
  "tsconfig.json",
  "src",
  "migrations",
  "node_modules",
  "sdk",
  "console",
  "scripts",
  // wrangler dev compares it with the Env it would generate (the check npm start keeps quiet).
  "worker-configuration.d.ts",
];
const STARTUP_MS = 150_000;
const RECORD_LOOKUPS = join(import.meta.dirname, "support/record-lookups.mjs");
const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1"]);
const EXIT_MS = 10_000;

interface Proc {
  pid: number;
  ppid: number;
  pgid: number;
  state: string;
  comm: string;
}

/** Every process now, from /proc (Linux). */
function processes(): Proc[] {
  const out: Proc[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // "pid (comm) state ppid pgrp …": comm may hold spaces and parentheses, so split at the last ")".
      const close = stat.lastIndexOf(")");
      const [state, ppid, pgid] = stat.slice(close + 2).split(" ");
      out.push({
        pid: Number(entry),
        comm: stat.slice(stat.indexOf("(") + 1, close),
        state: state!,
        ppid: Number(ppid),
        pgid: Number(pgid),
      });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** The process and all its descendants, alive (zombies are not: they hold no port and run nothing). */
function tree(root: number): Proc[] {
  const all = processes().filter((p) => p.state !== "Z");
  const found = all.filter((p) => p.pid === root);
  for (let i = 0; i < found.length; i++) found.push(...all.filter((p) => p.ppid === found[i]!.pid));
  return found;
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolvePort(port));
    });
  });
}

/** Whether a new listen on the port succeeds now. */
function canListen(port: number): Promise<boolean> {
  return new Promise((done) => {
    const server = createServer();
    server.once("error", () => done(false));
    server.listen(port, "127.0.0.1", () => server.close(() => done(true)));
  });
}

/** This process's environment without what vitest adds (NODE_ENV=test alone turns off wrangler's Request.cf fetch). */
function userEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(process.env).filter(([name]) => name !== "NODE_ENV" && !name.startsWith("VITEST")),
  );
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(process.platform !== "linux")("npm start and SIGTERM", () => {
  const dirs: string[] = [];
  const everyGroup = new Set<number>();

  afterAll(() => {
    // Whatever the test's outcome, nothing it started outlives it.
    for (const group of everyGroup) {
      try {
        process.kill(-group, "SIGKILL");
      } catch {
        // already gone
      }
    }
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it.each([
    ["npm start --", "npm", ["start", "--"]],
    ["node scripts/start.mjs", process.execPath, ["scripts/start.mjs"]],
  ])(
    "%s: stays on the machine; exits within 10 s of SIGTERM, leaves no wrangler or workerd, and frees the port",
    { timeout: STARTUP_MS + 30_000 },
    async (_label, command, args) => {
      const dir = mkdtempSync(join(tmpdir(), "nafsi-start-"));
      dirs.push(dir);
      for (const name of LINKED) symlinkSync(join(ROOT, name), join(dir, name));
      const home = join(dir, "home");
      mkdirSync(home);
      mkdirSync(join(dir, "tmp"));
      const lookups = join(dir, "lookups.txt");
      const [port, inspectorPort] = [await freePort(), await freePort()];

      const wranglerArgs = ["--ip", "127.0.0.1", "--port", String(port), "--inspector-port", String(inspectorPort)];
      const child = spawn(command, [...args, ...wranglerArgs], {
        cwd: dir,
        env: {
          ...userEnv(),
          HOME: home,
          XDG_CONFIG_HOME: join(home, ".config"),
          NO_COLOR: "1",
          npm_config_update_notifier: "false",
          NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} --import ${RECORD_LOOKUPS}`.trim(),
          NAFSI_LOOKUP_LOG: lookups,
          // wrangler's update check caches its answer for an hour in the temporary directory.
          TMPDIR: join(dir, "tmp"),
        },
        // Its own group, so that afterAll can clean up even if the script fails to.
        detached: true,
        stdio: ["ignore", "pipe", "pipe"],
      });
      const pid = child.pid!;
      everyGroup.add(pid);
      let output = "";
      const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-8_000));
      child.stdout!.on("data", keep);
      child.stderr!.on("data", keep);
      const exited = new Promise<true>((r) => child.once("exit", () => r(true)));

      const deadline = Date.now() + STARTUP_MS;
      let up = false;
      while (!up && Date.now() < deadline && child.exitCode === null) {
        up = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(2_000) }).then(
          (r) => r.ok,
          () => false,
        );
        if (!up) await sleep(500);
      }
      expect(up, `GET /healthz never answered:\n${output}`).toBe(true);
      // Quiet: one line per step, one build, no migration tables, nothing a fresh clone cannot act on.
      expect.soft(output.match(/^Built the SDK script and the admin console\./gm) ?? [], output).toHaveLength(1);
      expect
        .soft(output, "wrangler's [build] runs after npm start's own")
        .not.toMatch(/\[custom build\]|restarting build/);
      expect.soft(output).not.toMatch(/Migrations to be applied|┌|types might be out of date/);
      // The isolation held: the script's .dev.vars is the scratch directory's.
      expect(existsSync(join(dir, ".dev.vars"))).toBe(true);

      // wrangler fetches Cloudflare's Request.cf data and checks the npm registry for a newer
      // wrangler a moment after it is ready: give both time to show up.
      await sleep(3_000);
      const hosts = existsSync(lookups) ? readFileSync(lookups, "utf8").split("\n").filter(Boolean) : [];
      // Soft: the SIGTERM checks below still run (and report) when this one fails.
      expect
        .soft(
          hosts.filter((host) => !LOOPBACK.has(host)),
          "host names looked up beyond loopback",
        )
        .toEqual([]);

      const started = tree(pid);
      const groups = new Set(started.map((p) => p.pgid));
      for (const group of groups) everyGroup.add(group);
      expect(started.map((p) => p.comm)).toContain("workerd");
      expect(await canListen(port)).toBe(false);

      const signalled = Date.now();
      process.kill(pid, "SIGTERM");
      const exit = await Promise.race([exited, sleep(EXIT_MS).then(() => false)]);
      expect(exit, `still running ${EXIT_MS / 1000} s after SIGTERM:\n${output}`).toBe(true);

      // Exited in time; what it started must be gone by the same deadline.
      const left = () =>
        processes().filter((p) => p.state !== "Z" && (groups.has(p.pgid) || started.some((s) => s.pid === p.pid)));
      while (left().length > 0 && Date.now() - signalled < EXIT_MS) await sleep(100);
      expect(left().map((p) => `${p.pid} ${p.comm} (group ${p.pgid})`)).toEqual([]);
      expect(await canListen(port)).toBe(true);
      expect(await canListen(inspectorPort)).toBe(true);
    },
  );
});
