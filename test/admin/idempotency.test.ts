/**
 * Idempotent admin POSTs (contract: "Idempotent requests and request bodies"): a repeat gets the
 * kept answer and changes nothing; another request with the key, or one while the first runs, is
 * a 409; an answer that showed a secret is never kept; keys are per token, expire after 24 hours
 * on the injected clock, and the daily purge deletes them; 5xx answers release the key.
 */
import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import worker from "../../src/index";
import { type AdminEnv } from "../../src/admin/context";
import { idempotency, secretShown } from "../../src/admin/idempotency";
import { BOOTSTRAP } from "../../src/admin/principal";
import { sha256Hex } from "../../src/domain/hash";
import { handleError } from "../../src/lib/error-handler";
import { ApiError } from "../../src/lib/errors";
import { CLAIM_TTL_MS, IDEMPOTENCY_TTL_MS, claimKey, purgeIdempotencyKeys } from "../../src/storage/idempotency-keys";
import { withIsolateClock } from "../support/clock";
import { admin, call, createClient, env, expectError } from "../support/helpers";
import { as, mintToken } from "../support/tokens";

const KEY = "Idempotency-Key";
let n = 0;
/** A fresh key per use: storage is shared by every test of this file. */
const newKey = () => `key-${++n}-${crypto.randomUUID()}`;

const keyed = (key: string, method: string, path: string, body?: unknown) => admin(method, path, body, { [KEY]: key });

const count = async (sql: string, ...params: unknown[]): Promise<number> =>
  (await env.DB.prepare(sql)
    .bind(...params)
    .first<{ n: number }>("n")) as unknown as number;

const workflowsOf = (clientId: string) => count("SELECT count(*) AS n FROM workflows WHERE client_id = ?", clientId);
const auditOf = (action: string, clientId: string) =>
  count("SELECT count(*) AS n FROM audit_log WHERE action = ? AND client_id = ?", action, clientId);

async function keyRows(key: string): Promise<Record<string, unknown>[]> {
  const { results } = await env.DB.prepare("SELECT * FROM idempotency_keys WHERE key = ?").bind(key).all();
  return results;
}

async function newWorkflowBody(name = "Onboarding") {
  const client = await createClient();
  return { client, body: { client_id: client.id, client_secret: client.secret, name } };
}

describe("a repeated request with the same key", () => {
  it("gets the first answer again (status and body) with Idempotent-Replayed: true, and changes nothing", async () => {
    const { client, body } = await newWorkflowBody();
    const key = newKey();
    const first = await keyed(key, "POST", "/admin/workflows", body);
    expect(first.status).toBe(201);
    expect(first.headers.get("Idempotent-Replayed")).toBeNull();
    const firstBody = await first.text();

    for (let i = 0; i < 2; i++) {
      const again = await keyed(key, "POST", "/admin/workflows", body);
      expect(again.status).toBe(201);
      expect(again.headers.get("Idempotent-Replayed")).toBe("true");
      expect(again.headers.get("Content-Type")).toMatch(/^application\/json/);
      expect(await again.text()).toBe(firstBody);
      // The replay is a request of its own: it has its own request ID.
      expect(again.headers.get("X-Request-Id")).toMatch(/^[0-9a-f-]{36}$/);
      expect(again.headers.get("X-Request-Id")).not.toBe(first.headers.get("X-Request-Id"));
    }
    expect(await workflowsOf(client.id)).toBe(1);
    expect(await auditOf("workflow.create", client.id)).toBe(1);
    // Without a key, the same request is a new one.
    expect((await admin("POST", "/admin/workflows", body)).status).toBe(201);
    expect(await workflowsOf(client.id)).toBe(2);
  });

  it("keeps 4xx answers too: a repeat is refused the same way without running again", async () => {
    const client = await createClient();
    const key = newKey();
    const body = { client_id: client.id, client_secret: "sk_live_wrong", name: "x" };
    const first = await keyed(key, "POST", "/admin/workflows", body);
    const firstText = await first.text();
    expect(first.status).toBe(400);
    const again = await keyed(key, "POST", "/admin/workflows", body);
    expect(again.status).toBe(400);
    expect(again.headers.get("Idempotent-Replayed")).toBe("true");
    expect(await again.text()).toBe(firstText);
  });

  it("ten concurrent requests with one key create exactly one workflow", async () => {
    const { client, body } = await newWorkflowBody();
    const key = newKey();
    const answers = await Promise.all(Array.from({ length: 10 }, () => keyed(key, "POST", "/admin/workflows", body)));
    const outcomes = await Promise.all(
      answers.map(async (res) => {
        const json = (await res.json()) as any;
        if (res.status === 201) return res.headers.get("Idempotent-Replayed") === "true" ? "replayed" : "created";
        expect(res.status).toBe(409);
        expect(json.error.code).toBe("request_in_progress");
        expect(res.headers.get("Retry-After")).toBe("1");
        return "in_progress";
      }),
    );
    expect(outcomes.filter((o) => o === "created")).toHaveLength(1);
    expect(await workflowsOf(client.id)).toBe(1);
  });

  it("the claim is one atomic statement: of ten claims started together exactly one holds the key", async () => {
    const key = newKey();
    const request = { method: "POST", path: "/admin/workflows", bodyHash: await sha256Hex("{}") };
    const now = Date.now();
    // All ten are in flight before any of them is answered: a read-then-write would let each see no row.
    const held = await Promise.all(
      Array.from({ length: 10 }, (_, i) => claimKey(env.DB, "bootstrap", key, request, `claim-${i}`, now)),
    );
    expect(held.filter(Boolean)).toHaveLength(1);
    const [row] = await keyRows(key);
    expect(row).toMatchObject({ state: "in_progress", claim_id: `claim-${held.indexOf(true)}` });
  });

  it("a GET or PATCH with a key is served as usual (only POSTs are kept)", async () => {
    const client = await createClient();
    const key = newKey();
    const patched = await keyed(key, "PATCH", `/admin/clients/${client.id}`, { name: "Renamed" });
    expect(patched.status).toBe(200);
    expect((await keyed(key, "GET", `/admin/clients/${client.id}`)).headers.get("Idempotent-Replayed")).toBeNull();
    expect(await keyRows(key)).toEqual([]);
  });
});

describe("the same key for another request", () => {
  it("is 409 idempotency_key_mismatch for another body or another path, and changes nothing", async () => {
    const { client, body } = await newWorkflowBody();
    const key = newKey();
    expect((await keyed(key, "POST", "/admin/workflows", body)).status).toBe(201);
    await expectError(
      await keyed(key, "POST", "/admin/workflows", { ...body, name: "Other" }),
      409,
      "idempotency_key_mismatch",
    );
    // The same JSON written differently is other bytes, so another request.
    const spaced = await call("/admin/workflows", {
      method: "POST",
      headers: { Authorization: "Bearer test-admin-token", "Content-Type": "application/json", [KEY]: key },
      body: JSON.stringify(body, null, 2),
    });
    await expectError(spaced, 409, "idempotency_key_mismatch");
    await expectError(await keyed(key, "POST", `/admin/clients/${client.id}/revoke`), 409, "idempotency_key_mismatch");
    expect(await workflowsOf(client.id)).toBe(1);
    expect(((await admin("GET", `/admin/clients/${client.id}`).then((r) => r.json())) as any).client.status).toBe(
      "active",
    );
  });
});

describe("while the first request is still being processed", () => {
  it("is 409 request_in_progress with Retry-After: 1; a claim older than its minute is taken over", async () => {
    const { client, body } = await newWorkflowBody();
    const key = newKey();
    const now = Date.now();
    // The claim a first request holds while it runs (as if it were running now).
    await env.DB.prepare(
      `INSERT INTO idempotency_keys (actor, key, method, path, body_hash, created_at, state, claim_id, locked_until)
       VALUES ('bootstrap', ?, 'POST', '/admin/workflows', ?, ?, 'in_progress', 'first', ?)`,
    )
      .bind(key, await sha256Hex(JSON.stringify(body)), now, now + CLAIM_TTL_MS)
      .run();

    const res = await withIsolateClock({ now: () => now + 1000 }, () => keyed(key, "POST", "/admin/workflows", body));
    expect(res.headers.get("Retry-After")).toBe("1");
    await expectError(res, 409, "request_in_progress");
    // Another request with that key is a mismatch even now.
    await expectError(
      await withIsolateClock({ now: () => now + 1000 }, () =>
        keyed(key, "POST", "/admin/workflows", { ...body, name: "Other" }),
      ),
      409,
      "idempotency_key_mismatch",
    );
    expect(await workflowsOf(client.id)).toBe(0);

    // The first request never finished (its isolate died): after CLAIM_TTL_MS the same request runs.
    const later = await withIsolateClock({ now: () => now + CLAIM_TTL_MS }, () =>
      keyed(key, "POST", "/admin/workflows", body),
    );
    expect(later.status).toBe(201);
    expect(later.headers.get("Idempotent-Replayed")).toBeNull();
    expect(await workflowsOf(client.id)).toBe(1);
    const [row] = await keyRows(key);
    expect(row).toMatchObject({ state: "answered", status: 201, claim_id: null });
  });
});

describe("an answer that showed a secret", () => {
  async function expectSecretNotKept(key: string, secret: string) {
    const rows = await keyRows(key);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ state: "secret_shown", body: null, status: null });
    const stored = JSON.stringify(rows);
    expect(stored).not.toContain(secret);
    expect(stored).not.toContain(await sha256Hex(secret));
  }

  it("client create: the replay is 409 secret_already_shown naming the client; one client; nothing secret stored", async () => {
    const key = newKey();
    const body = { name: `Idempotent ${key}`, environment: "production" };
    const first = await keyed(key, "POST", "/admin/clients", body);
    expect(first.status).toBe(201);
    expect(first.headers.get("Cache-Control")).toBe("no-store");
    const { client, client_secret } = (await first.json()) as any;

    const error = await expectError(await keyed(key, "POST", "/admin/clients", body), 409, "secret_already_shown");
    expect(error.resource_id).toBe(client.id);
    expect(error.message).toMatch(/shown only in the first answer/);
    expect(error.message).toContain(`/admin/clients/${client.id}/regenerate-secret`);
    expect(JSON.stringify(error)).not.toContain(client_secret);
    expect(await count("SELECT count(*) AS n FROM clients WHERE name = ?", body.name)).toBe(1);
    await expectSecretNotKept(key, client_secret);
    // A mismatch still wins over the secret's 409.
    await expectError(
      await keyed(key, "POST", "/admin/clients", { ...body, name: "Other" }),
      409,
      "idempotency_key_mismatch",
    );
  });

  it("regenerate-secret: the replay is 409 secret_already_shown naming the client; the secret is not regenerated again", async () => {
    const client = await createClient();
    const key = newKey();
    const path = `/admin/clients/${client.id}/regenerate-secret`;
    const first = await keyed(key, "POST", path, { grace_period_seconds: 60 });
    expect(first.status).toBe(200);
    const { client_secret } = (await first.json()) as any;
    const error = await expectError(
      await keyed(key, "POST", path, { grace_period_seconds: 60 }),
      409,
      "secret_already_shown",
    );
    expect(error.resource_id).toBe(client.id);
    expect(await auditOf("client.regenerate_secret", client.id)).toBe(1);
    await expectSecretNotKept(key, client_secret);
  });

  it("token create: the replay is 409 secret_already_shown naming the token, with how to get a new one", async () => {
    const key = newKey();
    const body = { name: `token ${key}`, permissions: ["clients:read"] };
    const first = await keyed(key, "POST", "/admin/tokens", body);
    expect(first.status).toBe(201);
    const { token, secret } = (await first.json()) as any;
    const error = await expectError(await keyed(key, "POST", "/admin/tokens", body), 409, "secret_already_shown");
    expect(error.resource_id).toBe(token.id);
    expect(error.message).toContain("POST /admin/tokens");
    expect(await count("SELECT count(*) AS n FROM admin_tokens WHERE name = ?", body.name)).toBe(1);
    await expectSecretNotKept(key, secret);
  });
});

describe("keys are kept per token", () => {
  it("the same key sent with another token is another request, processed on its own", async () => {
    const { client, body } = await newWorkflowBody();
    const other = await mintToken(["workflows:write"]);
    const key = newKey();
    expect((await keyed(key, "POST", "/admin/workflows", body)).status).toBe(201);
    const theirs = await as(other.secret, "POST", "/admin/workflows", body, { [KEY]: key });
    expect(theirs.status).toBe(201);
    expect(theirs.headers.get("Idempotent-Replayed")).toBeNull();
    expect(await workflowsOf(client.id)).toBe(2);
    // ...and each token's own repeat gets its own answer.
    const again = await as(other.secret, "POST", "/admin/workflows", body, { [KEY]: key });
    expect(again.headers.get("Idempotent-Replayed")).toBe("true");
    expect(await workflowsOf(client.id)).toBe(2);
  });
});

describe("the Idempotency-Key header", () => {
  it.each([
    ["empty", ""],
    ["256 characters", "k".repeat(256)],
    ["not ASCII", "clé"],
    ["a control character", "a\u007fb"],
  ])("is 400 invalid_request when %s, before anything is processed", async (_, key) => {
    const { client, body } = await newWorkflowBody();
    const error = await expectError(await keyed(key, "POST", "/admin/workflows", body), 400, "invalid_request");
    expect(error.details).toEqual([{ field: KEY, message: expect.any(String) }]);
    expect(await workflowsOf(client.id)).toBe(0);
  });

  it("takes 255 printable ASCII characters, spaces and punctuation included", async () => {
    const { body } = await newWorkflowBody();
    const key = `${n++} ~!"#$%&'()*+,-./:;<=>?@[\\]^_\`{|}`.padEnd(255, "x");
    expect((await keyed(key, "POST", "/admin/workflows", body)).status).toBe(201);
    expect((await keyed(key, "POST", "/admin/workflows", body)).headers.get("Idempotent-Replayed")).toBe("true");
  });
});

describe("24 hours", () => {
  it("a key is replayed until 24 hours after its first request, then it is a new key", async () => {
    const { client, body } = await newWorkflowBody();
    const key = newKey();
    const t0 = Date.now();
    const at = (t: number) => withIsolateClock({ now: () => t }, () => keyed(key, "POST", "/admin/workflows", body));
    expect((await at(t0)).status).toBe(201);
    expect((await at(t0 + IDEMPOTENCY_TTL_MS - 1)).headers.get("Idempotent-Replayed")).toBe("true");
    expect(await workflowsOf(client.id)).toBe(1);
    const after = await at(t0 + IDEMPOTENCY_TTL_MS);
    expect(after.status).toBe(201);
    expect(after.headers.get("Idempotent-Replayed")).toBeNull();
    expect(await workflowsOf(client.id)).toBe(2);
  });

  it("the daily purge deletes exactly the keys older than 24 hours (the cron handler too)", async () => {
    const { body } = await newWorkflowBody();
    const t0 = Date.now() + 10 * IDEMPOTENCY_TTL_MS; // later than every other row of this file
    const oldKey = newKey();
    const newer = newKey();
    await withIsolateClock({ now: () => t0 }, () => keyed(oldKey, "POST", "/admin/workflows", body));
    await withIsolateClock({ now: () => t0 + 1 }, () =>
      keyed(newer, "POST", "/admin/workflows", { ...body, name: "2" }),
    );
    expect(await purgeIdempotencyKeys(env.DB, t0 + IDEMPOTENCY_TTL_MS - 1)).toBeGreaterThanOrEqual(0);
    expect(await keyRows(oldKey)).toHaveLength(1);

    const ctx = createExecutionContext();
    const controller = createScheduledController({
      scheduledTime: new Date(t0 + IDEMPOTENCY_TTL_MS),
      cron: "17 3 * * *",
    });
    await worker.scheduled(controller, env, ctx);
    await waitOnExecutionContext(ctx);
    expect(await keyRows(oldKey)).toHaveLength(0);
    expect(await keyRows(newer)).toHaveLength(1);
    expect(await purgeIdempotencyKeys(env.DB, t0 + IDEMPOTENCY_TTL_MS + 1)).toBe(1);
    expect(await keyRows(newer)).toHaveLength(0);
  });
});

describe("answers that are not kept", () => {
  /** The middleware alone, behind a route that fails once with `failure` and then answers 201. */
  function flakyApp(failure: () => Response) {
    let calls = 0;
    const app = new Hono<AdminEnv>();
    app.onError(handleError as never);
    app.use("*", async (c, next) => {
      c.set("principal", { ...BOOTSTRAP, actor: "flaky" });
      await next();
    });
    app.use("*", idempotency());
    app.post("/admin/things", (c) => (++calls === 1 ? failure() : c.json({ calls }, 201)));
    app.post("/admin/secret-things", (c) =>
      c.json({ secret: "s3cr3t" }, 201, secretShown(c, { resourceId: "thing_1", renewal: "Ask again." })),
    );
    app.post("/admin/unmarked", (c) =>
      c.json({ secret: "s3cr3t", calls: ++calls }, 201, { "Cache-Control": "no-store" }),
    );
    const post = (path: string, key: string) => app.request(path, { method: "POST", headers: { [KEY]: key } }, env);
    return { post, calls: () => calls };
  }

  it.each([
    ["a 5xx answer", () => new ApiError("service_unavailable", "Try later.").toResponse()],
    [
      "a thrown error (500)",
      () => {
        throw new Error("boom");
      },
    ],
  ])("%s releases the key: the same request runs again", async (_, failure) => {
    const app = flakyApp(failure);
    const key = newKey();
    expect((await app.post("/admin/things", key)).status).toBeGreaterThanOrEqual(500);
    expect(await keyRows(key)).toEqual([]);
    const retried = await app.post("/admin/things", key);
    expect(retried.status).toBe(201);
    expect(await retried.json()).toEqual({ calls: 2 });
    expect((await app.post("/admin/things", key)).headers.get("Idempotent-Replayed")).toBe("true");
    expect(app.calls()).toBe(2);
  });

  it("a route's no-store answer is never kept, even one that forgot secretShown()", async () => {
    const app = flakyApp(() => new Response(null, { status: 204 }));
    const key = newKey();
    expect((await app.post("/admin/unmarked", key)).status).toBe(201);
    expect(await keyRows(key)).toEqual([]);
    const marked = newKey();
    expect((await app.post("/admin/secret-things", marked)).status).toBe(201);
    const error = await expectError(await app.post("/admin/secret-things", marked), 409, "secret_already_shown");
    expect(error).toMatchObject({ resource_id: "thing_1" });
    expect(JSON.stringify(await keyRows(marked))).not.toContain("s3cr3t");
  });
});

/** The admin POSTs whose answer shows a secret (the contract's list). */
const SHOWS_SECRET = [
  "/admin/clients",
  "/admin/clients/{client_id}/regenerate-secret",
  "/admin/tokens",
  "/admin/webhook-endpoints",
  "/admin/webhook-endpoints/{endpoint_id}/rotate-secret",
];

describe("the OpenAPI document", () => {
  it("shows the Idempotency-Key header and its 409s on every admin POST (secret_already_shown where a secret is shown), and on no other method", async () => {
    const doc = (await (await call("/openapi.json")).json()) as any;
    let posts = 0;
    for (const [path, item] of Object.entries<any>(doc.paths)) {
      if (!path.startsWith("/admin/")) continue;
      for (const [method, op] of Object.entries<any>(item)) {
        const header = (op.parameters ?? []).find((p: any) => p.in === "header" && p.name === KEY);
        if (method !== "post") {
          expect(header, `${method} ${path}`).toBeUndefined();
          continue;
        }
        posts++;
        expect(header, `${method} ${path}`).toMatchObject({ required: false, schema: { maxLength: 255 } });
        for (const code of ["idempotency_key_mismatch", "request_in_progress"]) {
          expect(op.responses["409"].description, `${method} ${path}`).toContain(code);
        }
        // Only a call whose answer shows a secret can meet its replay refused (its answer is not kept).
        const showsSecret = SHOWS_SECRET.includes(path);
        expect(op["x-error-codes"].includes("secret_already_shown"), `${method} ${path}`).toBe(showsSecret);
      }
    }
    expect(posts).toBeGreaterThanOrEqual(5);
  });
});
