/**
 * The fault table (docs/architecture.md, "Reliability"): for each binding failing (its call rejects) or hanging
 * (its call never settles), what every route answers and what is kept. Faults are injected by
 * wrapping the real bindings of the test env (a Proxy that makes chosen methods fail or hang and
 * passes everything else through), and the app is called with that env. The binding guard's
 * deadline is shortened for the faulted binding only, for the one request of the row: no test
 * sleeps for a production deadline, and no timing is asserted.
 *
 * A row is (binding, fault, route) → status and code, then what is kept, checked through the real
 * env once the fault is gone. A new binding (a Queue) adds one entry to BINDINGS and its rows.
 */
import { afterEach, describe, expect, it } from "vitest";
import { BINDING_DEADLINES_MS, bindingDeadlines } from "../../src/lib/binding-guard";
import { tokenKey } from "../../src/storage/token-cache";
import { keyDocument, newScanningKey, reported, signedRequest } from "../support/leaks";
import { mintToken } from "../support/tokens";
import { createEndpoint, deliveriesOf } from "../support/webhooks";
import {
  ADMIN_TOKEN,
  type CreatedClient,
  adminJson,
  alertsOf,
  call,
  callWithEnv,
  createClient,
  createWorkflow,
  env,
  expectError,
  patchAuthorityEnv,
  restoreAuthorityEnv,
  withSecret,
  withWorkflow,
} from "../support/helpers";

type Fault = "fails" | "hangs";

// ---- faults ------------------------------------------------------------------------------------

/**
 * Calls left hanging by a row end with it: each polls this counter on a timer of its own and
 * rejects once it moves. (A promise cannot be settled from another request's context, such as the
 * test's for a call hanging inside a client's object, so nothing settles them from outside.)
 */
let rowsEnded = 0;
const HANG_POLL_MS = 20;
/** Calls into a client's object made with a faulty env; awaited before the row checks what is kept. */
const inFlight: Promise<unknown>[] = [];

/**
 * `row` is the counter's value when the faulty binding was made for the row: a call that only
 * starts once the row has ended (the answer came on the deadline before a slow call into the
 * client's object got this far) is released at once instead of hanging past the row's end.
 */
function faultyCall(fault: Fault, what: string, row: number): Promise<never> {
  if (fault === "fails") return Promise.reject(new Error(`${what}: injected failure (connection lost)`));
  return new Promise<never>((_resolve, reject) => {
    const poll = () =>
      rowsEnded === row ? setTimeout(poll, HANG_POLL_MS) : reject(new Error(`${what}: released at the end of the row`));
    poll();
  });
}

async function endFaults(): Promise<void> {
  rowsEnded++;
  await Promise.allSettled(inFlight.splice(0));
}

const wrappedTargets = new WeakMap<object, object>();
const unwrap = (v: unknown): unknown =>
  Array.isArray(v) ? v.map(unwrap) : (v !== null && typeof v === "object" && wrappedTargets.get(v)) || v;

/**
 * The real `binding`, whose methods for which `faulty(name)` holds fail or hang; every other call
 * passes through to the real binding, and an object it hands back (a D1 statement or session, a
 * Durable Object stub) is wrapped the same way.
 */
function wrapped<T extends object>(
  binding: T,
  faulty: (method: string) => boolean,
  fault: Fault,
  label: string,
  row = rowsEnded,
): T {
  const proxy = new Proxy(binding, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop);
      if (typeof value !== "function" || typeof prop !== "string" || prop === "then") return value;
      if (faulty(prop)) return () => faultyCall(fault, `${label}.${prop}`, row);
      return (...args: unknown[]) => {
        const result: unknown = Reflect.apply(value, target, args.map(unwrap));
        const isObject = result !== null && typeof result === "object";
        return isObject && typeof (result as { then?: unknown }).then !== "function"
          ? wrapped(result, faulty, fault, label, row)
          : result;
      };
    },
  });
  wrappedTargets.set(proxy, binding);
  return proxy;
}

const D1_QUERIES = new Set(["first", "all", "raw", "run", "batch", "exec"]);
const KV_CALLS = new Set(["get", "getWithMetadata", "put", "delete", "list"]);
const NAMESPACE_METHODS = new Set(["getByName", "get", "idFromName", "idFromString", "newUniqueId", "jurisdiction"]);

const faultyD1 = (fault: Fault, row = rowsEnded) => wrapped(env.DB, (m) => D1_QUERIES.has(m), fault, "DB", row);

/**
 * The client's Durable Object with D1 faulty inside it: before each call the object is given an
 * env whose DB fails or hangs, and the real one again once the call has settled.
 */
function d1InObject(fault: Fault): Env["CLIENT_AUTHORITY"] {
  const namespace = env.CLIENT_AUTHORITY;
  const row = rowsEnded;
  return new Proxy(namespace, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop);
      if (prop !== "getByName" || typeof value !== "function") return value;
      return (name: string, ...rest: unknown[]) => {
        const stub = Reflect.apply(value, target, [name, ...rest]) as Record<string, (...a: unknown[]) => unknown>;
        return new Proxy(stub, {
          get(s, method) {
            const call: unknown = Reflect.get(s, method);
            if (typeof call !== "function" || method === "then") return call;
            return (...args: unknown[]) => {
              const run = (async () => {
                await patchAuthorityEnv(name, { DB: faultyD1(fault, row) });
                try {
                  return await Reflect.apply(call, s, args);
                } finally {
                  await restoreAuthorityEnv(name);
                }
              })();
              inFlight.push(run);
              return run;
            };
          },
        });
      };
    },
  });
}

/**
 * Each binding of wrangler.toml (and the object's own view of D1), as the bindings a faulty env
 * replaces. `deadline` names the guard's deadline that must fire when the fault is a hang.
 */
const BINDINGS = {
  DB: { deadline: "DB", env: (fault: Fault) => ({ DB: faultyD1(fault) }) },
  TOKEN_CACHE: {
    deadline: "TOKEN_CACHE",
    env: (fault: Fault) => ({ TOKEN_CACHE: wrapped(env.TOKEN_CACHE, (m) => KV_CALLS.has(m), fault, "KV") }),
  },
  /** Every method of the client's object (the namespace itself answers). */
  CLIENT_AUTHORITY: {
    deadline: "CLIENT_AUTHORITY",
    env: (fault: Fault) => ({
      CLIENT_AUTHORITY: wrapped(env.CLIENT_AUTHORITY, (m) => !NAMESPACE_METHODS.has(m), fault, "DO"),
    }),
  },
  "DB in the client's object": {
    deadline: "CLIENT_AUTHORITY",
    env: (fault: Fault) => ({ CLIENT_AUTHORITY: d1InObject(fault) }),
  },
  ASSETS: {
    deadline: "ASSETS",
    env: (fault: Fault) => ({ ASSETS: wrapped(env.ASSETS, (m) => m === "fetch", fault, "ASSETS") }),
  },
  WEBHOOK_DELIVERIES: {
    deadline: "WEBHOOK_DELIVERIES",
    env: (fault: Fault) => ({
      WEBHOOK_DELIVERIES: wrapped(env.WEBHOOK_DELIVERIES, (m) => m === "send" || m === "sendBatch", fault, "Queue"),
    }),
  },
} as const;

type Binding = keyof typeof BINDINGS;

/** The bindings of wrangler.toml: a new one (a Queue) joins here, in BINDINGS and in the guard's table. */
const WRANGLER_BINDINGS = ["DB", "TOKEN_CACHE", "CLIENT_AUTHORITY", "ASSETS", "WEBHOOK_DELIVERIES"] as const;

/** Every binding faulty at once (routes that must not depend on any). */
const allBindings = (fault: Fault): Record<string, unknown> =>
  Object.assign({}, ...WRANGLER_BINDINGS.map((b) => BINDINGS[b].env(fault)));

/** The deadline a hang row shortens: long enough for any healthy call, never waited for in full. */
const TEST_DEADLINE_MS = 250;

// ---- the rows ----------------------------------------------------------------------------------

/** What a row's `given` made: a client (`client`), a workflow, a name to look for, a key. */
type Given = Record<string, any>;

interface Row {
  binding: Binding | "every binding";
  fault: Fault;
  route: string;
  /** The state before the request (made through the real env). */
  given?: () => Promise<Given>;
  request: (g: Given) => Promise<[path: string, init: RequestInit]> | [path: string, init: RequestInit];
  status: number;
  code?: string;
  /** What is kept, checked through the real env after the fault is gone. */
  kept?: (g: Given) => Promise<void>;
}

const FAULTS: Fault[] = ["fails", "hangs"];

const json = (method: string, body?: unknown, token = ADMIN_TOKEN): RequestInit => ({
  method,
  headers: {
    Authorization: `Bearer ${token}`,
    ...(body === undefined ? {} : { "Content-Type": "application/json" }),
  },
  body: body === undefined ? undefined : JSON.stringify(body),
});
const secretHeaders = (g: Given): RequestInit => ({
  headers: { "X-Client-ID": g.client.id, "X-Client-Secret": g.client.secret },
});
const workflowHeaders = (g: Given): RequestInit => ({
  headers: { "X-Client-ID": g.client.id, "X-Workflow-ID": g.workflow.id },
});

const aClient = async (): Promise<Given> => ({ client: (await createClient({ rate_limit: 5 })) as CreatedClient });
const aWorkflow = async (): Promise<Given> => {
  const client = await createClient({ rate_limit: 5 });
  return { client, workflow: await createWorkflow(client) };
};
/** A workflow whose token KV does not hold: the edge must read D1. */
const aWorkflowNotInKv = async (): Promise<Given> => {
  const g = await aWorkflow();
  await env.TOKEN_CACHE.delete(tokenKey(g.workflow.id));
  return g;
};
const unique = () => `fault ${crypto.randomUUID()}`;

async function clientNamed(name: string): Promise<any> {
  const { status, body } = await adminJson("GET", "/admin/clients?limit=100");
  expect(status).toBe(200);
  return body.clients.find((c: any) => c.name === name);
}
async function clientOf(g: Given): Promise<any> {
  const { status, body } = await adminJson("GET", `/admin/clients/${g.client.id}`);
  expect(status).toBe(200);
  return body.client;
}
/** The client still admits with its current secret, and the failed request was not counted. */
async function stillAdmits(g: Given): Promise<void> {
  const res = await withSecret(g.client.id, g.client.secret);
  expect(res.status).toBe(200);
  expect(res.headers.get("X-RateLimit-Remaining")).toBe("4");
  await res.body?.cancel();
}

/** Management changes to a client through its object: nothing of a failed one is kept. */
const clientChanges: Omit<Row, "binding" | "fault">[] = [
  {
    route: "POST /admin/clients",
    given: async () => ({ name: unique() }),
    request: (g) => ["/admin/clients", json("POST", { name: g.name, environment: "production" })],
    status: 503,
    code: "service_unavailable",
    kept: async (g) => expect(await clientNamed(g.name)).toBeUndefined(),
  },
  {
    route: "PATCH /admin/clients/{id}",
    given: aClient,
    request: (g) => [`/admin/clients/${g.client.id}`, json("PATCH", { name: "renamed", status: "inactive" })],
    status: 503,
    code: "service_unavailable",
    kept: async (g) => {
      const client = await clientOf(g);
      expect([client.name, client.status]).toEqual(["Test client", "active"]);
      await stillAdmits(g); // the object holds the old state too
    },
  },
  {
    route: "POST /admin/clients/{id}/regenerate-secret",
    given: aClient,
    request: (g) => [`/admin/clients/${g.client.id}/regenerate-secret`, json("POST", {})],
    status: 503,
    code: "service_unavailable",
    kept: async (g) => {
      expect((await clientOf(g)).secret_last_four).toBe(g.client.client.secret_last_four);
      await stillAdmits(g);
    },
  },
  {
    route: "POST /admin/clients/{id}/revoke",
    given: aClient,
    request: (g) => [`/admin/clients/${g.client.id}/revoke`, json("POST")],
    status: 503,
    code: "service_unavailable",
    kept: async (g) => {
      expect((await clientOf(g)).status).toBe("active");
      await stillAdmits(g);
    },
  },
  {
    route: "POST /admin/workflows",
    given: async () => ({ ...(await aClient()), name: unique() }),
    request: (g) => [
      "/admin/workflows",
      json("POST", { client_id: g.client.id, client_secret: g.client.secret, name: g.name }),
    ],
    status: 503,
    code: "service_unavailable",
    kept: async (g) => {
      const { body } = await adminJson("GET", `/admin/workflows?client_id=${g.client.id}`);
      expect(body.workflows).toEqual([]);
    },
  },
];

/** Reads of D1 by the admin API: nothing to keep, only the answer. */
const adminReads: Omit<Row, "binding" | "fault">[] = [
  {
    route: "GET /admin/clients",
    request: () => ["/admin/clients", json("GET")],
    status: 503,
    code: "service_unavailable",
  },
  {
    route: "GET /admin/clients/{id}",
    given: aClient,
    request: (g) => [`/admin/clients/${g.client.id}`, json("GET")],
    status: 503,
    code: "service_unavailable",
  },
  {
    route: "GET /admin/clients/{id}/usage",
    given: aClient,
    request: (g) => [`/admin/clients/${g.client.id}/usage`, json("GET")],
    status: 503,
    code: "service_unavailable",
  },
  {
    route: "GET /admin/alerts",
    request: () => ["/admin/alerts", json("GET")],
    status: 503,
    code: "service_unavailable",
  },
  {
    route: "GET /admin/audit-log",
    request: () => ["/admin/audit-log", json("GET")],
    status: 503,
    code: "service_unavailable",
  },
  {
    route: "GET /admin/workflows",
    request: () => ["/admin/workflows", json("GET")],
    status: 503,
    code: "service_unavailable",
  },
];

const ROWS: Row[] = [
  // ---- the data plane: fail closed, never an admit the authority did not make ----------------
  ...FAULTS.flatMap((fault): Row[] => [
    {
      binding: "CLIENT_AUTHORITY",
      fault,
      route: "/v1/* (secret)",
      given: aClient,
      request: (g) => ["/v1/verify", secretHeaders(g)],
      status: 503,
      code: "service_unavailable",
      kept: stillAdmits,
    },
    {
      binding: "CLIENT_AUTHORITY",
      fault,
      route: "/v1/* (workflow)",
      given: aWorkflow,
      request: (g) => ["/v1/verify", workflowHeaders(g)],
      status: 503,
      code: "service_unavailable",
      kept: stillAdmits,
    },
    {
      binding: "TOKEN_CACHE",
      fault,
      route: "/v1/* (workflow)",
      given: aWorkflow,
      request: (g) => ["/v1/verify", workflowHeaders(g)],
      status: 503,
      code: "service_unavailable",
      kept: async (g) => expect((await withWorkflow(g.client.id, g.workflow.id)).status).toBe(200),
    },
    {
      binding: "DB",
      fault,
      route: "/v1/* (workflow, token not in KV)",
      given: aWorkflowNotInKv,
      request: (g) => ["/v1/verify", workflowHeaders(g)],
      status: 503,
      code: "service_unavailable",
      kept: async (g) => expect((await withWorkflow(g.client.id, g.workflow.id)).status).toBe(200),
    },
    // A secret call needs neither D1 nor KV: the client's object decides it alone.
    ...(["DB", "TOKEN_CACHE"] as const).map((binding): Row => ({
      binding,
      fault,
      route: "/v1/* (secret)",
      given: aClient,
      request: (g) => ["/v1/verify", secretHeaders(g)],
      status: 200,
    })),
  ]),

  // ---- the admin API: 503, and a change happens entirely or not at all ----------------------
  ...FAULTS.flatMap((fault) =>
    (["CLIENT_AUTHORITY", "DB in the client's object"] as const).flatMap((binding) =>
      clientChanges.map((row): Row => ({ ...row, binding, fault })),
    ),
  ),
  ...FAULTS.flatMap((fault) => adminReads.map((row): Row => ({ ...row, binding: "DB", fault }))),
  ...FAULTS.flatMap((fault): Row[] => [
    {
      binding: "DB",
      fault,
      route: "POST /admin/tokens",
      given: async () => ({ name: unique() }),
      request: (g) => ["/admin/tokens", json("POST", { name: g.name, permissions: ["clients:read"] })],
      status: 503,
      code: "service_unavailable",
      kept: async (g) => {
        const { body } = await adminJson("GET", "/admin/tokens?limit=100");
        expect(body.tokens.map((t: any) => t.name)).not.toContain(g.name);
      },
    },
    {
      // An admin token is looked up in D1: when D1 cannot answer, 503, not 401 (it may be valid).
      binding: "DB",
      fault,
      route: "any /admin call with an admin token",
      given: async () => ({ token: await mintToken(["clients:read"]) }),
      request: (g) => ["/admin/me", json("GET", undefined, g.token.secret)],
      status: 503,
      code: "service_unavailable",
    },
    {
      // The bootstrap token needs no storage to be checked: its reads fail on their own binding.
      binding: "CLIENT_AUTHORITY",
      fault,
      route: "GET /admin/clients",
      request: () => ["/admin/clients", json("GET")],
      status: 200,
    },
  ]),

  // ---- the leak endpoint: GitHub retries a report answered 5xx -------------------------------
  ...FAULTS.flatMap((fault) =>
    (["DB", "CLIENT_AUTHORITY"] as const).map((binding): Row => ({
      binding,
      fault,
      route: "POST /leaks/github",
      given: async () => ({ ...(await aClient()), key: await newScanningKey() }),
      request: async (g) => {
        const init = await signedRequest(g.key, JSON.stringify([reported(g.client.secret)]));
        return ["/leaks/github", init];
      },
      status: 503,
      code: "service_unavailable",
      kept: async (g) => expect(await alertsOf(g.client.id, "secret_leaked")).toEqual([]),
    })),
  ),

  // ---- the webhook delivery queue: a call that must enqueue is 503 and leaves no delivery -------
  ...FAULTS.flatMap((fault): Row[] => [
    {
      binding: "WEBHOOK_DELIVERIES",
      fault,
      route: "POST /admin/webhook-endpoints/{endpoint_id}/test",
      given: async () => ({ endpoint: (await createEndpoint()).endpoint }),
      request: (g) => [`/admin/webhook-endpoints/${g.endpoint.id}/test`, json("POST")],
      status: 503,
      code: "service_unavailable",
      kept: async (g) => expect(await deliveriesOf(g.endpoint.id)).toEqual([]),
    },
  ]),

  // ---- pages: no binding, or 503 for the console's files ------------------------------------
  ...FAULTS.flatMap((fault): Row[] => [
    ...["/healthz", "/openapi.json", "/docs", "/console"].map((path): Row => ({
      binding: "every binding",
      fault,
      route: `GET ${path}`,
      request: () => [path, {}],
      status: 200,
    })),
    {
      binding: "ASSETS",
      fault,
      route: "GET /console/app.js",
      request: () => ["/console/app.js", {}],
      status: 503,
      code: "service_unavailable",
    },
  ]),
];

// ---- the runner --------------------------------------------------------------------------------

afterEach(endFaults);

describe("the fault table", () => {
  it.each(ROWS.map((row) => [row.binding, row.fault, row.route, row] as const))(
    "%s %s → %s",
    async (binding, fault, _route, row) => {
      const given = (await row.given?.()) ?? ({} as Given);
      const [path, init] = await row.request(given);
      const overrides =
        binding === "every binding" ? allBindings(fault) : (BINDINGS[binding].env(fault) as Record<string, unknown>);
      // The leak endpoint reads GitHub's keys from this var when it is set (no KV, no fetch).
      if (given.key) overrides.SECRET_SCANNING_KEYS = keyDocument(given.key);
      const saved = bindingDeadlines.current;
      const shortened =
        binding === "every binding"
          ? Object.fromEntries(WRANGLER_BINDINGS.map((b) => [b, TEST_DEADLINE_MS]))
          : { [BINDINGS[binding].deadline]: TEST_DEADLINE_MS };
      bindingDeadlines.current = { ...saved, ...shortened };
      let res: Response;
      try {
        res = await callWithEnv(overrides, path, init);
      } finally {
        bindingDeadlines.current = saved;
      }
      if (row.code) {
        const retryAfter = res.headers.get("Retry-After");
        await expectError(res, row.status, row.code);
        expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
      } else {
        const text = await res.text();
        expect(res.status, text).toBe(row.status);
      }
      await endFaults();
      await row.kept?.(given);
    },
  );
});

describe("the OpenAPI document", () => {
  it("lists 503 for every management operation and for the leak endpoint", async () => {
    const doc = (await (await call("/openapi.json")).json()) as { paths: Record<string, Record<string, any>> };
    const operations = Object.entries(doc.paths)
      .filter(([path]) => path.startsWith("/admin") || path === "/leaks/github")
      .flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => [`${method} ${path}`, op] as const));
    expect(operations.length).toBeGreaterThan(10);
    for (const [key, op] of operations) expect(op.responses, key).toHaveProperty("503");
  });
});

describe("the table's coverage", () => {
  it("every binding of the env has a deadline in the guard and a fault here", () => {
    // Bindings are objects; vars and secrets are strings. The test harness adds its own.
    const bindings = Object.entries(env)
      .filter(([name, value]) => typeof value === "object" && !Array.isArray(value) && !name.startsWith("__VITEST"))
      .map(([name]) => name)
      .sort();
    expect(bindings).toEqual(Object.keys(BINDING_DEADLINES_MS).sort());
    expect([...WRANGLER_BINDINGS].sort()).toEqual(bindings);
  });
});
