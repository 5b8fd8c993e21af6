/**
 * Bench-only Worker entry (bench/wrangler.toml; never deployed). Everything outside /bench/ is the
 * real gateway, unchanged: the very `fetch` that src/index.ts exports (the app of `createApp()`),
 * with its Durable Object classes re-exported. Under /bench/ it adds only what the benchmark
 * compares the gateway with, in the same Worker and isolate:
 *
 *   GET /bench/baseline          a bare Hono route, no middleware, no auth: the floor
 *   ANY /bench/peer/cf/*         Cloudflare's rate-limit binding (the `ratelimits` binding miniflare
 *                                simulates), through hono-rate-limiter's binding mode, keyed by X-Client-ID
 *   ANY /bench/peer/hrl/*        hono-rate-limiter with its Durable Object store
 *                                (@hono-rate-limiter/cloudflare), keyed by X-Client-ID, 60 s window
 *
 *   POST /bench/seed-clients     {count, rate_limit}: inserts `count` production clients straight into D1
 *                                (admin token required), for the memory figure only; see below
 *
 * Each peer route exists twice: `/throughput/` with a limit high enough never to reject in the
 * throughput scenarios, and `/accuracy/` with the accuracy limit. The peers only rate-limit (they
 * have no credentials to check); their answer is a small JSON echo like the gateway's.
 */
import { DurableObjectStore } from "@hono-rate-limiter/cloudflare";
import type { DurableObjectRateLimiter } from "@hono-rate-limiter/cloudflare";
import { Hono, type Context, type MiddlewareHandler } from "hono";
import { rateLimiter } from "hono-rate-limiter";
import { lastFour, newClientId, newClientSecret } from "../src/domain/credentials";
import { sha256Hex } from "../src/domain/hash";
import { newClientRow } from "../src/domain/client-rules";
import { database } from "../src/storage/database";
import { clients } from "../src/storage/schema";
import gateway from "../src/index";

export * from "../src/index";
export { DurableObjectRateLimiter } from "@hono-rate-limiter/cloudflare";

/** Must match `simple.limit` of CF_RL_THROUGHPUT / CF_RL_ACCURACY in bench/wrangler.toml. */
const THROUGHPUT_LIMIT = 1000;
const ACCURACY_LIMIT = 50;
const WINDOW_MS = 60_000;

interface BenchEnv extends Env {
  CF_RL_THROUGHPUT: RateLimit;
  CF_RL_ACCURACY: RateLimit;
  HRL_LIMITER: DurableObjectNamespace<DurableObjectRateLimiter>;
}
type BenchApp = { Bindings: BenchEnv };

const keyOf = (c: Context<BenchApp>) => c.req.header("X-Client-ID") ?? "anonymous";
const echo = (c: Context<BenchApp>) =>
  c.json({ limited_by: "peer", key: keyOf(c), method: c.req.method, path: c.req.path });

const bench = new Hono<BenchApp>();

bench.get("/bench/baseline", (c) => c.json({ status: "ok" }));

for (const [name, binding] of [
  ["throughput", "CF_RL_THROUGHPUT"],
  ["accuracy", "CF_RL_ACCURACY"],
] as const) {
  bench.all(
    `/bench/peer/cf/${name}/*`,
    rateLimiter<BenchApp>({ binding: (c) => c.env[binding], keyGenerator: keyOf }),
    echo,
  );
}

/**
 * hono-rate-limiter's store needs the namespace binding, which exists only per request; the
 * middleware is built once on first use (not per request) so the peer is not charged for that.
 */
function hrl(prefix: string, limit: number): MiddlewareHandler<BenchApp> {
  let middleware: MiddlewareHandler<BenchApp> | undefined;
  return (c, next) => {
    middleware ??= rateLimiter<BenchApp>({
      windowMs: WINDOW_MS,
      limit,
      standardHeaders: "draft-6",
      keyGenerator: keyOf,
      store: new DurableObjectStore<BenchApp>({ namespace: c.env.HRL_LIMITER, prefix }),
    });
    return middleware(c, next);
  };
}
bench.all("/bench/peer/hrl/throughput/*", hrl("hrl-throughput:", THROUGHPUT_LIMIT), echo);
bench.all("/bench/peer/hrl/accuracy/*", hrl("hrl-accuracy:", ACCURACY_LIMIT), echo);

/**
 * Clients for the memory figure (10,000 of them): creating them one by one through the admin API
 * takes minutes here, so they are minted with the gateway's own code (IDs, secrets, hashes, rows)
 * and inserted into D1 in batches. Their Durable Objects do not exist yet: each client's first
 * data-plane request creates its object, which loads the client from D1 (the path of any client
 * created before its object existed), so "used once each" leaves every client in memory just as
 * the admin API would have.
 */
bench.post("/bench/seed-clients", async (c) => {
  if (!c.env.ADMIN_TOKEN || c.req.header("Authorization") !== `Bearer ${c.env.ADMIN_TOKEN}`)
    return c.json({ error: "unauthorized" }, 401);
  const { count, rate_limit } = await c.req.json<{ count: number; rate_limit: number }>();
  const n = Math.max(0, Math.min(1000, Math.floor(count)));
  const now = Date.now();
  const made: { id: string; secret: string }[] = [];
  const rows = [];
  for (let i = 0; i < n; i++) {
    const id = newClientId("production");
    const secret = newClientSecret("production");
    const row = newClientRow(
      { id, name: `memory-${i}`, environment: "production", rate_limit },
      { hash: await sha256Hex(secret), lastFour: lastFour(secret) },
      now,
    );
    if (!row.ok) return c.json({ error: row.message }, 400);
    rows.push(row.value);
    made.push({ id, secret });
  }
  const db = database(c.env.DB);
  const statements = rows.map((row) => db.insert(clients).values(row));
  if (statements.length > 0) await db.batch(statements as [(typeof statements)[0], ...typeof statements]);
  return c.json({ clients: made }, 201);
});

/** The path of an absolute request URL without parsing it: "http://host:port/path?query". */
function pathStartsWithBench(url: string): boolean {
  const slash = url.indexOf("/", url.indexOf("//") + 2);
  return slash !== -1 && url.startsWith("/bench/", slash);
}

export default {
  ...gateway,
  fetch(request: Request, env: BenchEnv, ctx: ExecutionContext) {
    return pathStartsWithBench(request.url) ? bench.fetch(request, env, ctx) : gateway.fetch(request, env, ctx);
  },
} satisfies ExportedHandler<BenchEnv>;
