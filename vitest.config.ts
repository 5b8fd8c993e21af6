import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-pool-workers";
import { readdirSync, readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { defineConfig } from "vitest/config";

/**
 * At the end of each test file the pool closes its WebSocket to the file's runner in workerd, and
 * workerd logs "exception = workerd/api/web-socket.c++:NNN: disconnected: WebSocket peer
 * disconnected" (about 30 lines a run). The pool writes workerd's logs straight to stdout/stderr,
 * through a filter that already drops the other teardown "disconnected:" lines; this one joins it
 * in a later vitest-pool-workers (cloudflare/workers-sdk#13833), and the pinned 0.15.1 offers no
 * hook. So exactly that one-line message is dropped here, in this (the pool's) process; everything
 * else, workerd's other warnings and errors included, passes unchanged. Remove with a pin ≥ the fix.
 */
function dropTeardownNoise() {
  const NOISE = /^exception = workerd\/api\/web-socket\.c\+\+:\d+: disconnected: WebSocket peer disconnected\n$/;
  for (const stream of [process.stdout, process.stderr] as (NodeJS.WriteStream & { nafsiFiltered?: true })[]) {
    if (stream.nafsiFiltered) continue; // the config can be loaded more than once per process
    stream.nafsiFiltered = true;
    const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
    stream.write = ((chunk: unknown, ...rest: unknown[]) =>
      typeof chunk === "string" && NOISE.test(chunk) ? true : write(chunk, ...rest)) as typeof stream.write;
  }
}
dropTeardownNoise();

/**
 * Every package the Worker and its Workers-runtime tests import (bare specifiers, subpaths
 * included), found by reading src/ and test/ (but the Node-side test/e2e and test/node). Each test file runs in a workerd of its own that loads
 * the Worker's modules afresh, one request to vitest per module; pre-bundled, hono, zod, drizzle and
 * jose are a handful of modules instead of hundreds, which cuts each file's start-up by about a
 * third. All of them are listed, subpaths too: a package half pre-bundled and half not would load
 * twice, and its classes (HTTPException) would then fail `instanceof` across the two copies.
 */
function importedPackages(): string[] {
  const IMPORT = /(?:\bfrom|\bimport)\s*\(?\s*["']([^"'./][^"']*)["']/g;
  const NOT_BUNDLED = /^(?:node:|cloudflare:|workerd:|vitest(?:\/|$)|@cloudflare\/vitest-pool-workers)/;
  const found = new Set<string>();
  for (const dir of ["src", "test"]) {
    for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
      const path = join(entry.parentPath, entry.name);
      if (!entry.isFile() || !/\.tsx?$/.test(entry.name) || /^test\/(?:e2e|node)\//.test(path)) continue;
      for (const [, specifier] of readFileSync(path, "utf8").matchAll(IMPORT)) {
        if (!NOT_BUNDLED.test(specifier!)) found.add(specifier!);
      }
    }
  }
  return [...found].sort();
}

export default defineConfig(async () => {
  const migrations = await readD1Migrations("./migrations");
  const upstreamScript = await readFile(new URL("./test/fixtures/upstream-worker.js", import.meta.url), "utf8");
  return {
    plugins: [
      cloudflareTest({
        main: "./src/index.ts",
        wrangler: { configPath: "./wrangler.toml" },
        miniflare: {
          bindings: {
            ADMIN_TOKEN: "test-admin-token",
            TOKEN_SIGNING_KEY: "test-signing-key-0123456789abcdef0123456789abcdef",
            CREDENTIAL_TAG_KEY: "test-credential-tag-key-0123456789abcdef",
            TEST_MIGRATIONS: migrations,
          },
          // The main worker's outbound fetch goes to a real HTTP upstream served by an auxiliary
          // worker (test/fixtures/upstream-worker.js); hosts it does not serve pass through.
          outboundService: "test-upstream",
          workers: [
            {
              name: "test-upstream",
              modules: true,
              script: upstreamScript,
              compatibilityDate: "2026-04-26",
            },
          ],
        },
      }),
    ],
    test: {
      setupFiles: ["./test/support/apply-migrations.ts"],
      include: ["test/**/*.test.ts", "src/**/*.test.ts"],
      exclude: ["test/e2e/**", "test/node/**", "**/node_modules/**"],
      testTimeout: 20_000,
      // Each file gets its own workerd (that is what isolates its storage), and a file spends much
      // of its time waiting on it (starting it, loading the Worker's modules into it, I/O), so two
      // files at a time nearly halve the suite even on two cores; vitest's default is cores - 1.
      maxWorkers: Math.max(2, availableParallelism() - 1),
      deps: { optimizer: { ssr: { enabled: true, include: importedPackages() } } },
    },
  };
});
