import type { DurableObjectRateLimiter } from "@hono-rate-limiter/cloudflare";

/** The gateway's bindings plus the peers' (their configuration: bench/lib/config.mjs). */
export interface BenchEnv extends Env {
  CF_RL_THROUGHPUT: RateLimit;
  CF_RL_ACCURACY: RateLimit;
  HRL_LIMITER: DurableObjectNamespace<DurableObjectRateLimiter>;
}
export type BenchApp = { Bindings: BenchEnv };
