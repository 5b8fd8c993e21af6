#!/usr/bin/env node
// `npm run bench:profile -- [scenario ...]`: where the Worker's isolate spends its time under one
// scenario's load, by source file. It starts and seeds the gateway exactly as `npm run bench` does,
// then, for each scenario (default: baseline flood secret), runs 2 s of warm-up and 6 s of load on
// 10 connections while V8's sampling profiler records the Worker's isolate through wrangler dev's
// inspector. It prints, per scenario, the isolate's time per answered request (µs) by source file
// of the innermost JavaScript frame; a runtime call made from JavaScript (a Response, an SQL exec,
// an RPC) is shown as "native <name> ← <file of its caller>". The raw profiles are written to
// bench/.state/profiles/<scenario>.cpuprofile (open them in Chrome DevTools' Performance panel).
//
// What V8 sees is only part of a request's CPU: workerd's own work (HTTP, the RPC transport, the
// SQLite commit, the event loop) runs outside JavaScript. With --perf, and Linux `perf` on the
// PATH, workerd itself is also sampled during each scenario (bench/.state/profiles/<scenario>.perf.data;
// the workerd binary npm installs has symbols): `perf report -i <file> --no-children --sort sym`.
// Profiling slows the Worker, so compare these figures with each other, not with `npm run bench`.
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import WebSocket from "ws";
import { cannon } from "./lib/cannon.mjs";
import { startGateway } from "./lib/gateway.mjs";
import { stopChildren } from "./lib/processes.mjs";
import { seedScenarios } from "./lib/scenarios.mjs";
import { BUILD_DIR, HOST, STATE_DIR, say } from "./lib/settings.mjs";

const SAMPLING_US = 250;
const WARMUP_S = 2;
const PROFILE_S = 6;
const CONNECTIONS = 10;
const ROWS = 40;

const requested = process.argv.slice(2).filter((a) => !a.startsWith("--"));
const names = requested.length ? requested : ["baseline", "flood", "secret"];
const withPerf = process.argv.includes("--perf");
if (withPerf && spawnSync("perf", ["--version"]).status !== 0) {
  console.error("--perf needs Linux perf on the PATH (Debian: apt-get install linux-perf)");
  process.exit(1);
}

/** Samples workerd's own code (not only JavaScript) for `seconds`, into `file`. */
function perfRecord(pid, seconds, file) {
  const child = spawn(
    "perf",
    [
      "record",
      "-q",
      "-e",
      "cpu-clock",
      "-F",
      "997",
      "-g",
      "-p",
      String(pid),
      "-o",
      file,
      "--",
      "sleep",
      String(seconds),
    ],
    { stdio: "ignore" },
  );
  return new Promise((resolve) => child.on("exit", resolve));
}

/** The bundle's module markers (`// src/edge/coalesce.ts`), so that a line maps to its source file. */
function moduleMap(bundlePath) {
  const marks = [];
  readFileSync(bundlePath, "utf8")
    .split("\n")
    .forEach((line, i) => {
      const m = /^\/\/ (?:\.\.\/)*(.+\.(?:m?js|ts))$/.exec(line);
      if (m) marks.push([i, m[1].replace(/^node_modules\/((?:@[^/]+\/)?[^/]+)\/.*$/, "$1")]);
    });
  return (line) => {
    let lo = 0;
    let hi = marks.length - 1;
    let found = "(bundle)";
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (marks[mid][0] <= line) {
        found = marks[mid][1];
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  };
}

/** A minimal Chrome DevTools Protocol session over the inspector's WebSocket. */
async function inspect(port) {
  const targets = await (await fetch(`http://${HOST}:${port}/json`)).json();
  const target = targets.find((t) => !t.title?.includes("proxy")) ?? targets[0];
  const ws = new WebSocket(target.webSocketDebuggerUrl);
  await new Promise((resolve, reject) => ws.once("open", resolve).once("error", reject));
  let id = 0;
  const pending = new Map();
  ws.on("message", (data) => {
    const msg = JSON.parse(data);
    pending.get(msg.id)?.(msg);
    pending.delete(msg.id);
  });
  return {
    send: (method, params = {}) =>
      new Promise((resolve) => {
        pending.set(++id, resolve);
        ws.send(JSON.stringify({ id, method, params }));
      }),
    close: () => ws.close(),
  };
}

/** µs of isolate time per answered request, by the source file each sample's innermost frame is in. */
function byFile(profile, fileOf, answered) {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const child of n.children ?? []) parent.set(child, n.id);
  const perSampleUs = (profile.endTime - profile.startTime) / profile.samples.length;
  const totals = {};
  for (const sample of profile.samples) {
    const node = nodes.get(sample);
    const { functionName, url, lineNumber } = node.callFrame;
    let key;
    if (url) key = fileOf(lineNumber);
    else if (functionName.startsWith("(")) key = functionName;
    else {
      let caller = nodes.get(parent.get(node.id));
      while (caller && !caller.callFrame.url) caller = nodes.get(parent.get(caller.id));
      key = `native ${functionName || "(anonymous)"} ← ${caller ? fileOf(caller.callFrame.lineNumber) : "?"}`;
    }
    totals[key] = (totals[key] ?? 0) + perSampleUs / answered;
  }
  return totals;
}

const gw = await startGateway();
try {
  const scenarios = await seedScenarios(gw);
  const unknown = names.filter((n) => !scenarios[n]);
  if (unknown.length) throw new Error(`unknown scenario(s): ${unknown.join(", ")}`);
  const fileOf = moduleMap(path.join(BUILD_DIR, "worker.js"));
  const outDir = path.join(STATE_DIR, "profiles");
  mkdirSync(outDir, { recursive: true });
  const session = await inspect(gw.inspectorPort);
  await session.send("Profiler.enable");
  await session.send("Profiler.setSamplingInterval", { interval: SAMPLING_US });

  const columns = {};
  for (const name of names) {
    const scenario = scenarios[name];
    const requests = scenario.requests ?? scenario.requestsFor(0);
    await cannon(gw.base, requests, { seconds: WARMUP_S }, CONNECTIONS, []);
    await session.send("Profiler.start");
    const perf = withPerf && perfRecord(gw.runtime.pid, PROFILE_S - 1, path.join(outDir, `${name}.perf.data`));
    const run = await cannon(gw.base, requests, { seconds: PROFILE_S }, CONNECTIONS, [gw.runtime.pid]);
    const { result } = await session.send("Profiler.stop");
    await perf;
    writeFileSync(path.join(outDir, `${name}.cpuprofile`), JSON.stringify(result.profile));
    say(
      `${name}: ${Math.round(run.rps)} req/s, workerd (pid ${gw.runtime.pid}) ${run.cpu_ms_per_request[0].toFixed(3)} CPU ms/req (profiled), ${JSON.stringify(run.statuses)}`,
    );
    columns[name] = byFile(result.profile, fileOf, run.responses);
  }
  session.close();

  const busy = (col) =>
    Object.entries(col)
      .filter(([k]) => k !== "(idle)")
      .reduce((a, [, v]) => a + v, 0);
  const keys = [...new Set(Object.values(columns).flatMap(Object.keys))].sort(
    (a, b) => Math.max(...names.map((n) => columns[n][b] ?? 0)) - Math.max(...names.map((n) => columns[n][a] ?? 0)),
  );
  const width = 64;
  const cell = (v) => v.toFixed(1).padStart(12);
  console.log(`\nisolate µs per answered request`.padEnd(width) + names.map((n) => n.padStart(12)).join(""));
  console.log("busy (all but idle)".padEnd(width) + names.map((n) => cell(busy(columns[n]))).join(""));
  for (const key of keys.slice(0, ROWS)) {
    console.log(key.slice(0, width - 1).padEnd(width) + names.map((n) => cell(columns[n][key] ?? 0)).join(""));
  }
  console.log(
    `\nprofiles: ${path.relative(process.cwd(), outDir)}/<scenario>.cpuprofile${withPerf ? " and <scenario>.perf.data" : ""}`,
  );
} finally {
  await stopChildren();
}
process.exit(0);
