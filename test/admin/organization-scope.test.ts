/**
 * Organization binding, route by route, the way permissions.test.ts checks permissions: two
 * organizations, each with clients, workflows, alerts, usage, audit entries and tokens, and a token
 * bound to each holding `*`. The table below has one entry per documented admin operation (the
 * list comes from /openapi.json), so a route added later without an entry, i.e. without saying how
 * it keeps to the caller's organization, fails this suite. For each: another organization's things
 * are 404 (get, change, create naming them), lists and their cursors hold only the caller's own.
 */
import { beforeAll, describe, expect, it } from "vitest";
import {
  type CreatedClient,
  adminJson,
  call,
  createClient,
  createWorkflow,
  env,
  expectError,
} from "../support/helpers";
import { as, asJson, mintToken } from "../support/tokens";
import { createEndpoint } from "../support/webhooks";

interface Team {
  id: string;
  /** A token bound to the team, holding "*". */
  secret: string;
  clients: CreatedClient[];
  workflows: string[];
  alerts: string[];
  /** Tokens bound to the team (besides `secret`'s own). */
  tokens: string[];
  /** Audit entries about the team's first client and its token. */
  audits: string[];
  /** Webhook endpoints made by the team's token, and a delivery of the first one's test event. */
  endpoints: string[];
  deliveries: string[];
}

interface Sides {
  own: Team;
  other: Team;
}

type Check = (s: Sides) => Promise<void>;

const ids = (items: any[]) => items.map((i) => i.id ?? i.client_id);

/** Every page of a list as `secret` sees it, one item a page (so each step is a cursor). */
async function pages(secret: string, path: string, key: string): Promise<{ items: any[]; cursors: string[] }> {
  const items: any[] = [];
  const cursors: string[] = [];
  let cursor: string | null = null;
  do {
    const sep = path.includes("?") ? "&" : "?";
    const res: { status: number; body: any } = await asJson(
      secret,
      "GET",
      `${path}${sep}limit=1${cursor ? `&cursor=${cursor}` : ""}`,
    );
    expect(res.status, `${path}: ${JSON.stringify(res.body)}`).toBe(200);
    expect(res.body[key].length, path).toBeLessThanOrEqual(1);
    items.push(...res.body[key]);
    cursor = res.body.next_cursor;
    if (cursor) {
      // A full page before every cursor: the filter is in the query, not applied after it.
      expect(res.body[key], path).toHaveLength(1);
      cursors.push(cursor);
    }
  } while (cursor);
  return { items, cursors };
}

/** A get: the other team's thing is 404, the caller's own answers 200. */
const get =
  (request: (t: Team) => string): Check =>
  async ({ own, other }) => {
    await expectError(await as(own.secret, "GET", request(other)), 404, "not_found");
    expect((await as(own.secret, "GET", request(own))).status).toBe(200);
  };

/**
 * A change: on the other team's thing 404 and nothing changes (its GET, as the operator sees it,
 * is the same before and after); on the caller's own it succeeds.
 */
const change =
  (method: string, request: (t: Team) => Promise<[path: string, body?: unknown, readBack?: string]>): Check =>
  async ({ own, other }) => {
    const [path, body, readBack] = await request(other);
    const before = readBack ? (await adminJson("GET", readBack)).body : null;
    await expectError(await as(own.secret, method, path, body), 404, "not_found");
    if (readBack) expect((await adminJson("GET", readBack)).body).toEqual(before);
    const [mine, myBody] = await request(own);
    const res = await as(own.secret, method, mine, myBody);
    expect(res.status, `${method} ${mine}: ${await res.clone().text()}`).toBeLessThan(300);
  };

/** A list: every page holds the caller's own only, all of the known ones, and the other's cursor leaks nothing. */
const list =
  (path: string, key: string, known: (t: Team) => string[], belongs?: (item: any, t: Team) => boolean): Check =>
  async ({ own, other }) => {
    const mine = await pages(own.secret, path, key);
    const seen = ids(mine.items);
    expect(new Set(seen).size, path).toBe(seen.length);
    expect(seen, path).toEqual(expect.arrayContaining(known(own)));
    for (const id of known(other)) expect(seen, path).not.toContain(id);
    if (belongs)
      for (const item of mine.items) expect(belongs(item, own), `${path} ${JSON.stringify(item)}`).toBe(true);
    // The other team's cursors, used by this token, still show this team's things only.
    const theirs = await pages(other.secret, path, key);
    for (const cursor of theirs.cursors) {
      const sep = path.includes("?") ? "&" : "?";
      const res = await asJson(own.secret, "GET", `${path}${sep}limit=100&cursor=${cursor}`);
      expect(res.status).toBe(200);
      for (const id of known(other)) expect(ids(res.body[key]), path).not.toContain(id);
    }
    // Naming the other organization in the query is 404 where the list takes one.
    if (["clients", "entries"].includes(key)) {
      const sep = path.includes("?") ? "&" : "?";
      await expectError(await as(own.secret, "GET", `${path}${sep}organization_id=${other.id}`), 404, "not_found");
    }
  };

/** Calls only the gateway's operator makes: a bound token never holds their permission, even with "*". */
const operatorOnly =
  (method: string, path: (t: Team) => string, body?: unknown): Check =>
  async ({ own, other }) => {
    for (const t of [own, other]) {
      const error = await expectError(await as(own.secret, method, path(t), body), 403, "forbidden");
      expect(error.missing_permission).toBe("organizations:manage");
    }
  };

const TABLE: Record<string, Check> = {
  "POST /admin/clients": async ({ own, other }) => {
    const body = { name: "Self-service", environment: "sandbox" };
    await expectError(
      await as(own.secret, "POST", "/admin/clients", { ...body, organization_id: other.id }),
      404,
      "not_found",
    );
    const made = await asJson(own.secret, "POST", "/admin/clients", body);
    expect(made.status).toBe(201);
    expect(made.body.client.organization_id).toBe(own.id);
    const named = await asJson(own.secret, "POST", "/admin/clients", { ...body, organization_id: own.id });
    expect(named.body.client.organization_id).toBe(own.id);
  },
  "GET /admin/clients": list(
    "/admin/clients",
    "clients",
    (t) => t.clients.map((c) => c.id),
    (c, t) => c.organization_id === t.id,
  ),
  "GET /admin/clients/{client_id}": get((t) => `/admin/clients/${t.clients[0]!.id}`),
  "PATCH /admin/clients/{client_id}": change("PATCH", async (t) => [
    `/admin/clients/${t.clients[0]!.id}`,
    { name: `Renamed ${Math.random()}` },
    `/admin/clients/${t.clients[0]!.id}`,
  ]),
  "POST /admin/clients/{client_id}/regenerate-secret": change("POST", async (t) => [
    `/admin/clients/${t.clients[1]!.id}/regenerate-secret`,
    {},
    `/admin/clients/${t.clients[1]!.id}`,
  ]),
  "POST /admin/clients/{client_id}/revoke": change("POST", async (t) => {
    const victim = await createClient({ name: "To revoke", organization_id: t.id });
    return [`/admin/clients/${victim.id}/revoke`, undefined, `/admin/clients/${victim.id}`];
  }),
  "GET /admin/clients/{client_id}/usage": get((t) => `/admin/clients/${t.clients[0]!.id}/usage?days=2`),
  "POST /admin/workflows": async ({ own, other }) => {
    const to = (c: CreatedClient) => ({ client_id: c.id, client_secret: c.secret, name: "Scoped flow" });
    const before = (await adminJson("GET", `/admin/workflows?client_id=${other.clients[2]!.id}`)).body;
    await expectError(await as(own.secret, "POST", "/admin/workflows", to(other.clients[2]!)), 404, "not_found");
    expect((await adminJson("GET", `/admin/workflows?client_id=${other.clients[2]!.id}`)).body).toEqual(before);
    expect((await as(own.secret, "POST", "/admin/workflows", to(own.clients[2]!))).status).toBe(201);
  },
  "GET /admin/workflows": list("/admin/workflows", "workflows", (t) => t.workflows),
  "GET /admin/workflows/{workflow_id}": get((t) => `/admin/workflows/${t.workflows[0]}`),
  "PATCH /admin/workflows/{workflow_id}": change("PATCH", async (t) => [
    `/admin/workflows/${t.workflows[0]}`,
    { name: `Renamed ${Math.random()}` },
    `/admin/workflows/${t.workflows[0]}`,
  ]),
  "GET /admin/alerts": list("/admin/alerts", "alerts", (t) => t.alerts),
  "GET /admin/audit-log": list(
    "/admin/audit-log",
    "entries",
    (t) => t.audits,
    (e, t) => e.organization_id === t.id,
  ),
  "POST /admin/tokens": async ({ own, other }) => {
    const body = { name: "Child", permissions: ["clients:read"] };
    await expectError(
      await as(own.secret, "POST", "/admin/tokens", { ...body, organization_id: other.id }),
      404,
      "not_found",
    );
    const made = await asJson(own.secret, "POST", "/admin/tokens", body);
    expect(made.status).toBe(201);
    // A bound token's tokens are bound to its organization: it cannot make an unbound one.
    expect(made.body.token.organization_id).toBe(own.id);
  },
  "GET /admin/tokens": list(
    "/admin/tokens",
    "tokens",
    (t) => t.tokens,
    (k, t) => k.organization_id === t.id,
  ),
  "GET /admin/tokens/{token_id}": get((t) => `/admin/tokens/${t.tokens[0]}`),
  "POST /admin/tokens/{token_id}/revoke": change("POST", async (t) => {
    const victim = await mintToken(["alerts:read"], { organization_id: t.id });
    return [`/admin/tokens/${victim.id}/revoke`, undefined, `/admin/tokens/${victim.id}`];
  }),
  "GET /admin/me": async ({ own }) => {
    const me = await asJson(own.secret, "GET", "/admin/me");
    expect(me.body.organization_id).toBe(own.id);
    expect(me.body.organization.id).toBe(own.id);
  },
  "GET /admin/usage": async ({ own, other }) => {
    const res = await asJson(own.secret, "GET", "/admin/usage?days=2");
    expect(res.status).toBe(200);
    expect(res.body.clients.length).toBeGreaterThan(0);
    for (const c of res.body.clients) expect(c.organization_id).toBe(own.id);
    const csv = await (await as(own.secret, "GET", "/admin/usage?days=2&format=csv")).text();
    for (const c of other.clients) expect(csv).not.toContain(c.id);
    await expectError(await as(own.secret, "GET", `/admin/usage?organization_id=${other.id}`), 404, "not_found");
  },
  "POST /admin/webhook-endpoints": async ({ own, other }) => {
    const body = { url: "https://webhook.test/hook/org-scope", events: ["*"] };
    await expectError(
      await as(own.secret, "POST", "/admin/webhook-endpoints", { ...body, client_ids: [other.clients[0]!.id] }),
      404,
      "not_found",
    );
    const made = await asJson(own.secret, "POST", "/admin/webhook-endpoints", {
      ...body,
      client_ids: [own.clients[0]!.id],
    });
    expect(made.status).toBe(201);
    expect(made.body.endpoint.organization_id).toBe(own.id);
  },
  "GET /admin/webhook-endpoints": list(
    "/admin/webhook-endpoints",
    "endpoints",
    (t) => t.endpoints,
    (e, t) => e.organization_id === t.id,
  ),
  "GET /admin/webhook-endpoints/{endpoint_id}": get((t) => `/admin/webhook-endpoints/${t.endpoints[0]}`),
  "PATCH /admin/webhook-endpoints/{endpoint_id}": change("PATCH", async (t) => [
    `/admin/webhook-endpoints/${t.endpoints[0]}`,
    { description: `Renamed ${Math.random()}` },
    `/admin/webhook-endpoints/${t.endpoints[0]}`,
  ]),
  "DELETE /admin/webhook-endpoints/{endpoint_id}": change("DELETE", async (t) => {
    const victim = await createEndpoint({}, t.secret);
    return [
      `/admin/webhook-endpoints/${victim.endpoint.id}`,
      undefined,
      `/admin/webhook-endpoints/${victim.endpoint.id}`,
    ];
  }),
  "POST /admin/webhook-endpoints/{endpoint_id}/rotate-secret": change("POST", async (t) => [
    `/admin/webhook-endpoints/${t.endpoints[1]}/rotate-secret`,
    undefined,
    `/admin/webhook-endpoints/${t.endpoints[1]}`,
  ]),
  "POST /admin/webhook-endpoints/{endpoint_id}/test": change("POST", async (t) => [
    `/admin/webhook-endpoints/${t.endpoints[1]}/test`,
    undefined,
    `/admin/webhook-endpoints/${t.endpoints[1]}`,
  ]),
  "GET /admin/webhook-endpoints/{endpoint_id}/deliveries": get(
    (t) => `/admin/webhook-endpoints/${t.endpoints[0]}/deliveries`,
  ),
  // The delivery's state moves on with the real consumer, so only the 404 and the 2xx are checked.
  "POST /admin/webhook-endpoints/{endpoint_id}/deliveries/{delivery_id}/retry": change("POST", async (t) => [
    `/admin/webhook-endpoints/${t.endpoints[0]}/deliveries/${t.deliveries[0]}/retry`,
  ]),
  "POST /admin/organizations": operatorOnly("POST", () => "/admin/organizations", { name: "Escalation" }),
  "GET /admin/organizations": operatorOnly("GET", () => "/admin/organizations"),
  "GET /admin/organizations/{organization_id}": operatorOnly("GET", (t) => `/admin/organizations/${t.id}`),
  "PATCH /admin/organizations/{organization_id}": operatorOnly("PATCH", (t) => `/admin/organizations/${t.id}`, {
    max_clients: 10000,
  }),
};

async function team(name: string): Promise<Team> {
  const { body } = await adminJson("POST", "/admin/organizations", { name, max_clients: 100, max_rate_limit: 1000 });
  const id = body.organization.id;
  const clients = [
    await createClient({ name: `${name} 1`, organization_id: id }),
    await createClient({ name: `${name} 2`, organization_id: id }),
    await createClient({ name: `${name} 3`, organization_id: id }),
  ];
  const workflows = [(await createWorkflow(clients[0]!)).id, (await createWorkflow(clients[1]!)).id];
  const alerts: string[] = [];
  const now = Date.now();
  for (const [i, c] of clients.entries()) {
    const alertId = `alr_${name.replace(/\W/g, "")}${i}`;
    alerts.push(alertId);
    await env.DB.prepare(
      "INSERT INTO alerts (id, client_id, type, message, triggered_at, details) VALUES (?1, ?2, 'unusual_usage', 'm', ?3, '{}')",
    )
      .bind(alertId, c.id, now - i)
      .run();
  }
  await env.DB.prepare(
    `INSERT INTO usage_hourly (client_id, hour, workflow_id, requests, successful_requests, rate_limited_requests,
       failed_authentications, units_consumed, response_ms_total, responses, errors)
     VALUES (?1, ?2, '', 10, 10, 0, 0, 10, 0, 0, '{}')`,
  )
    .bind(clients[0]!.id, Math.floor(now / 3_600_000) * 3_600_000)
    .run();
  const bound = await mintToken(["*"], { organization_id: id, name: `${name} owner` });
  const child = await mintToken(["clients:read"], { organization_id: id, name: `${name} reader` });
  const audits: string[] = [];
  for (const target of [clients[0]!.id, child.id]) {
    const { body: log } = await adminJson("GET", `/admin/audit-log?target_id=${target}`);
    audits.push(...log.entries.map((e: any) => e.id));
  }
  expect(audits.length).toBe(2);
  const endpoints = [
    (await createEndpoint({}, bound.secret)).endpoint.id,
    (await createEndpoint({}, bound.secret)).endpoint.id,
  ];
  const tested = await asJson(bound.secret, "POST", `/admin/webhook-endpoints/${endpoints[0]}/test`);
  const deliveries = [tested.body.delivery.id];
  return {
    id,
    secret: bound.secret,
    clients,
    workflows,
    alerts,
    tokens: [bound.id, child.id],
    audits,
    endpoints,
    deliveries,
  };
}

let operations: string[];
let a: Team;
let b: Team;

beforeAll(async () => {
  const doc = (await (await call("/openapi.json")).json()) as any;
  operations = Object.entries<any>(doc.paths)
    .filter(([path]) => path.startsWith("/admin"))
    .flatMap(([path, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`))
    .sort();
  a = await team("Team A");
  b = await team("Team B");
  // An unbound token and a client of org_default: neither team may see them.
  await mintToken(["clients:read"], { name: "operator's" });
  await createClient({ name: "Default org" });
});

describe("organization binding, every admin route", () => {
  it("the table has an entry for every documented admin operation", () => {
    expect(operations.length).toBeGreaterThanOrEqual(23);
    expect(Object.keys(TABLE).sort()).toEqual(operations);
  });

  it("each route keeps a bound token to its own organization, both ways round", async () => {
    for (const key of operations) {
      for (const sides of [
        { own: a, other: b },
        { own: b, other: a },
      ]) {
        try {
          await TABLE[key]!(sides);
        } catch (err) {
          throw new Error(`${key} (own ${sides.own.id === a.id ? "A" : "B"}): ${(err as Error).message}`);
        }
      }
    }
  });
});
