import { defineConfig } from "vitest/config";

// Tests that run in Node rather than in the Workers runtime: the SDK's unit tests, the bench's pure
// scoring, and end-to-end tests that drive a real browser against a Worker started by the test run.
export default defineConfig({
  test: {
    include: ["test/e2e/**/*.test.ts", "sdk/test/**/*.test.ts", "bench/**/*.test.{ts,mjs}"],
    passWithNoTests: true,
    testTimeout: 60_000,
  },
});
