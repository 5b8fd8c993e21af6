// node docs/repro/flood-floor/drive.mjs [--assets] [rounds] [seconds]: runs worker.js under wrangler dev
// (with --assets: as wrangler.assets.toml deploys it, static assets and the Worker run first) and
// drives its routes in interleaved rounds with 10 connections, as `npm run bench` drives the
// gateway (straight to the Worker's workerd, past wrangler's proxy). Prints, per route, the medians
// over the rounds of its requests/s and CPU per request over the same round's /bare.
import { rmSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { cannon } from "../../../bench/lib/cannon.mjs";
import { findRuntime } from "../../../bench/lib/gateway.mjs";
import { freePort, startChild, stopChildren, wranglerEnv } from "../../../bench/lib/processes.mjs";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const WRANGLER = createRequire(import.meta.url).resolve("wrangler/bin/wrangler.js");
const ROUTES = ["/bare", "/401", "/429", "/429-fifth", "/429-fifth-wait", "/429-each"];
const ASSETS = process.argv.includes("--assets");
const [rounds = 8, seconds = 3] = process.argv
  .slice(2)
  .filter((a) => a !== "--assets")
  .map(Number);

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const persist = `/tmp/flood-floor-${process.pid}`;
try {
  const port = await freePort();
  const argv = [WRANGLER, "dev", "--ip", "127.0.0.1", "--port", String(port), "--persist-to", persist];
  if (ASSETS) argv.push("-c", "wrangler.assets.toml");
  const wrangler = startChild([...argv, "--log-level", "warn", "--show-interactive-dev-session=false"], {
    cwd: HERE,
    env: wranglerEnv(),
  });
  // The Worker's workerd, found as the bench finds it (by its /healthz), to load it past the proxy.
  const runtime = await findRuntime(wrangler.pid, port);
  if (!runtime) throw new Error("the Worker's workerd did not answer");
  const { pid } = runtime;
  const base = `http://127.0.0.1:${runtime.port}`;
  const requests = (route) => [{ path: route, headers: {} }];
  for (const route of ROUTES) await cannon(base, requests(route), { seconds: 1 }, 10, []);
  const ratios = Object.fromEntries(ROUTES.map((r) => [r, { rps: [], cpu: [] }]));
  for (let round = 0; round < rounds; round++) {
    let bare;
    for (const route of ROUTES) {
      const x = await cannon(base, requests(route), { seconds }, 10, [pid]);
      bare ??= x;
      ratios[route].rps.push(x.rps / bare.rps);
      ratios[route].cpu.push(x.cpu_ms_per_request[0] / bare.cpu_ms_per_request[0]);
      console.log(
        round,
        route.padEnd(16),
        Math.round(x.rps),
        x.cpu_ms_per_request[0].toFixed(3),
        JSON.stringify(x.statuses),
      );
    }
  }
  console.log("\nroute             × /bare (median)   CPU ÷ /bare (median)");
  for (const route of ROUTES)
    console.log(
      route.padEnd(18),
      median(ratios[route].rps).toFixed(2).padStart(15),
      median(ratios[route].cpu).toFixed(2).padStart(22),
    );
} finally {
  await stopChildren();
  rmSync(persist, { recursive: true, force: true });
}
