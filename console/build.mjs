// Builds the admin console (console/src) into console/dist/console/, which the Worker serves at
// /console/app.js and /console/app.css through its ASSETS binding (src/site/console.ts).
// Fails when the shipped JavaScript exceeds its budget (60 KB gzip).
import { build } from "esbuild";
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, "dist", "console");
const BUDGET_GZIP_BYTES = 60 * 1024;

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

await build({
  entryPoints: { app: join(here, "src", "main.tsx"), "app.css": join(here, "src", "app.css") },
  outdir: out,
  bundle: true,
  minify: true,
  format: "esm",
  target: "es2022",
  jsx: "automatic",
  jsxImportSource: "hono/jsx/dom",
  legalComments: "none",
  logLevel: "warning",
});

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
