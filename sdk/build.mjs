// Builds the package into dist/: index.js (ESM, every export), index.d.ts (+ the files it names, by
// tsc from tsconfig.json) and nafsi.global.js (the <script>-tag build, window.Nafsi, minified),
// then prints nafsi.global.js's gzip size against its 6 KB budget.
import { build } from "esbuild";
import { execFileSync } from "node:child_process";
import { readFile, rm } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const GLOBAL_BUDGET_BYTES = 6 * 1024;
// Private class fields (#x) stay native from es2022 on; lower targets would add WeakMap helpers.
const target = "es2022";

await rm(here("dist"), { recursive: true, force: true });
await build({
  entryPoints: [here("src/index.ts")],
  outfile: here("dist/index.js"),
  bundle: true,
  format: "esm",
  platform: "neutral",
  target,
  logLevel: "warning",
});
await build({
  entryPoints: [here("src/global.ts")],
  outfile: here("dist/nafsi.global.js"),
  bundle: true,
  format: "iife",
  platform: "browser",
  target,
  minify: true,
  legalComments: "none",
  logLevel: "warning",
});
execFileSync(process.execPath, [here("../node_modules/typescript/bin/tsc"), "-p", here("tsconfig.json")], {
  stdio: "inherit",
});

const gzip = gzipSync(await readFile(here("dist/nafsi.global.js")), { level: 9 }).length;
console.log(`sdk: dist/nafsi.global.js ${gzip} B gzip (budget ${GLOBAL_BUDGET_BYTES} B)`);
if (gzip > GLOBAL_BUDGET_BYTES) {
  console.error("sdk: nafsi.global.js is over its size budget");
  process.exit(1);
}
