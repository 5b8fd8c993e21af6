#!/usr/bin/env node
// `npm test`: build (the SDK and the console, which the Worker serves), then the Workers-runtime
// suite, then the Node-side suite (SDK units, bench scoring, browser end-to-end), and one closing
// line over both: "Tests: N passed, N failed". Arguments go to both vitest runs (e.g. a file filter).
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const args = process.argv.slice(2);
const dir = mkdtempSync(join(tmpdir(), "nafsi-test-"));
const run = (cmd, cmdArgs) => spawnSync(cmd, cmdArgs, { stdio: "inherit", env: process.env }).status ?? 1;

if (run("npm", ["run", "build"]) !== 0) process.exit(1);
const suites = [
  ["workers", []],
  ["node", ["--config", "vitest.node.config.ts"]],
];
let failedRuns = 0;
let passed = 0;
let failed = 0;
for (const [name, config] of suites) {
  const out = join(dir, `${name}.json`);
  const status = run("npx", [
    "vitest",
    "run",
    ...config,
    "--reporter=default",
    "--reporter=json",
    `--outputFile=${out}`,
    ...args,
  ]);
  if (status !== 0) failedRuns++;
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
