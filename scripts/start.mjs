#!/usr/bin/env node
// `npm start`: make local secrets if missing, migrate local D1, then `wrangler dev` with any
// arguments given after `--`. Everything runs offline against local D1, KV and Durable Objects.
import { spawnSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const wrangler = require.resolve("wrangler/bin/wrangler.js");
const env = { ...process.env, WRANGLER_SEND_METRICS: "false" };
const token = (prefix) => prefix + randomBytes(32).toString("base64url");

if (!existsSync(".dev.vars")) {
  const adminToken = token("nafsi_admin_");
  writeFileSync(".dev.vars", `ADMIN_TOKEN=${adminToken}\nTOKEN_SIGNING_KEY=${token("")}\n`, { mode: 0o600 });
  console.log(`Created .dev.vars. Admin token (Authorization: Bearer ...):\n\n  ${adminToken}\n`);
} else {
  console.log("Using the existing .dev.vars.");
}

const migrate = spawnSync(process.execPath, [wrangler, "d1", "migrations", "apply", "DB", "--local"], {
  stdio: ["ignore", "inherit", "inherit"],
  env: { ...env, CI: "true" },
});
if (migrate.status !== 0) process.exit(migrate.status ?? 1);

const dev = spawn(process.execPath, [wrangler, "dev", ...process.argv.slice(2)], { stdio: "inherit", env });
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => dev.kill(signal));
dev.on("exit", (code) => process.exit(code ?? 0));
