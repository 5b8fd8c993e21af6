#!/usr/bin/env node
// `npm run build`: what the Worker serves besides its code: the SDK (sdk/dist, with the script at
// /sdk/nafsi.js) and the admin console (console/dist). wrangler.toml's [build] runs it too, before
// `wrangler dev` and `wrangler deploy`.
//
// `npm start` builds first and then sets NAFSI_BUILT_AT (ms) for wrangler dev, whose [build] runs
// once more at start and again when its file watcher is ready (wrangler 4's own behaviour): those
// runs find no source newer than that build and do nothing, while an edit during development
// still rebuilds. Without the variable every run builds.
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
/** What the builds read (wrangler.toml's watch_dir, and the build scripts themselves). */
const SOURCES = ["console/src", "sdk/src", "console/build.mjs", "sdk/build.mjs"];

function newestChange(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((name) => newestChange(join(path, name))));
}

const builtAt = Number(process.env.NAFSI_BUILT_AT);
if (builtAt > 0 && Math.max(...SOURCES.map((s) => newestChange(join(root, s)))) < builtAt) process.exit(0);

for (const script of ["sdk/build.mjs", "console/build.mjs"]) {
  const { status } = spawnSync(process.execPath, [join(root, script)], { stdio: "inherit" });
  if (status !== 0) process.exit(status ?? 1);
}
