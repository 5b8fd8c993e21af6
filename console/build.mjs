// Builds the admin console (console/src) into console/dist/console/, which the Worker serves at
// /console/app.js and /console/app.css through its ASSETS binding (src/site/console.ts).
// Fails when the shipped JavaScript exceeds its budget (60 KB gzip).
import { build } from "esbuild";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { publishDir, stagingDir } from "../scripts/lib/publish-dir.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, "dist", "console");
const BUDGET_GZIP_BYTES = 60 * 1024;

// Built beside the served directory and then published over it: a running Worker (or test) that
// reads the console while `npm start` rebuilds it never finds a file missing or half-written.
const staging = stagingDir(out);
await build({
  entryPoints: { app: join(here, "src", "main.tsx"), "app.css": join(here, "src", "app.css") },
  outdir: staging,
  bundle: true,
  minify: true,
  format: "esm",
  target: "es2022",
  jsx: "automatic",
  jsxImportSource: "hono/jsx/dom",
  legalComments: "none",
  logLevel: "warning",
});
publishDir(staging, out);

const js = readFileSync(join(out, "app.js"));
const gzip = gzipSync(js, { level: 9 }).length;
const css = readFileSync(join(out, "app.css"));
console.log(
  `console: app.js ${(js.length / 1024).toFixed(1)} KB (${(gzip / 1024).toFixed(1)} KB gzip), app.css ${(css.length / 1024).toFixed(1)} KB`,
);
if (gzip > BUDGET_GZIP_BYTES) {
  console.error(`console: app.js is ${gzip} bytes gzip, over the ${BUDGET_GZIP_BYTES}-byte budget`);
  process.exit(1);
}
