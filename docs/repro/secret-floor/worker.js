// The least an exact limiter that also checks a client's secret can cost per admitted request,
// next to the bench's one-call peer (hono-rate-limiter with its Durable Object store), which checks
// nothing. No gateway code: Hono and one SQLite-backed Durable Object per client.
import { DurableObject } from "cloudflare:workers";
import { DurableObjectRateLimiter, DurableObjectStore } from "@hono-rate-limiter/cloudflare";
import { Hono } from "hono";
import { rateLimiter } from "hono-rate-limiter";

export { DurableObjectRateLimiter };

const LIMIT = 1000;
const WINDOW_MS = 60_000;
const encoder = new TextEncoder();

async function sha256(text) {
  const digest = await crypto.subtle.digest("SHA-256", encoder.encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** One client's authority: its secret's hash, and its exact sliding window, one row per admission. */
export class Authority extends DurableObject {
  constructor(ctx, env) {
    super(ctx, env);
    ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS hits (ts INTEGER NOT NULL)");
    this.hits = ctx.storage.sql
      .exec("SELECT ts FROM hits WHERE ts > ? ORDER BY ts", Date.now() - WINDOW_MS)
      .toArray()
      .map((r) => r.ts);
    this.secretHash = undefined;
  }

  /** Confirms the hash against the client's (here: the secret every bench client has), then decides and records. */
  async admit(clientId, hash) {
    this.secretHash ??= await sha256(`secret-of-${clientId}`);
    const a = encoder.encode(hash);
    const b = encoder.encode(this.secretHash);
    if (a.byteLength !== b.byteLength || !crypto.subtle.timingSafeEqual(a, b)) return { admitted: false, denied: true };
    const now = Date.now();
    while (this.hits.length > 0 && this.hits[0] <= now - WINDOW_MS) this.hits.shift();
    if (this.hits.length >= LIMIT)
      return { admitted: false, limit: LIMIT, remaining: 0, resetAt: this.hits[0] + WINDOW_MS, now };
    this.hits.push(now);
    this.ctx.storage.sql.exec("INSERT INTO hits (ts) VALUES (?)", now);
    return {
      admitted: true,
      limit: LIMIT,
      remaining: LIMIT - this.hits.length,
      resetAt: this.hits[0] + WINDOW_MS,
      now,
    };
  }
}

/** Each secret's SHA-256, remembered per isolate as the gateway does. */
const hashes = new Map();

const keyOf = (c) => c.req.header("X-Client-ID") ?? "anonymous";
const echo = (c) => c.json({ limited_by: "peer", key: keyOf(c), method: c.req.method, path: c.req.path });

let peer;
const app = new Hono();
app.get("/bare", (c) => c.json({ status: "ok" }));
app.get("/healthz", (c) => c.json({ status: "ok" }));

// The bench's peer, as bench/worker.ts builds it (limit 1000, 60 s, draft-6 headers).
app.get(
  "/peer",
  (c, next) => {
    peer ??= rateLimiter({
      windowMs: WINDOW_MS,
      limit: LIMIT,
      standardHeaders: "draft-6",
      keyGenerator: keyOf,
      store: new DurableObjectStore({ namespace: c.env.PEER, prefix: "peer:" }),
    });
    return peer(c, next);
  },
  echo,
);

/**
 * The floor: both headers read, the secret's hash (remembered), one call that checks it and counts.
 * With `contract`, the answer is the contract's: its request ID and the six rate-limit headers.
 */
const floor = (contract) => async (c) => {
  const clientId = c.req.header("X-Client-ID");
  const secret = c.req.header("X-Client-Secret");
  if (!clientId || !secret) return c.json({ error: { code: "invalid_credentials" } }, 401);
  let hash = hashes.get(secret);
  if (hash === undefined) hashes.set(secret, (hash = await sha256(secret)));
  const d = await c.env.AUTHORITY.getByName(clientId).admit(clientId, hash);
  if (d.denied) return c.json({ error: { code: "invalid_credentials" } }, 401);
  const reset = Math.max(1, Math.ceil((d.resetAt - d.now) / 1000));
  const headers = {
    "X-RateLimit-Limit": String(d.limit),
    "X-RateLimit-Remaining": String(d.remaining),
    "X-RateLimit-Reset": String(Math.ceil(d.resetAt / 1000)),
    ...(contract && {
      "RateLimit-Policy": `"per-client";q=${d.limit};w=60`,
      RateLimit: `"per-client";r=${d.remaining};t=${reset}`,
      "X-Request-Id": crypto.randomUUID(),
    }),
  };
  if (!d.admitted) return c.json({ error: { code: "rate_limit_exceeded" } }, 429, headers);
  return c.json({ authenticated: true, client_id: clientId, method: c.req.method, path: c.req.path }, 200, headers);
};
app.get("/floor", floor(false));
app.get("/floor-contract", floor(true));

export default app;
