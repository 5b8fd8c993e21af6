// node docs/repro/flood-floor/drive.mjs [--assets] [rounds] [seconds]: runs worker.js under wrangler dev
// (with --assets: as wrangler.assets.toml deploys it, static assets and the Worker run first) and
// drives its routes in interleaved rounds with 10 connections, as `npm run bench` drives the
// gateway (straight to the Worker's workerd, past wrangler's proxy). Prints, per route, the medians
// over the rounds of its requests/s and CPU per request over the same round's /bare.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { interleave } from "../interleave.mjs";

const ROUTES = ["/bare", "/401", "/429", "/429-fifth", "/429-fifth-wait", "/429-tenth", "/429-tenth-wait", "/429-each"];
const ASSETS = process.argv.includes("--assets");
const [rounds = 8, seconds = 3] = process.argv
  .slice(2)
  .filter((a) => a !== "--assets")
  .map(Number);

await interleave({
  cwd: path.dirname(fileURLToPath(import.meta.url)),
  configFile: ASSETS ? "wrangler.assets.toml" : undefined,
  routes: ROUTES.map((route) => ({ label: route, requests: [{ path: route, headers: {} }] })),
  rounds,
  seconds,
});
