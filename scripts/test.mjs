#!/usr/bin/env node
// `npm test`: build (the SDK and the console, which the Worker serves), then the Workers-runtime
// suite and the Node-side suite (SDK units, bench scoring, browser end-to-end), and one closing
// line over both: "Tests: N passed, N failed". Arguments go to both vitest runs (e.g. a file filter).
//
// The two suites run at the same time: the Node suite spends most of its time waiting (a browser,
// `wrangler dev`, a rate-limit window that has to pass in real time), which the Workers suite's
// CPU work fills. The Workers suite writes to the terminal as it goes; the Node suite's output is
// held back and printed whole once the Workers suite is done, so the two never interleave.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const args = process.argv.slice(2);
const dir = mkdtempSync(join(tmpdir(), "nafsi-test-"));

if ((spawnSync("npm", ["run", "build"], { stdio: "inherit" }).status ?? 1) !== 0) process.exit(1);

/** Runs one suite; resolves to its exit status. `live: false` collects its output instead. */
function runSuite(name, config, live) {
  const out = join(dir, `${name}.json`);
  const vitestArgs = ["vitest", "run", ...config, "--reporter=default", "--reporter=json", `--outputFile=${out}`];
  const child = spawn("npx", [...vitestArgs, ...args], {
    stdio: live ? "inherit" : ["ignore", "pipe", "pipe"],
    // Colours survive the pipe when the terminal has them.
    env: live || !process.stdout.isTTY ? process.env : { FORCE_COLOR: "1", ...process.env },
  });
  const held = [];
  let write = (chunk) => held.push(chunk);
  child.stdout?.on("data", (chunk) => write(chunk));
  child.stderr?.on("data", (chunk) => write(chunk));
  const status = new Promise((resolve) => child.on("close", (code) => resolve(code ?? 1)));
  /** Prints what was held back; whatever comes later goes straight out. */
  const release = () => {
    for (const chunk of held.splice(0)) process.stdout.write(chunk);
    write = (chunk) => process.stdout.write(chunk);
  };
  return { out, status, release };
}

const workers = runSuite("workers", [], true);
const node = runSuite("node", ["--config", "vitest.node.config.ts"], false);
const suites = [workers, node];
const statuses = [await workers.status];
node.release();
statuses.push(await node.status);

let failedRuns = statuses.filter((status) => status !== 0).length;
let passed = 0;
let failed = 0;
for (const { out } of suites) {
  if (existsSync(out)) {
    const report = JSON.parse(readFileSync(out, "utf8"));
    passed += report.numPassedTests;
    failed += report.numFailedTests;
  } else {
    failedRuns++;
  }
}
console.log(`Tests: ${passed} passed, ${failed} failed`);
process.exit(failedRuns > 0 || failed > 0 ? 1 : 0);
