// The least an exact limiter can do for a client over its limit: answer the contract's 429 after
// its Durable Object has decided, five or ten requests to a call. No credentials, no gateway.
import { DurableObject } from "cloudflare:workers";
import { Hono } from "hono";

export class Window extends DurableObject {
  constructor(ctx, env) {
    super(ctx, env);
    ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS refused (minute INTEGER PRIMARY KEY, n INTEGER NOT NULL)");
  }

  /** Refuses n requests: one upsert, as the gateway's object writes for a batch of refusals. */
  refuse(n) {
    const now = Date.now();
    this.ctx.storage.sql.exec(
      "INSERT INTO refused (minute, n) VALUES (?, ?) ON CONFLICT (minute) DO UPDATE SET n = n + excluded.n",
      Math.floor(now / 60_000),
      n,
    );
    return Array.from({ length: n }, () => ({ admitted: false, limit: 10, remaining: 0, resetAt: now + 30_000, now }));
  }
}

/** The contract's 429: its JSON body and the eight headers the gateway sends with it. */
function tooMany({ limit, resetAt, now }) {
  const retryAfter = Math.max(1, Math.ceil((resetAt - now) / 1000));
  const body = {
    error: {
      code: "rate_limit_exceeded",
      message: `Rate limit of ${limit} requests/minute exceeded`,
      retry_after: retryAfter,
    },
  };
  return new Response(JSON.stringify(body), {
    status: 429,
    headers: {
      "Content-Type": "application/json",
      "X-RateLimit-Limit": String(limit),
      "X-RateLimit-Remaining": "0",
      "X-RateLimit-Reset": String(Math.ceil(resetAt / 1000)),
      "RateLimit-Policy": `"per-client";q=${limit};w=60`,
      RateLimit: `"per-client";r=0;t=${retryAfter}`,
      "Retry-After": String(retryAfter),
      "X-Request-Id": crypto.randomUUID(),
    },
  });
}

/** The contract's 401 for junk credentials, with nothing checked: the least a refusal costs. */
function invalidCredentials() {
  const body = { error: { code: "invalid_credentials", message: "Invalid client credentials." } };
  return new Response(JSON.stringify(body), {
    status: 401,
    headers: { "Content-Type": "application/json", "X-Request-Id": crypto.randomUUID() },
  });
}

const here = () => ({ admitted: false, limit: 10, remaining: 0, resetAt: Date.now() + 30_000, now: Date.now() });
let requests = 0;
const app = new Hono();
app.get("/bare", (c) => c.json({ status: "ok" }));
app.get("/healthz", (c) => c.json({ status: "ok" }));
app.get("/401", () => invalidCredentials());
// The 429 alone: no decision at all.
app.get("/429", () => tooMany(here()));
// One call per request (what flood cost before coalescing).
app.get("/429-each", async (c) => tooMany((await c.env.WINDOW.getByName("flood").refuse(1))[0]));
/**
 * One call per `n` requests; the others answer at once (no waiting: not a limiter, a bound), or,
 * with `wait`, after one timer turn, as a follower must to hear its answer
 * (docs/repro/cross-request-wait: a follower without a timer of its own is cancelled as hung).
 */
const oneCallPer = (n, wait) => async (c) => {
  if (++requests % n === 0) await c.env.WINDOW.getByName("flood").refuse(n);
  else if (wait) await scheduler.wait(1);
  return tooMany(here());
};
app.get("/429-fifth", oneCallPer(5, false));
app.get("/429-fifth-wait", oneCallPer(5, true));
// Ten: all ten of the bench's connections in every batch, the most coalescing could ever gather.
app.get("/429-tenth", oneCallPer(10, false));
app.get("/429-tenth-wait", oneCallPer(10, true));

export default app;
