// The accuracy run: the gateway and each peer at limit L, offered 10 × L per 60 s in bursts, at
// once against different keys (scored by accuracy-score.mjs).
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { scoreAccuracy } from "./accuracy-score.mjs";
import { agent as newAgent, request } from "./http.mjs";
import { randomBase62 } from "./junk.mjs";
import { SETTINGS } from "./settings.mjs";

/**
 * A key at limit L hit at `load_factor` × L per 60 s by `accuracy_connections` keep-alive
 * connections, in bursts of `accuracy_burst` simultaneous requests at random (exponential)
 * intervals, for `accuracy_seconds`.
 */
async function accuracyRun(base, name, description, limit, requestFor) {
  const agent = newAgent(SETTINGS.accuracy_connections);
  const durationMs = SETTINGS.accuracy_seconds * 1000;
  const meanGapMs = (60_000 * SETTINGS.accuracy_burst) / (SETTINGS.accuracy_load_factor * limit);
  const now = () => performance.timeOrigin + performance.now();
  const samples = [];
  const inFlight = new Set();
  const start = now();
  while (now() - start < durationMs) {
    for (let k = 0; k < SETTINGS.accuracy_burst; k++) {
      const { path: p, headers } = requestFor();
      const sent = now();
      const promise = request(base, "GET", p, { headers, agent, timeoutMs: 15_000 })
        .then((res) => samples.push({ sent, received: now(), status: res.status }))
        .catch((err) => samples.push({ sent, received: now(), status: 0, error: `error ${err.code ?? err.message}` }))
        .finally(() => inFlight.delete(promise));
      inFlight.add(promise);
    }
    const gap = -Math.log(1 - Math.random()) * meanGapMs;
    await sleep(Math.min(gap, Math.max(0, durationMs - (now() - start))));
  }
  await Promise.all(inFlight);
  agent.destroy();
  return { name, description, ...scoreAccuracy(samples, { limit, start }) };
}

/** The three runs, started now; `client` is the gateway's accuracy client (limit L). */
export function startAccuracy(base, client) {
  const limit = SETTINGS.accuracy_limit;
  const tag = randomBase62(8);
  return Promise.all([
    accuracyRun(
      base,
      "nafsi",
      "the gateway: X-Client-ID + X-Client-Secret, exact sliding window in the client's Durable Object",
      limit,
      () => ({ path: "/v1/accuracy", headers: { "X-Client-ID": client.id, "X-Client-Secret": client.secret } }),
    ),
    accuracyRun(
      base,
      "peer-cf-ratelimit",
      "Cloudflare's rate-limit binding as miniflare simulates it (period 60)",
      limit,
      () => ({ path: "/bench/peer/cf/accuracy/x", headers: { "X-Client-ID": `accuracy-cf-${tag}` } }),
    ),
    accuracyRun(
      base,
      "peer-hono-rate-limiter",
      "hono-rate-limiter 0.5 with the Durable Object store of @hono-rate-limiter/cloudflare (windowMs 60000)",
      limit,
      () => ({ path: "/bench/peer/hrl/accuracy/x", headers: { "X-Client-ID": `accuracy-hrl-${tag}` } }),
    ),
  ]);
}
