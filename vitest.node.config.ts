import { defineConfig } from "vitest/config";

// Tests that run in Node rather than in the Workers runtime: the SDK's unit tests, the bench's pure
// scoring, checks of our code against Node's own implementations (test/node, e.g. OpenSSL), and
// end-to-end tests that drive a real browser against a Worker started by the test run.
// Two projects so that only a run that includes e2e files pays for starting the Worker (vitest runs
// a project's globalSetup only when one of its files is selected).
export default defineConfig({
  test: {
    passWithNoTests: true,
    projects: [
      {
        test: {
          name: "unit",
          include: ["sdk/test/**/*.test.ts", "bench/**/*.test.{ts,mjs}", "test/node/**/*.test.ts"],
          testTimeout: 60_000,
        },
      },
      {
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.test.ts"],
          globalSetup: ["./test/e2e/support/global-setup.ts"],
          // One Worker and one Chromium per file on a small machine: files run one at a time.
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
