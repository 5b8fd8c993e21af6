// Builds write into a fresh directory and publish it over the served one with publishDir, file by
// file with rename (atomic on one file system): a file that both builds produce is never missing or
// half-written, even for a reader at that very moment. That matters when a build runs while tests
// read the output (the end-to-end `npm start` test rebuilds while the Workers suite imports
// sdk/dist and serves console/dist, see scripts/test.mjs). Files the new build no longer produces
// are removed afterwards.
import { mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from "node:fs";
import { basename, dirname, join, relative } from "node:path";

/** A new empty directory beside `dir` (same file system, so renames from it are atomic). */
export function stagingDir(dir) {
  mkdirSync(dirname(dir), { recursive: true });
  return mkdtempSync(join(dirname(dir), `.${basename(dir)}.next-`));
}

/** Moves every file of `staging` to the same place under `dir`, drops the rest of `dir`, removes `staging`. */
export function publishDir(staging, dir) {
  const built = new Set(files(staging).map((file) => relative(staging, file)));
  mkdirSync(dir, { recursive: true });
  for (const file of built) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    renameSync(join(staging, file), join(dir, file));
  }
  for (const file of files(dir)) if (!built.has(relative(dir, file))) rmSync(file, { force: true });
  rmSync(staging, { recursive: true, force: true });
}

function files(dir) {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}
