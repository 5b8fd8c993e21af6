/**
 * /admin/webhook-endpoints: the nine calls, their permission, organization and client scope,
 * audit entries, and the secret shown once (and stored encrypted, never in an answer again).
 */
import { describe, expect, it } from "vitest";
import { Webhook } from "standardwebhooks";
import { ISO_UTC } from "../support/admin";
import { admin, adminJson, createClient, env, expectError } from "../support/helpers";
import { as, asJson, mintToken } from "../support/tokens";
import { createEndpoint, deliveriesOf, hookUrl, waitForReceived } from "../support/webhooks";

const ENDPOINT_FIELDS = [
  "id",
  "url",
  "description",
  "events",
  "client_ids",
  "status",
  "disabled_reason",
  "organization_id",
  "secret_last_four",
  "created_at",
  "updated_at",
].sort();

const DELIVERY_FIELDS = [
  "id",
  "event_id",
  "event_type",
  "status",
  "attempts",
  "created_at",
  "last_attempt_at",
  "next_attempt_at",
  "response_status",
  "error",
].sort();

async function auditOf(targetId: string): Promise<any[]> {
  const { body } = await adminJson("GET", `/admin/audit-log?target_id=${targetId}&limit=100`);
  return body.entries;
}

async function newOrganization(name: string): Promise<string> {
  const { status, body } = await adminJson("POST", "/admin/organizations", { name });
  expect(status).toBe(201);
  return body.organization.id;
}

describe("creating an endpoint", () => {
  it("answers 201 with the endpoint and its secret once, no-store, and audits it", async () => {
    const url = hookUrl("create");
    const res = await admin("POST", "/admin/webhook-endpoints", {
      url,
      description: "Pager",
      events: ["failed_authentication", "secret_leaked"],
    });
    expect(res.status).toBe(201);
    expect(res.headers.get("Cache-Control")).toBe("no-store");
    const { endpoint, secret } = (await res.json()) as any;
    expect(Object.keys(endpoint).sort()).toEqual(ENDPOINT_FIELDS);
    expect(endpoint.id).toMatch(/^whe_[A-Za-z0-9]+$/);
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(atob(secret.slice(6))).toHaveLength(32);
    expect(endpoint).toMatchObject({
      url,
      description: "Pager",
      events: ["failed_authentication", "secret_leaked"],
      client_ids: null,
      status: "enabled",
      disabled_reason: null,
      organization_id: null,
      secret_last_four: secret.slice(-4),
    });
    expect(endpoint.created_at).toMatch(ISO_UTC);

    const [entry] = await auditOf(endpoint.id);
    expect(entry).toMatchObject({ action: "webhook_endpoint.create", actor: "bootstrap", target_id: endpoint.id });
    expect(JSON.stringify(entry)).not.toContain(secret.slice(6, 20));

    // The secret is stored encrypted: neither it nor its key bytes are in the row.
    const row: any = await env.DB.prepare("SELECT * FROM webhook_endpoints WHERE id = ?1").bind(endpoint.id).first();
    expect(JSON.stringify(row)).not.toContain(secret.slice(6));
    expect(row.secret_ciphertext).toMatch(/^v1\./);

    // Never shown again: get, list, patch.
    for (const answer of [
      await adminJson("GET", `/admin/webhook-endpoints/${endpoint.id}`),
      await adminJson("GET", "/admin/webhook-endpoints"),
      await adminJson("PATCH", `/admin/webhook-endpoints/${endpoint.id}`, { description: "Renamed" }),
    ]) {
      expect(JSON.stringify(answer.body)).not.toContain(secret.slice(6));
      expect(JSON.stringify(answer.body)).not.toContain("secret_ciphertext");
    }
  });

  it.each([
    [{ url: "http://hooks.example.com/x", events: ["*"] }, "url"],
    [{ url: "https://169.254.169.254/", events: ["*"] }, "url"],
    [{ url: "https://[::ffff:127.0.0.1]/", events: ["*"] }, "url"],
    [{ url: "https://u:p@hooks.example.com/", events: ["*"] }, "url"],
    [{ url: "https://hooks.example.com/", events: [] }, "events"],
    [{ url: "https://hooks.example.com/", events: ["nope"] }, "events.0"],
    [{ url: "https://hooks.example.com/", events: ["*"], client_ids: [] }, "client_ids"],
    [{ url: "https://hooks.example.com/", events: ["*"], colour: "red" }, "colour"],
    [{ events: ["*"] }, "url"],
  ])("refuses %j with 400 invalid_request naming %s", async (body, field) => {
    const res = await admin("POST", "/admin/webhook-endpoints", body);
    const error = await expectError(res, 400, "invalid_request");
    expect(error.details.map((d: any) => d.field)).toContain(field);
    const { body: list } = await adminJson("GET", "/admin/webhook-endpoints?limit=100");
    expect(list.endpoints.some((e: any) => "url" in body && e.url === body.url)).toBe(false);
  });

  it("takes a development URL on localhost with a port, and collapses events with * to [*]", async () => {
    const { endpoint } = await createEndpoint({ url: "http://localhost:9999/hook", events: ["*", "secret_leaked"] });
    expect(endpoint.url).toBe("http://localhost:9999/hook");
    expect(endpoint.events).toEqual(["*"]);
  });

  it("client_ids must name clients that exist: 404 otherwise", async () => {
    const client = await createClient();
    const { endpoint } = await createEndpoint({ client_ids: [client.id] });
    expect(endpoint.client_ids).toEqual([client.id]);
    await expectError(
      await admin("POST", "/admin/webhook-endpoints", {
        url: hookUrl("x"),
        events: ["*"],
        client_ids: ["nafsi_live_doesnotexist"],
      }),
      404,
      "not_found",
    );
  });
});

describe("the other calls", () => {
  it("lists newest first with pagination", async () => {
    const made = [];
    for (let i = 0; i < 3; i++) made.push((await createEndpoint({ description: `page ${i}` })).endpoint.id);
    const first = await adminJson("GET", "/admin/webhook-endpoints?limit=2");
    expect(first.status).toBe(200);
    expect(first.body.endpoints).toHaveLength(2);
    expect(first.body.next_cursor).toEqual(expect.any(String));
    const ids: string[] = first.body.endpoints.map((e: any) => e.id);
    let cursor = first.body.next_cursor;
    while (cursor) {
      const next = await adminJson("GET", `/admin/webhook-endpoints?limit=2&cursor=${cursor}`);
      ids.push(...next.body.endpoints.map((e: any) => e.id));
      cursor = next.body.next_cursor;
    }
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.indexOf(made[2]!)).toBeLessThan(ids.indexOf(made[0]!));
  });

  it("PATCH changes the named fields, audits the changes, and refuses immutable ones", async () => {
    const { endpoint } = await createEndpoint({ events: ["secret_leaked"] });
    const { status, body } = await adminJson("PATCH", `/admin/webhook-endpoints/${endpoint.id}`, {
      events: ["high_error_rate"],
      status: "disabled",
    });
    expect(status).toBe(200);
    expect(body.endpoint).toMatchObject({ events: ["high_error_rate"], status: "disabled", disabled_reason: "manual" });
    const update = (await auditOf(endpoint.id)).find((e) => e.action === "webhook_endpoint.update");
    expect(update.details).toEqual({
      events: { from: ["secret_leaked"], to: ["high_error_rate"] },
      status: { from: "enabled", to: "disabled" },
    });
    const enabled = await adminJson("PATCH", `/admin/webhook-endpoints/${endpoint.id}`, { status: "enabled" });
    expect(enabled.body.endpoint).toMatchObject({ status: "enabled", disabled_reason: null });
    await expectError(
      await admin("PATCH", `/admin/webhook-endpoints/${endpoint.id}`, { secret: "whsec_x" }),
      400,
      "immutable_field",
    );
    await expectError(
      await admin("PATCH", `/admin/webhook-endpoints/${endpoint.id}`, { url: "https://10.0.0.1/" }),
      400,
      "invalid_request",
    );
  });

  it("rotate-secret answers a new secret once; DELETE removes the endpoint and its deliveries; both audited", async () => {
    const { endpoint, secret } = await createEndpoint();
    const res = await admin("POST", `/admin/webhook-endpoints/${endpoint.id}/rotate-secret`);
    expect(res.status).toBe(200);
    expect(res.headers.get("Cache-Control")).toBe("no-store");
    const rotated = (await res.json()) as any;
    expect(rotated.secret).toMatch(/^whsec_/);
    expect(rotated.secret).not.toBe(secret);
    expect(rotated.endpoint.secret_last_four).toBe(rotated.secret.slice(-4));

    await adminJson("POST", `/admin/webhook-endpoints/${endpoint.id}/test`);
    expect(await deliveriesOf(endpoint.id)).toHaveLength(1);
    const deleted = await admin("DELETE", `/admin/webhook-endpoints/${endpoint.id}`);
    expect(deleted.status).toBe(204);
    await expectError(await admin("GET", `/admin/webhook-endpoints/${endpoint.id}`), 404, "not_found");
    const left = await env.DB.prepare("SELECT count(*) AS n FROM webhook_deliveries WHERE endpoint_id = ?1")
      .bind(endpoint.id)
      .first<{ n: number }>();
    expect(left!.n).toBe(0);
    const actions = (await auditOf(endpoint.id)).map((e) => e.action).sort();
    expect(actions).toEqual(["webhook_endpoint.create", "webhook_endpoint.delete", "webhook_endpoint.rotate_secret"]);
    for (const entry of await auditOf(endpoint.id)) {
      expect(JSON.stringify(entry)).not.toContain(secret.slice(6));
      expect(JSON.stringify(entry)).not.toContain(rotated.secret.slice(6));
    }
  });

  it("test answers 202 with a pending delivery, which arrives signed and verifies with standardwebhooks", async () => {
    const key = crypto.randomUUID();
    const { endpoint, secret } = await createEndpoint({ url: hookUrl(key), events: ["secret_leaked"] });
    const { status, body } = await adminJson("POST", `/admin/webhook-endpoints/${endpoint.id}/test`);
    expect(status).toBe(202);
    expect(Object.keys(body.delivery).sort()).toEqual(DELIVERY_FIELDS);
    expect(body.delivery).toMatchObject({ event_type: "webhook.test", status: "pending", attempts: 0 });
    expect(body.delivery.id).toMatch(/^whd_/);
    expect(body.delivery.event_id).toMatch(/^evt_/);

    const [got] = await waitForReceived(key);
    expect(got!.headers["webhook-id"]).toBe(body.delivery.event_id);
    expect(got!.headers["content-type"]).toBe("application/json");
    const payload: any = new Webhook(secret).verify(got!.body, got!.headers);
    expect(payload.type).toBe("webhook.test");
    expect(payload.timestamp).toMatch(ISO_UTC);
    expect(() => new Webhook(`whsec_${btoa("x".repeat(32))}`).verify(got!.body, got!.headers)).toThrow();

    // The consumer acknowledges only after the row says so.
    for (let i = 0; i < 100; i++) {
      const [row] = await deliveriesOf(endpoint.id);
      if (row.status === "succeeded") {
        expect(row).toMatchObject({ attempts: 1, response_status: 204, error: null, next_attempt_at: null });
        return;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error("delivery never recorded as succeeded");
  });

  it("deliveries filter by status; retry re-queues a delivery at once; an unknown one is 404", async () => {
    const key = crypto.randomUUID();
    const { endpoint } = await createEndpoint({ url: hookUrl(key) });
    const { body } = await adminJson("POST", `/admin/webhook-endpoints/${endpoint.id}/test`);
    await waitForReceived(key, 1);
    const retried = await adminJson(
      "POST",
      `/admin/webhook-endpoints/${endpoint.id}/deliveries/${body.delivery.id}/retry`,
    );
    expect(retried.status).toBe(202);
    expect(retried.body.delivery.id).toBe(body.delivery.id);
    const got = await waitForReceived(key, 2);
    expect(got[1]!.headers["webhook-id"]).toBe(got[0]!.headers["webhook-id"]);
    const failed = await adminJson("GET", `/admin/webhook-endpoints/${endpoint.id}/deliveries?status=failed`);
    expect(failed.body.deliveries).toEqual([]);
    await expectError(
      await admin("POST", `/admin/webhook-endpoints/${endpoint.id}/deliveries/whd_nope/retry`),
      404,
      "not_found",
    );
    await expectError(
      await admin("GET", `/admin/webhook-endpoints/${endpoint.id}/deliveries?status=lost`),
      400,
      "invalid_request",
    );
  });
});

describe("permission and scope", () => {
  it("every call needs webhooks:manage", async () => {
    const { endpoint } = await createEndpoint();
    const reader = await mintToken(["clients:read", "alerts:read"]);
    const calls: [string, string, unknown?][] = [
      ["POST", "/admin/webhook-endpoints", { url: hookUrl("p"), events: ["*"] }],
      ["GET", "/admin/webhook-endpoints"],
      ["GET", `/admin/webhook-endpoints/${endpoint.id}`],
      ["PATCH", `/admin/webhook-endpoints/${endpoint.id}`, { description: "x" }],
      ["DELETE", `/admin/webhook-endpoints/${endpoint.id}`],
      ["POST", `/admin/webhook-endpoints/${endpoint.id}/rotate-secret`],
      ["POST", `/admin/webhook-endpoints/${endpoint.id}/test`],
      ["GET", `/admin/webhook-endpoints/${endpoint.id}/deliveries`],
      ["POST", `/admin/webhook-endpoints/${endpoint.id}/deliveries/whd_x/retry`],
    ];
    for (const [method, path, body] of calls) {
      const error = await expectError(await as(reader.secret, method, path, body), 403, "forbidden");
      expect(error.missing_permission).toBe("webhooks:manage");
    }
  });

  it("a bound token's endpoints belong to its organization; another organization's are 404 and not listed", async () => {
    const ownOrg = await newOrganization("Webhooks own");
    const otherOrg = await newOrganization("Webhooks other");
    const own = await mintToken(["webhooks:manage"], { organization_id: ownOrg });
    const other = await mintToken(["webhooks:manage"], { organization_id: otherOrg });
    const mine = await createEndpoint({}, own.secret);
    expect(mine.endpoint.organization_id).toBe(ownOrg);
    const theirs = await createEndpoint({}, other.secret);
    const operators = await createEndpoint();

    const list = await asJson(own.secret, "GET", "/admin/webhook-endpoints?limit=100");
    expect(list.body.endpoints.map((e: any) => e.id)).toEqual([mine.endpoint.id]);
    for (const id of [theirs.endpoint.id, operators.endpoint.id]) {
      for (const [method, path] of [
        ["GET", `/admin/webhook-endpoints/${id}`],
        ["DELETE", `/admin/webhook-endpoints/${id}`],
        ["POST", `/admin/webhook-endpoints/${id}/rotate-secret`],
        ["GET", `/admin/webhook-endpoints/${id}/deliveries`],
      ] as const) {
        await expectError(await as(own.secret, method, path), 404, "not_found");
      }
    }
    // Another organization's client cannot be named.
    const foreign = await createClient({ organization_id: otherOrg });
    await expectError(
      await as(own.secret, "POST", "/admin/webhook-endpoints", {
        url: hookUrl("f"),
        events: ["*"],
        client_ids: [foreign.id],
      }),
      404,
      "not_found",
    );
    // The operator sees every endpoint.
    const all = await adminJson("GET", "/admin/webhook-endpoints?limit=100");
    const ids = all.body.endpoints.map((e: any) => e.id);
    expect(ids).toEqual(expect.arrayContaining([mine.endpoint.id, theirs.endpoint.id, operators.endpoint.id]));
  });

  it("a client-scoped token's endpoints are limited to its clients, and it sees only such endpoints", async () => {
    const a = await createClient();
    const b = await createClient();
    const scoped = await mintToken(["webhooks:manage"], { client_ids: [a.id] });
    const made = await createEndpoint({}, scoped.secret);
    expect(made.endpoint.client_ids).toEqual([a.id]);
    await expectError(
      await as(scoped.secret, "POST", "/admin/webhook-endpoints", {
        url: hookUrl("s"),
        events: ["*"],
        client_ids: [b.id],
      }),
      404,
      "not_found",
    );
    const wide = await createEndpoint();
    await expectError(await as(scoped.secret, "GET", `/admin/webhook-endpoints/${wide.endpoint.id}`), 404, "not_found");
    const list = await asJson(scoped.secret, "GET", "/admin/webhook-endpoints?limit=100");
    expect(list.body.endpoints.map((e: any) => e.id)).toEqual([made.endpoint.id]);
  });
});

describe("idempotent requests", () => {
  it("a replayed create or rotate-secret is 409 secret_already_shown naming the endpoint, and makes nothing", async () => {
    const body = { url: hookUrl("idempotent"), events: ["*"] };
    const headers = { "Idempotency-Key": crypto.randomUUID() };
    const first = await admin("POST", "/admin/webhook-endpoints", body, headers);
    expect(first.status).toBe(201);
    const { endpoint } = (await first.json()) as any;
    const replay = await expectError(
      await admin("POST", "/admin/webhook-endpoints", body, headers),
      409,
      "secret_already_shown",
    );
    expect(replay.resource_id).toBe(endpoint.id);
    const rotateKey = { "Idempotency-Key": crypto.randomUUID() };
    const path = `/admin/webhook-endpoints/${endpoint.id}/rotate-secret`;
    expect((await admin("POST", path, undefined, rotateKey)).status).toBe(200);
    const { secret_last_four } = (await adminJson("GET", `/admin/webhook-endpoints/${endpoint.id}`)).body.endpoint;
    await expectError(await admin("POST", path, undefined, rotateKey), 409, "secret_already_shown");
    expect((await adminJson("GET", `/admin/webhook-endpoints/${endpoint.id}`)).body.endpoint.secret_last_four).toBe(
      secret_last_four,
    );
  });
});
