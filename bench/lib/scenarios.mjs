// The throughput scenarios: their clients, seeded through the admin API, and their requests.
import { createClient, createWorkflow } from "./gateway.mjs";
import { pool, request } from "./http.mjs";
import { junkRequests, randomBase62 } from "./junk.mjs";
import { say, SETTINGS } from "./settings.mjs";

const seedMany = (gw, count, name, limit) =>
  pool(count, SETTINGS.admin_concurrency, (i) => createClient(gw, `${name}-${i}`, limit));

const secretRequest = (c) => ({ path: "/v1/bench", headers: { "X-Client-ID": c.id, "X-Client-Secret": c.secret } });

/** Every scenario answers what it should before anything is measured. */
async function check(gw, what, p, headers, expected) {
  const res = await request(gw.base, "GET", p, { headers });
  if (!expected.includes(res.status))
    throw new Error(`${what}: expected ${expected.join("/")}, got ${res.status}: ${res.text.slice(0, 300)}`);
}

/**
 * Each scenario: `requests` (or `requestsFor(round)`), the statuses it `expect`s, and, when not
 * the defaults, its `connections` and the `warmup` and `measure` lengths given to cannon().
 */
export async function seedScenarios(gw) {
  const s = SETTINGS;
  say(
    `seeding ${s.secret_clients} + ${s.workflow_clients} clients (limit ${s.client_rate_limit}), a flood client (limit ${s.flood_rate_limit}) and ${s.rounds} one-client clients (limit ${s.one_client_rate_limit}) through the admin API`,
  );
  const secretClients = await seedMany(gw, s.secret_clients, "secret", s.client_rate_limit);
  const workflowClients = await seedMany(gw, s.workflow_clients, "workflow", s.client_rate_limit);
  const flood = await createClient(gw, "flood", s.flood_rate_limit);
  const junkClients = await seedMany(gw, s.junk_clients, "junk", s.client_rate_limit);
  const workflows = await pool(workflowClients.length, s.admin_concurrency, (i) =>
    createWorkflow(gw, workflowClients[i], `bench-${i}`),
  );
  // A fresh client per round: each round sends it fewer requests than its limit.
  const oneClients = await seedMany(gw, s.rounds, "one-client", s.one_client_rate_limit);

  await check(gw, "baseline", "/bench/baseline", {}, [200]);
  await check(gw, "secret", "/v1/bench", secretRequest(secretClients[0]).headers, [200]);
  await check(
    gw,
    "workflow",
    "/v1/bench",
    { "X-Client-ID": workflowClients[0].id, "X-Workflow-ID": workflows[0] },
    [200],
  );
  await check(
    gw,
    "junk",
    "/v1/bench",
    { "X-Client-ID": `nafsi_live_${randomBase62(28)}`, "X-Client-Secret": `sk_live_${randomBase62(28)}` },
    [401],
  );
  await check(gw, "peer-cf", "/bench/peer/cf/throughput/x", { "X-Client-ID": "check" }, [200]);
  await check(gw, "peer-hrl", "/bench/peer/hrl/throughput/x", { "X-Client-ID": "check" }, [200]);

  const authorities = (clients) => ({ binding: "CLIENT_AUTHORITY", names: clients.map((c) => c.id) });
  // `objects`: the Durable Objects whose storage work (deferred work included) is the scenario's.
  return {
    baseline: { requests: [{ path: "/bench/baseline", headers: {} }], expect: ["200"] },
    secret: { requests: secretClients.map(secretRequest), expect: ["200"], objects: authorities(secretClients) },
    "one-client": {
      requestsFor: (round) => [secretRequest(oneClients[round])],
      expect: ["200"],
      connections: s.one_client_connections,
      warmup: { amount: s.one_client_warmup_requests },
      measure: { amount: s.one_client_requests },
      objects: authorities(oneClients),
    },
    workflow: {
      requests: workflowClients.map((c, i) => ({
        path: "/v1/bench",
        headers: { "X-Client-ID": c.id, "X-Workflow-ID": workflows[i] },
      })),
      expect: ["200"],
      objects: authorities(workflowClients),
    },
    flood: { requests: [secretRequest(flood)], expect: ["429", "200"], objects: authorities([flood]) },
    junk: { requests: junkRequests(junkClients, 1000), expect: ["401"], objects: authorities(junkClients) },
    "no-credentials": { requests: [{ path: "/v1/bench", headers: {} }], expect: ["401"] },
    "floor-429": { requests: [{ path: "/bench/floor/429", headers: {} }], expect: ["429"] },
    "floor-429-fifth": {
      requests: [{ path: "/bench/floor/429-fifth", headers: {} }],
      expect: ["429"],
      objects: { binding: "HRL_LIMITER", names: ["floor"] },
    },
    "peer-cf-ratelimit": {
      requests: secretClients.map((c) => ({ path: "/bench/peer/cf/throughput/x", headers: { "X-Client-ID": c.id } })),
      expect: ["200"],
    },
    "peer-hono-rate-limiter": {
      requests: secretClients.map((c) => ({ path: "/bench/peer/hrl/throughput/x", headers: { "X-Client-ID": c.id } })),
      expect: ["200"],
      objects: { binding: "HRL_LIMITER", names: secretClients.map((c) => `hrl-throughput:${c.id}`) },
    },
  };
}
