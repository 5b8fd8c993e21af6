#!/usr/bin/env node
// `npm start`: make local secrets if missing, build what the Worker serves (the SDK script and the
// console), migrate local D1, then `wrangler dev` with any arguments given after `--`. Everything
// runs against local D1, KV and Durable Objects. Each step before wrangler prints one line (its
// whole output only when it fails), so that what a newcomer reads is what they need: the admin
// token, then wrangler's "Ready on".
import { spawn, spawnSync } from "node:child_process";
import { createInterface } from "node:readline";
import { randomBytes } from "node:crypto";
import { appendFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const wrangler = require.resolve("wrangler/bin/wrangler.js");
// Offline: no metrics, no fetch of Cloudflare's Request.cf data (miniflare uses a local default),
// no update check in wrangler's banner (docs/configuration.md, "Running locally").
const env = {
  ...process.env,
  WRANGLER_SEND_METRICS: "false",
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
  WRANGLER_HIDE_BANNER: "true",
};
const random = (prefix = "") => prefix + randomBytes(32).toString("base64url");

/** The secrets `npm start` makes. CREDENTIAL_TAG_KEY keys every ID's and secret's tag: keep it. */
const SECRETS = {
  ADMIN_TOKEN: () => random("nafsi_admin_"),
  TOKEN_SIGNING_KEY: () => random(),
  CREDENTIAL_TAG_KEY: () => random(),
};

const existing = existsSync(".dev.vars") ? readFileSync(".dev.vars", "utf8") : null;
const present = new Set((existing ?? "").split(/\r?\n/).map((line) => line.split("=")[0]?.trim()));
const missing = Object.keys(SECRETS).filter((name) => !present.has(name));
const made = Object.fromEntries(missing.map((name) => [name, SECRETS[name]()]));
const lines = missing.map((name) => `${name}=${made[name]}\n`).join("");
if (existing === null) {
  writeFileSync(".dev.vars", lines, { mode: 0o600 });
  console.log("Created .dev.vars.");
} else if (missing.length > 0) {
  appendFileSync(".dev.vars", (existing.endsWith("\n") || existing === "" ? "" : "\n") + lines);
  console.log(`Added ${missing.join(", ")} to the existing .dev.vars.`);
} else {
  console.log("Using the existing .dev.vars.");
}
if (made.ADMIN_TOKEN) console.log(`Admin token (Authorization: Bearer ...):\n\n  ${made.ADMIN_TOKEN}\n`);

/** Runs a step with its output kept: shown whole if it fails, otherwise left to `summary`. */
const step = (label, args, summary, options = {}) => {
  const started = Date.now();
  const result = spawnSync(args[0], args.slice(1), { encoding: "utf8", env, ...options });
  if (result.status !== 0) {
    process.stdout.write(result.stdout ?? "");
    process.stderr.write(result.stderr ?? "");
    console.error(`${label} failed.`);
    process.exit(result.status ?? 1);
  }
  console.log(`${summary(`${result.stdout}${result.stderr}`)} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
};
// Taken before the build: a source saved while it runs is newer, and wrangler rebuilds (build.mjs).
const builtAt = Date.now();
step("The build", [process.execPath, "scripts/build.mjs"], () => "Built the SDK script and the admin console.");
step(
  "Applying the D1 migrations",
  [process.execPath, wrangler, "d1", "migrations", "apply", "DB", "--local"],
  (output) => {
    const applied = /About to apply (\d+) migration/.exec(output)?.[1];
    return applied
      ? `Applied ${applied} migration(s) to the local D1 database.`
      : "The local D1 database is up to date.";
  },
  { env: { ...env, CI: "true" } },
);

/**
 * wrangler's lines that say nothing to act on here: its [build] runs, which find the build above
 * current (scripts/build.mjs; a real edit still shows "The file … changed" and the build's own
 * lines), and its types check, which compares worker-configuration.d.ts with the Env that
 * .dev.vars's secrets would make, while `npm run types` makes it without them on purpose
 * (--env-file=/dev/null: the secrets are typed in src/env.d.ts).
 */
const NOISE = [
  /^\[custom build\] (Running: .*)?$/,
  /^The file \S+,\S+ changed, restarting build\.\.\.$/,
  /Your types might be out of date/,
];
// eslint-disable-next-line no-control-regex
const plain = (line) => line.replace(/\x1b\[[0-9;]*m/g, "").trim();
const pass = (from, to) =>
  createInterface({ input: from, crlfDelay: Infinity }).on("line", (line) => {
    if (!NOISE.some((pattern) => pattern.test(plain(line)))) to.write(`${line}\n`);
  });

// wrangler runs workerd as a child of its own: it gets a process group of its own so that a
// signal to `npm start` ends both, and the port is free again when this process exits.
const dev = spawn(process.execPath, [wrangler, "dev", ...process.argv.slice(2)], {
  // No stdin: a background process group must not read the terminal (wrangler then skips its
  // interactive shortcuts); Ctrl-C reaches this process, which passes it on.
  stdio: ["ignore", "pipe", "pipe"],
  // Colours as on a terminal, though its output passes through this process (NOISE).
  env: { ...env, NAFSI_BUILT_AT: String(builtAt), ...(process.stdout.isTTY ? { FORCE_COLOR: "1" } : {}) },
  detached: true,
});
pass(dev.stdout, process.stdout);
pass(dev.stderr, process.stderr);
const group = (signal) => {
  try {
    process.kill(-dev.pid, signal);
  } catch {
    // Already gone.
  }
};
let stopping = false;
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    group(signal);
    // workerd ignoring the signal must not keep the port: the group is killed after 5 s.
    setTimeout(() => group("SIGKILL"), 5000).unref();
  });
}
dev.on("exit", (code, signal) => {
  group("SIGKILL"); // anything left of the group (workerd) goes with wrangler
  process.exit(code ?? (signal ? 128 + 15 : 0));
});
