import path from "node:path";
import { describe, expect, it } from "vitest";
import { benchConfig } from "./config.mjs";

const main = {
  name: "nafsi-gateway",
  main: "src/index.ts",
  compatibility_date: "2026-04-26",
  d1_databases: [{ binding: "DB", database_name: "g", database_id: "0", migrations_dir: "migrations" }],
  kv_namespaces: [{ binding: "TOKEN_CACHE", id: "0" }],
  durable_objects: { bindings: [{ name: "CLIENT_AUTHORITY", class_name: "ClientAuthority" }] },
  migrations: [{ tag: "v1", new_sqlite_classes: ["ClientAuthority"] }],
  triggers: { crons: ["17 3 * * *"] },
  vars: { UPSTREAM_URL_PRODUCTION: "" },
};
const options = {
  limits: { peer_throughput_limit: 1000, accuracy_limit: 50, period_seconds: 60 },
  root: "/repo",
  benchDir: "/repo/bench",
};

describe("benchConfig", () => {
  it("keeps every binding, class, migration and var of the gateway's config, without its crons", () => {
    const config = benchConfig(main, options);
    expect(config.kv_namespaces).toEqual(main.kv_namespaces);
    expect(config.vars).toEqual(main.vars);
    expect(config.compatibility_date).toBe("2026-04-26");
    expect(config.durable_objects.bindings).toContainEqual(main.durable_objects.bindings[0]);
    expect(config.migrations[0]).toEqual(main.migrations[0]);
    expect(config.d1_databases[0]).toMatchObject({ binding: "DB", database_id: "0" });
    expect(config).not.toHaveProperty("triggers");
  });

  it("makes the gateway's relative paths absolute and serves bench/worker.ts", () => {
    const config = benchConfig(main, options);
    expect(config.main).toBe(path.join("/repo/bench", "worker.ts"));
    expect(config.d1_databases[0].migrations_dir).toBe(path.resolve("/repo", "migrations"));
  });

  it("adds the peers, their rate-limit bindings' limits taken from limits.json", () => {
    const config = benchConfig(main, { ...options, limits: { ...options.limits, accuracy_limit: 7 } });
    expect(config.durable_objects.bindings).toContainEqual({
      name: "HRL_LIMITER",
      class_name: "DurableObjectRateLimiter",
    });
    expect(config.migrations.at(-1)).toEqual({ tag: "bench-v1", new_sqlite_classes: ["DurableObjectRateLimiter"] });
    expect(config.ratelimits).toEqual([
      { name: "CF_RL_THROUGHPUT", namespace_id: "1001", simple: { limit: 1000, period: 60 } },
      { name: "CF_RL_ACCURACY", namespace_id: "1002", simple: { limit: 7, period: 60 } },
    ]);
  });

  it("refuses a config with paths it does not know how to carry over", () => {
    expect(() => benchConfig({ ...main, site: { bucket: "./public" } }, options)).toThrow(/site/);
  });

  it("drops the build step (the bench builds once itself)", () => {
    expect(benchConfig({ ...main, build: { command: "make" } }, options)).not.toHaveProperty("build");
  });
});
