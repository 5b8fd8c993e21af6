// The bench Worker's wrangler configuration, generated at every start from the gateway's own
// ../wrangler.toml (read with wrangler's parser) and ../limits.json, so that it carries every
// binding, Durable Object class, migration and var of the real gateway by construction, and the
// peers' limits live in one place: the rate-limit binding's limit can only be written in the
// configuration, so the configuration is written from limits.json.
import { writeFileSync } from "node:fs";
import path from "node:path";

/** Top-level keys holding paths this module does not rewrite; refusing beats a broken bench. */
const UNHANDLED_PATH_KEYS = ["site", "tsconfig", "base_dir", "rules", "alias"];

/**
 * The bench configuration as wrangler's JSON, for a file written anywhere: the main config's paths
 * (relative to `root`) become absolute. Its cron triggers are left out (the bench never runs them).
 */
export function benchConfig(main, { limits, root, benchDir }) {
  const unhandled = UNHANDLED_PATH_KEYS.filter((key) => key in main);
  if (unhandled.length) throw new Error(`bench/lib/config.mjs cannot carry over ${unhandled.join(", ")} yet`);
  // `build` is dropped: the bench builds once itself before bundling (gateway.mjs).
  const { triggers: _crons, build: _build, ...rest } = main;
  const period = limits.period_seconds;
  return {
    ...rest,
    name: `${main.name}-bench`,
    main: path.join(benchDir, "worker.ts"),
    d1_databases: (main.d1_databases ?? []).map((db) =>
      db.migrations_dir ? { ...db, migrations_dir: path.resolve(root, db.migrations_dir) } : db,
    ),
    ...(main.assets?.directory
      ? { assets: { ...main.assets, directory: path.resolve(root, main.assets.directory) } }
      : {}),
    durable_objects: {
      bindings: [
        ...(main.durable_objects?.bindings ?? []),
        // Peer: hono-rate-limiter with its Durable Object store (@hono-rate-limiter/cloudflare).
        { name: "HRL_LIMITER", class_name: "DurableObjectRateLimiter" },
      ],
    },
    migrations: [...(main.migrations ?? []), { tag: "bench-v1", new_sqlite_classes: ["DurableObjectRateLimiter"] }],
    // Peer: Cloudflare's rate-limit binding (simulated by miniflare). A binding's limit is fixed in
    // configuration, so there is one per limit: the throughput one never rejects there.
    ratelimits: [
      { name: "CF_RL_THROUGHPUT", namespace_id: "1001", simple: { limit: limits.peer_throughput_limit, period } },
      { name: "CF_RL_ACCURACY", namespace_id: "1002", simple: { limit: limits.accuracy_limit, period } },
    ],
  };
}

/** Writes the bench configuration to `file` (wrangler.json) and returns it. */
export async function writeBenchConfig(file, options) {
  // Imported here, not above: loading wrangler takes seconds, and the unit test needs none of it.
  const { experimental_readRawConfig } = await import("wrangler");
  const { rawConfig } = experimental_readRawConfig({ config: path.join(options.root, "wrangler.toml") });
  const config = benchConfig(rawConfig, options);
  writeFileSync(file, JSON.stringify(config, null, 2) + "\n");
  return config;
}
