import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-pool-workers";
import { readFile } from "node:fs/promises";
import { defineConfig } from "vitest/config";

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
      exclude: ["test/e2e/**", "**/node_modules/**"],
      testTimeout: 20_000,
    },
  };
});
