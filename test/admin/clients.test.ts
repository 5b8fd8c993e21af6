/**
 * /admin/clients: create, get and PATCH (contract "Management API", "Identifiers and secrets").
 * Validation errors are in clients-validation.test.ts, listing in clients-list.test.ts,
 * regenerate/revoke/inactive in clients-lifecycle.test.ts.
 */
import { describe, expect, it } from "vitest";
import { clientIdEnvironment, secretEnvironment } from "../support/credentials";
import { admin, adminJson, createClient, expectError, sleep } from "../support/helpers";
import {
  ISO_UTC,
  changeChar,
  dataPlane,
  dataPlaneOutcome,
  expectClientShape,
  ms,
  unknownClientId,
} from "../support/admin";

describe("POST /admin/clients", () => {
  it("creates a production client: 201 {client, client_secret}, every contract field, no-store", async () => {
    const before = Date.now();
    const res = await admin("POST", "/admin/clients", { name: "Production iOS App", environment: "production" });
    expect(res.status).toBe(201);
    expect(res.headers.get("Content-Type")).toMatch(/^application\/json/);
    expect(res.headers.get("Cache-Control")).toBe("no-store");
    const body = (await res.json()) as any;
    expect(Object.keys(body).sort()).toEqual(["client", "client_secret"]);
    const { client, client_secret: secret } = body;
    expectClientShape(client);
    expect(client).toMatchObject({
      name: "Production iOS App",
      environment: "production",
      rate_limit: 100,
      retention_days: 90,
      status: "active",
      secret_last_four: secret.slice(-4),
      last_used_at: null,
      secret_rotated_at: null,
      previous_secret_expires_at: null,
      revoked_at: null,
    });
    expect(client.updated_at).toBe(client.created_at);
    expect(client.created_at).toMatch(ISO_UTC);
    expect(ms(client.created_at)).toBeGreaterThanOrEqual(before - 1000);
    expect(ms(client.created_at)).toBeLessThanOrEqual(Date.now() + 1000);
  });

  it("production IDs and secrets: nafsi_live_ / sk_live_, only A-Za-z0-9 after the prefix, ≥ 128 bits", async () => {
    const { id, secret } = await createClient({ environment: "production" });
    expect(id).toMatch(/^nafsi_live_[A-Za-z0-9]+$/);
    expect(secret).toMatch(/^sk_live_[A-Za-z0-9]+$/);
    // 22 base62 characters carry ≥ 128 bits; the checksum comes on top.
    expect(id.length - "nafsi_live_".length).toBeGreaterThanOrEqual(23);
    expect(secret.length - "sk_live_".length).toBeGreaterThanOrEqual(23);
    expect(await clientIdEnvironment(id)).toBe("production");
    expect(await secretEnvironment(secret)).toBe("production");
  });

  it("sandbox IDs and secrets: nafsi_test_ / sk_test_, limit fixed at 10, retention 7 by default", async () => {
    const { id, secret, client } = await createClient({ environment: "sandbox" });
    expect(id).toMatch(/^nafsi_test_[A-Za-z0-9]+$/);
    expect(secret).toMatch(/^sk_test_[A-Za-z0-9]+$/);
    expect(await clientIdEnvironment(id)).toBe("sandbox");
    expect(await secretEnvironment(secret)).toBe("sandbox");
    expect(client).toMatchObject({ environment: "sandbox", rate_limit: 10, retention_days: 7, status: "active" });
    expectClientShape(client);
  });

  it("the checksum catches a one-character change anywhere in a created ID or secret", async () => {
    const { id, secret } = await createClient({ environment: "production" });
    for (let i = "nafsi_live_".length; i < id.length; i++)
      expect(await clientIdEnvironment(changeChar(id, i)), `id[${i}]`).toBeNull();
    for (let i = "sk_live_".length; i < secret.length; i++)
      expect(await secretEnvironment(changeChar(secret, i)), `secret[${i}]`).toBeNull();
  });

  it("a one-character change of a real ID or secret is refused on the data plane (401 invalid_credentials)", async () => {
    const { id, secret } = await createClient();
    expect(await dataPlaneOutcome(id, secret)).toBe("ok");
    await expectError(await dataPlane(changeChar(id, id.length - 10), secret), 401, "invalid_credentials");
    await expectError(await dataPlane(id, changeChar(secret, secret.length - 10)), 401, "invalid_credentials");
    await expectError(await dataPlane(id, changeChar(secret, secret.length - 1)), 401, "invalid_credentials");
  });

  it("IDs and secrets are unique across clients", async () => {
    const created = await Promise.all(Array.from({ length: 12 }, () => createClient()));
    expect(new Set(created.map((c) => c.id)).size).toBe(12);
    expect(new Set(created.map((c) => c.secret)).size).toBe(12);
  });

  it("the created secret works on the data plane and the echo names the client", async () => {
    const { id, secret } = await createClient({ environment: "sandbox" });
    const res = await dataPlane(id, secret);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      authenticated: true,
      client_id: id,
      environment: "sandbox",
      method: "GET",
      path: "/v1/anything",
    });
  });

  it("default rate limit is 100; any integer 1..1000 is accepted", async () => {
    expect((await createClient()).client.rate_limit).toBe(100);
    expect((await createClient({ rate_limit: 1 })).client.rate_limit).toBe(1);
    expect((await createClient({ rate_limit: 1000 })).client.rate_limit).toBe(1000);
    expect((await createClient({ rate_limit: 250 })).client.rate_limit).toBe(250);
  });

  it("rate_limit outside 1..1000 or not an integer: 400 invalid_request naming rate_limit", async () => {
    for (const rate_limit of [0, -5, 1001, 10_000, 2.5]) {
      const err = await expectError(
        await admin("POST", "/admin/clients", { name: "x", environment: "production", rate_limit }),
        400,
        "invalid_request",
      );
      expect(
        err.details.map((d: any) => d.field),
        String(rate_limit),
      ).toContain("rate_limit");
    }
  });

  it("a sandbox rate_limit other than 10 is 400 sandbox_rate_limit_fixed; 10 itself is accepted", async () => {
    for (const rate_limit of [1, 9, 11, 100, 1000]) {
      await expectError(
        await admin("POST", "/admin/clients", { name: "sb", environment: "sandbox", rate_limit }),
        400,
        "sandbox_rate_limit_fixed",
      );
    }
    expect((await createClient({ environment: "sandbox", rate_limit: 10 })).client.rate_limit).toBe(10);
  });

  it("retention_days: production 7..365 (default 90), sandbox up to 7 (default 7)", async () => {
    expect((await createClient({ retention_days: 7 })).client.retention_days).toBe(7);
    expect((await createClient({ retention_days: 365 })).client.retention_days).toBe(365);
    expect((await createClient({ environment: "sandbox", retention_days: 1 })).client.retention_days).toBe(1);
    expect((await createClient({ environment: "sandbox", retention_days: 7 })).client.retention_days).toBe(7);
    for (const [environment, retention_days] of [
      ["sandbox", 8],
      ["sandbox", 90],
      ["sandbox", 0],
      ["production", 6],
      ["production", 366],
      ["production", 0],
      ["production", 30.5],
    ] as const) {
      const err = await expectError(
        await admin("POST", "/admin/clients", { name: "r", environment, retention_days }),
        400,
        "invalid_request",
      );
      expect(
        err.details.map((d: any) => d.field),
        `${environment} ${retention_days}`,
      ).toContain("retention_days");
    }
  });

  it("a refused create creates nothing", async () => {
    const before = (await adminJson("GET", "/admin/clients?limit=100")).body.clients.length;
    await admin("POST", "/admin/clients", { name: "sb", environment: "sandbox", rate_limit: 50 });
    await admin("POST", "/admin/clients", { name: "sb", environment: "sandbox", retention_days: 30 });
    await admin("POST", "/admin/clients", { name: "x", environment: "production", extra: 1 });
    expect((await adminJson("GET", "/admin/clients?limit=100")).body.clients.length).toBe(before);
  });
});

describe("GET /admin/clients/{client_id}", () => {
  it("200 {client} with the same fields the create returned", async () => {
    const { id, client } = await createClient({ name: "Fetch me", environment: "sandbox" });
    const res = await admin("GET", `/admin/clients/${id}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toMatch(/^application\/json/);
    const body = (await res.json()) as any;
    expect(Object.keys(body)).toEqual(["client"]);
    expectClientShape(body.client);
    expect(body.client).toEqual(client);
  });

  it("an unknown but well-formed ID is 404 not_found", async () => {
    await expectError(await admin("GET", `/admin/clients/${await unknownClientId()}`), 404, "not_found");
    await expectError(await admin("GET", `/admin/clients/${await unknownClientId("sandbox")}`), 404, "not_found");
  });

  it("a malformed ID is 404 not_found", async () => {
    const { id } = await createClient();
    for (const bad of [
      "nope",
      "nafsi_live_",
      changeChar(id, id.length - 1),
      id.toLowerCase(),
      `${id}x`,
      "sk_live_abc",
    ]) {
      await expectError(await admin("GET", `/admin/clients/${encodeURIComponent(bad)}`), 404, "not_found");
    }
  });
});

describe("PATCH /admin/clients/{client_id}", () => {
  it("changes name, rate_limit and retention_days; updated_at moves, created_at does not; GET agrees", async () => {
    const { id, client } = await createClient({ name: "Before" });
    await sleep(5);
    const { status, body } = await adminJson("PATCH", `/admin/clients/${id}`, {
      name: "After",
      rate_limit: 500,
      retention_days: 30,
    });
    expect(status).toBe(200);
    expect(Object.keys(body)).toEqual(["client"]);
    expectClientShape(body.client);
    expect(body.client).toMatchObject({
      id,
      name: "After",
      rate_limit: 500,
      retention_days: 30,
      status: "active",
      created_at: client.created_at,
    });
    expect(ms(body.client.updated_at)).toBeGreaterThan(ms(client.updated_at));
    expect((await adminJson("GET", `/admin/clients/${id}`)).body.client).toEqual(body.client);
  });

  it("each field alone changes only itself", async () => {
    const { id, client } = await createClient({ name: "Solo", rate_limit: 200, retention_days: 60 });
    const name = (await adminJson("PATCH", `/admin/clients/${id}`, { name: "Renamed" })).body.client;
    expect(name).toMatchObject({ name: "Renamed", rate_limit: 200, retention_days: 60, status: "active" });
    const limit = (await adminJson("PATCH", `/admin/clients/${id}`, { rate_limit: 7 })).body.client;
    expect(limit).toMatchObject({ name: "Renamed", rate_limit: 7, retention_days: 60, status: "active" });
    const retention = (await adminJson("PATCH", `/admin/clients/${id}`, { retention_days: 365 })).body.client;
    expect(retention).toMatchObject({ name: "Renamed", rate_limit: 7, retention_days: 365, status: "active" });
    expect(retention.secret_last_four).toBe(client.secret_last_four);
    expect(retention.environment).toBe("production");
  });

  it("status active ⇄ inactive, and the very next data-plane request follows it", async () => {
    const { id, secret } = await createClient();
    expect(await dataPlaneOutcome(id, secret)).toBe("ok");
    const off = await adminJson("PATCH", `/admin/clients/${id}`, { status: "inactive" });
    expect(off.status).toBe(200);
    expect(off.body.client.status).toBe("inactive");
    expect(off.body.client.revoked_at).toBeNull();
    expect(await dataPlaneOutcome(id, secret)).toBe("401 client_inactive");
    const on = await adminJson("PATCH", `/admin/clients/${id}`, { status: "active" });
    expect(on.status).toBe(200);
    expect(on.body.client.status).toBe("active");
    expect(await dataPlaneOutcome(id, secret)).toBe("ok");
  });

  it("a new rate_limit shows on the very next data-plane answer", async () => {
    const { id, secret } = await createClient({ rate_limit: 100 });
    expect((await dataPlane(id, secret)).headers.get("X-RateLimit-Limit")).toBe("100");
    await adminJson("PATCH", `/admin/clients/${id}`, { rate_limit: 3 });
    expect((await dataPlane(id, secret)).headers.get("X-RateLimit-Limit")).toBe("3");
  });

  it('status: "revoked" is 400 invalid_request (revoking has its own call) and changes nothing', async () => {
    const { id, client } = await createClient();
    const err = await expectError(
      await admin("PATCH", `/admin/clients/${id}`, { status: "revoked" }),
      400,
      "invalid_request",
    );
    expect(err.details.map((d: any) => d.field)).toContain("status");
    expect((await adminJson("GET", `/admin/clients/${id}`)).body.client).toEqual(client);
  });

  it("id, environment or client_secret in the body: 400 immutable_field, nothing changes", async () => {
    const { id, secret, client } = await createClient({ name: "Frozen" });
    for (const patch of [
      { id: await unknownClientId() },
      { environment: "sandbox" },
      { client_secret: secret },
      { name: "Thawed", environment: "sandbox" },
      { name: "Thawed", id },
      { rate_limit: 5, client_secret: "sk_live_whatever" },
    ]) {
      await expectError(await admin("PATCH", `/admin/clients/${id}`, patch), 400, "immutable_field");
    }
    expect((await adminJson("GET", `/admin/clients/${id}`)).body.client).toEqual(client);
    expect(await dataPlaneOutcome(id, secret)).toBe("ok");
  });

  it("a sandbox client's rate_limit cannot change: 400 sandbox_rate_limit_fixed", async () => {
    const { id, client } = await createClient({ environment: "sandbox" });
    for (const rate_limit of [1, 11, 100, 1000]) {
      await expectError(await admin("PATCH", `/admin/clients/${id}`, { rate_limit }), 400, "sandbox_rate_limit_fixed");
    }
    await expectError(
      await admin("PATCH", `/admin/clients/${id}`, { name: "n", rate_limit: 20 }),
      400,
      "sandbox_rate_limit_fixed",
    );
    expect((await adminJson("GET", `/admin/clients/${id}`)).body.client).toEqual(client);
  });

  it("retention_days bounds per environment: sandbox above 7 and production outside 7..365 are 400 invalid_request", async () => {
    const sandbox = await createClient({ environment: "sandbox" });
    const production = await createClient();
    for (const [cid, retention_days] of [
      [sandbox.id, 8],
      [sandbox.id, 0],
      [production.id, 6],
      [production.id, 366],
    ] as const) {
      const err = await expectError(
        await admin("PATCH", `/admin/clients/${cid}`, { retention_days }),
        400,
        "invalid_request",
      );
      expect(err.details.map((d: any) => d.field)).toContain("retention_days");
    }
    expect(
      (await adminJson("PATCH", `/admin/clients/${sandbox.id}`, { retention_days: 3 })).body.client.retention_days,
    ).toBe(3);
    expect((await adminJson("GET", `/admin/clients/${production.id}`)).body.client.retention_days).toBe(90);
  });

  it("unknown field: 400 invalid_request with details naming it, nothing changes", async () => {
    const { id, client } = await createClient();
    const err = await expectError(
      await admin("PATCH", `/admin/clients/${id}`, { name: "New", colour: "blue" }),
      400,
      "invalid_request",
    );
    expect(err.details).toContainEqual({ field: "colour", message: expect.any(String) });
    expect((await adminJson("GET", `/admin/clients/${id}`)).body.client).toEqual(client);
  });

  it("an unknown or malformed ID is 404 not_found", async () => {
    await expectError(
      await admin("PATCH", `/admin/clients/${await unknownClientId()}`, { name: "x" }),
      404,
      "not_found",
    );
    await expectError(await admin("PATCH", `/admin/clients/nope`, { name: "x" }), 404, "not_found");
    const { id } = await createClient();
    await expectError(
      await admin("PATCH", `/admin/clients/${changeChar(id, id.length - 3)}`, { name: "x" }),
      404,
      "not_found",
    );
  });
});
