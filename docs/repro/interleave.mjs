// Shared by the floors' drivers: starts a repro Worker under wrangler dev, finds the workerd that
// runs it (to load it past wrangler's proxy, as `npm run bench` does), and runs its routes in
// interleaved rounds with 10 connections. Each figure is the median over the rounds of the route's
// requests/s (or workerd CPU per request) over the same round's first route.
import { rmSync } from "node:fs";
import { createRequire } from "node:module";
import { cannon } from "../../bench/lib/cannon.mjs";
import { findRuntime } from "../../bench/lib/gateway.mjs";
import { freePort, startChild, stopChildren, wranglerEnv } from "../../bench/lib/processes.mjs";

const WRANGLER = createRequire(import.meta.url).resolve("wrangler/bin/wrangler.js");
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * `routes`: [{ label, requests: [{ path, headers }] }], the reference first; `configFile`: a
 * wrangler config in `cwd`, or undefined for its wrangler.toml.
 */
export async function interleave({ cwd, configFile, routes, rounds, seconds }) {
  const persist = `/tmp/repro-floor-${process.pid}`;
  try {
    const port = await freePort();
    const argv = [WRANGLER, "dev", "--ip", "127.0.0.1", "--port", String(port), "--persist-to", persist];
    if (configFile) argv.push("-c", configFile);
    const wrangler = startChild([...argv, "--log-level", "warn", "--show-interactive-dev-session=false"], {
      cwd,
      env: wranglerEnv(),
    });
    const runtime = await findRuntime(wrangler.pid, port);
    if (!runtime) throw new Error("the Worker's workerd did not answer");
    const base = `http://127.0.0.1:${runtime.port}`;
    for (const route of routes) await cannon(base, route.requests, { seconds: 1 }, 10, []);
    const ratios = Object.fromEntries(routes.map((r) => [r.label, { rps: [], cpu: [] }]));
    for (let round = 0; round < rounds; round++) {
      let reference;
      for (const route of routes) {
        const x = await cannon(base, route.requests, { seconds }, 10, [runtime.pid]);
        reference ??= x;
        ratios[route.label].rps.push(x.rps / reference.rps);
        ratios[route.label].cpu.push(x.cpu_ms_per_request[0] / reference.cpu_ms_per_request[0]);
        console.log(
          round,
          route.label.padEnd(16),
          Math.round(x.rps),
          x.cpu_ms_per_request[0].toFixed(3),
          JSON.stringify(x.statuses),
        );
      }
    }
    const first = routes[0].label;
    console.log(`\nroute             × ${first} (median)   CPU ÷ ${first} (median)`);
    for (const { label } of routes)
      console.log(
        label.padEnd(18),
        median(ratios[label].rps).toFixed(2).padStart(15),
        median(ratios[label].cpu).toFixed(2).padStart(22),
      );
    return ratios;
  } finally {
    await stopChildren();
    rmSync(persist, { recursive: true, force: true });
  }
}
