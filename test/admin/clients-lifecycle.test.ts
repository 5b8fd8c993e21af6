/**
 * regenerate-secret, revoke, and what an inactive or revoked client can still take
 * (contract "Errors" last paragraph, "Management API", "Data plane" on grace periods).
 * The data plane is checked through GET /v1/anything with X-Client-ID + X-Client-Secret.
 */
import { describe, expect, it } from "vitest";
import { secretEnvironment } from "../support/credentials";
import { admin, adminJson, createClient, expectError, sleep } from "../support/helpers";
import { ISO_UTC, dataPlaneOutcome, expectClientShape, ms, unknownClientId } from "../support/admin";

const regenerate = (id: string, body?: unknown) => adminJson("POST", `/admin/clients/${id}/regenerate-secret`, body);

describe("POST /admin/clients/{client_id}/regenerate-secret", () => {
  it("200 {client, client_secret, previous_secret_expires_at} with no-store; the new secret is fresh and well-formed", async () => {
    const { id, secret, client } = await createClient();
    await sleep(5);
    const res = await admin("POST", `/admin/clients/${id}/regenerate-secret`, {});
    expect(res.status).toBe(200);
    expect(res.headers.get("Cache-Control")).toBe("no-store");
    expect(res.headers.get("Content-Type")).toMatch(/^application\/json/);
    const body = (await res.json()) as any;
    expect(Object.keys(body).sort()).toEqual(["client", "client_secret", "previous_secret_expires_at"]);
    expectClientShape(body.client);
    expect(body.client_secret).toMatch(/^sk_live_[A-Za-z0-9]+$/);
    expect(await secretEnvironment(body.client_secret)).toBe("production");
    expect(body.client_secret).not.toBe(secret);
    expect(body.previous_secret_expires_at).toBeNull();
    expect(body.client).toMatchObject({
      id,
      status: "active",
      secret_last_four: body.client_secret.slice(-4),
      previous_secret_expires_at: null,
      created_at: client.created_at,
    });
    expect(body.client.secret_rotated_at).toMatch(ISO_UTC);
    expect(ms(body.client.updated_at)).toBeGreaterThan(ms(client.updated_at));
    expect((await adminJson("GET", `/admin/clients/${id}`)).body.client).toEqual(body.client);
  });

  it("a sandbox client gets a sk_test_ secret", async () => {
    const { id } = await createClient({ environment: "sandbox" });
    const { status, body } = await regenerate(id, {});
    expect(status).toBe(200);
    expect(body.client_secret).toMatch(/^sk_test_[A-Za-z0-9]+$/);
    expect(await secretEnvironment(body.client_secret)).toBe("sandbox");
  });

  it("with no grace period the old secret stops working at once and the new one works", async () => {
    const { id, secret } = await createClient();
    expect(await dataPlaneOutcome(id, secret)).toBe("ok");
    const { body } = await regenerate(id, { grace_period_seconds: 0 });
    expect(await dataPlaneOutcome(id, secret)).toBe("401 invalid_credentials");
    expect(await dataPlaneOutcome(id, body.client_secret)).toBe("ok");
    // Still refused later: the replaced secret never comes back.
    expect(await dataPlaneOutcome(id, secret)).toBe("401 invalid_credentials");
  });

  it("with a grace period both secrets work until previous_secret_expires_at, then only the new one", async () => {
    const { id, secret } = await createClient();
    const before = Date.now();
    const { status, body } = await regenerate(id, { grace_period_seconds: 2 });
    expect(status).toBe(200);
    expect(body.previous_secret_expires_at).toMatch(ISO_UTC);
    expect(body.client.previous_secret_expires_at).toBe(body.previous_secret_expires_at);
    const expiresAt = ms(body.previous_secret_expires_at);
    expect(expiresAt).toBeGreaterThanOrEqual(before + 2000 - 1000);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + 2000 + 1000);
    expect((await adminJson("GET", `/admin/clients/${id}`)).body.client.previous_secret_expires_at).toBe(
      body.previous_secret_expires_at,
    );

    expect(await dataPlaneOutcome(id, secret)).toBe("ok");
    expect(await dataPlaneOutcome(id, body.client_secret)).toBe("ok");
    // Guard: the "ok" above must have been inside the grace period, or it proved nothing.
    expect(Date.now(), "the machine was too slow to check inside the 2 s grace period").toBeLessThan(expiresAt);
    await sleep(Math.max(0, expiresAt - Date.now()) + 300);
    expect(await dataPlaneOutcome(id, secret)).toBe("401 invalid_credentials");
    expect(await dataPlaneOutcome(id, body.client_secret)).toBe("ok");
  });

  it("the maximum grace period, 604800 s (7 days), is accepted; more is 400", async () => {
    const { id, secret } = await createClient();
    const { status, body } = await regenerate(id, { grace_period_seconds: 604800 });
    expect(status).toBe(200);
    const days = (ms(body.previous_secret_expires_at) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(6.99);
    expect(days).toBeLessThanOrEqual(7.001);
    expect(await dataPlaneOutcome(id, secret)).toBe("ok");
    await expectError(
      await admin("POST", `/admin/clients/${id}/regenerate-secret`, { grace_period_seconds: 604801 }),
      400,
      "invalid_request",
    );
    // The refused call replaced nothing: both secrets still work.
    expect(await dataPlaneOutcome(id, secret)).toBe("ok");
    expect(await dataPlaneOutcome(id, body.client_secret)).toBe("ok");
  });

  it("a second regeneration without grace ends an earlier grace period at once", async () => {
    const { id, secret: s0 } = await createClient();
    const first = await regenerate(id, { grace_period_seconds: 3600 });
    const s1 = first.body.client_secret;
    expect(await dataPlaneOutcome(id, s0)).toBe("ok");
    const second = await regenerate(id, { grace_period_seconds: 0 });
    const s2 = second.body.client_secret;
    expect(second.body.previous_secret_expires_at).toBeNull();
    expect(await dataPlaneOutcome(id, s0)).toBe("401 invalid_credentials");
    expect(await dataPlaneOutcome(id, s1)).toBe("401 invalid_credentials");
    expect(await dataPlaneOutcome(id, s2)).toBe("ok");
  });

  it("a second regeneration with grace keeps only the secret it replaced; the first one's grace ends at once", async () => {
    const { id, secret: s0 } = await createClient();
    const first = await regenerate(id, { grace_period_seconds: 3600 });
    const s1 = first.body.client_secret;
    await sleep(5);
    const second = await regenerate(id, { grace_period_seconds: 600 });
    const s2 = second.body.client_secret;
    expect(ms(second.body.previous_secret_expires_at)).toBeLessThan(ms(first.body.previous_secret_expires_at));
    expect(await dataPlaneOutcome(id, s0)).toBe("401 invalid_credentials");
    expect(await dataPlaneOutcome(id, s1)).toBe("ok");
    expect(await dataPlaneOutcome(id, s2)).toBe("ok");
  });

  it("concurrent regenerations without grace leave exactly one working secret: the last one applied", async () => {
    const { id, secret } = await createClient();
    const results = await Promise.all(Array.from({ length: 8 }, () => regenerate(id, {})));
    for (const r of results) expect(r.status).toBe(200);
    const outcomes = await Promise.all(
      [secret, ...results.map((r) => r.body.client_secret)].map((s) => dataPlaneOutcome(id, s)),
    );
    expect(outcomes.filter((o) => o === "ok")).toHaveLength(1);
    const current = (await adminJson("GET", `/admin/clients/${id}`)).body.client;
    const winner = results.find((r) => r.body.client_secret.slice(-4) === current.secret_last_four)!;
    expect(await dataPlaneOutcome(id, winner.body.client_secret)).toBe("ok");
  });

  it("concurrent regenerations with grace leave exactly two working secrets (the current one and the one it replaced)", async () => {
    const { id, secret } = await createClient();
    const results = await Promise.all(Array.from({ length: 6 }, () => regenerate(id, { grace_period_seconds: 600 })));
    for (const r of results) expect(r.status).toBe(200);
    const outcomes = await Promise.all(
      [secret, ...results.map((r) => r.body.client_secret)].map((s) => dataPlaneOutcome(id, s)),
    );
    expect(outcomes.filter((o) => o === "ok")).toHaveLength(2);
    expect(outcomes[0]).toBe("401 invalid_credentials");
  });

  it("an unknown or malformed client ID is 404 not_found", async () => {
    await expectError(
      await admin("POST", `/admin/clients/${await unknownClientId()}/regenerate-secret`, {}),
      404,
      "not_found",
    );
    await expectError(await admin("POST", `/admin/clients/nope/regenerate-secret`, {}), 404, "not_found");
  });
});

describe("an inactive client", () => {
  it("can be renamed, re-limited, have its secret regenerated and be reactivated", async () => {
    const { id, secret } = await createClient({ name: "Incident" });
    expect((await adminJson("PATCH", `/admin/clients/${id}`, { status: "inactive" })).body.client.status).toBe(
      "inactive",
    );
    expect(await dataPlaneOutcome(id, secret)).toBe("401 client_inactive");

    const renamed = await adminJson("PATCH", `/admin/clients/${id}`, {
      name: "Incident (rotated)",
      rate_limit: 50,
      retention_days: 30,
    });
    expect(renamed.status).toBe(200);
    expect(renamed.body.client).toMatchObject({
      name: "Incident (rotated)",
      rate_limit: 50,
      retention_days: 30,
      status: "inactive",
    });

    const rotated = await regenerate(id, { grace_period_seconds: 0 });
    expect(rotated.status).toBe(200);
    expect(rotated.body.client.status).toBe("inactive");
    const fresh = rotated.body.client_secret;
    // Still inactive: the new secret is known to be right, but the status refuses it.
    expect(await dataPlaneOutcome(id, fresh)).toBe("401 client_inactive");
    expect(await dataPlaneOutcome(id, secret)).toBe("401 invalid_credentials");

    const back = await adminJson("PATCH", `/admin/clients/${id}`, { status: "active" });
    expect(back.status).toBe(200);
    expect(back.body.client.status).toBe("active");
    expect(await dataPlaneOutcome(id, fresh)).toBe("ok");
    expect(await dataPlaneOutcome(id, secret)).toBe("401 invalid_credentials");
  });
});

describe("POST /admin/clients/{client_id}/revoke", () => {
  it("200 {client} with status revoked and revoked_at set; the data plane answers 401 client_revoked at once", async () => {
    const { id, secret, client } = await createClient();
    expect(await dataPlaneOutcome(id, secret)).toBe("ok");
    await sleep(5);
    const res = await admin("POST", `/admin/clients/${id}/revoke`);
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toMatch(/^application\/json/);
    const body = (await res.json()) as any;
    expect(Object.keys(body)).toEqual(["client"]);
    expectClientShape(body.client);
    expect(body.client).toMatchObject({ id, status: "revoked", name: client.name, created_at: client.created_at });
    expect(body.client.revoked_at).toMatch(ISO_UTC);
    expect(ms(body.client.revoked_at)).toBeGreaterThan(ms(client.created_at));
    expect(ms(body.client.updated_at)).toBeGreaterThan(ms(client.updated_at));
    expect(await dataPlaneOutcome(id, secret)).toBe("401 client_revoked");
    expect((await adminJson("GET", `/admin/clients/${id}`)).body.client).toEqual(body.client);
  });

  it("revoking again answers 200 with the client unchanged (same revoked_at and updated_at)", async () => {
    const { id } = await createClient();
    const first = await adminJson("POST", `/admin/clients/${id}/revoke`);
    await sleep(10);
    const second = await adminJson("POST", `/admin/clients/${id}/revoke`);
    expect(second.status).toBe(200);
    expect(second.body.client).toEqual(first.body.client);
    expect(second.body.client.revoked_at).toBe(first.body.client.revoked_at);
    expect(second.body.client.updated_at).toBe(first.body.client.updated_at);
  });

  it("afterwards every PATCH, whatever field, is 409 client_revoked and changes nothing", async () => {
    const { id } = await createClient({ name: "Gone" });
    const revoked = (await adminJson("POST", `/admin/clients/${id}/revoke`)).body.client;
    for (const patch of [
      { name: "Back?" },
      { rate_limit: 5 },
      { retention_days: 30 },
      { status: "active" },
      { status: "inactive" },
      { name: "x", rate_limit: 2, retention_days: 8, status: "active" },
    ]) {
      await expectError(await admin("PATCH", `/admin/clients/${id}`, patch), 409, "client_revoked");
    }
    expect((await adminJson("GET", `/admin/clients/${id}`)).body.client).toEqual(revoked);
  });

  it("afterwards regenerate-secret is 409 client_revoked and no secret is handed out", async () => {
    const { id, secret } = await createClient();
    await admin("POST", `/admin/clients/${id}/revoke`);
    for (const body of [{}, { grace_period_seconds: 60 }, undefined]) {
      const res = await admin("POST", `/admin/clients/${id}/regenerate-secret`, body);
      const err = await expectError(res, 409, "client_revoked");
      expect(JSON.stringify(err)).not.toMatch(/sk_(live|test)_/);
    }
    expect(await dataPlaneOutcome(id, secret)).toBe("401 client_revoked");
  });

  it("a secret in its grace period dies with the revocation", async () => {
    const { id, secret } = await createClient();
    const { body } = await regenerate(id, { grace_period_seconds: 3600 });
    expect(await dataPlaneOutcome(id, secret)).toBe("ok");
    const revoked = (await adminJson("POST", `/admin/clients/${id}/revoke`)).body.client;
    expect(revoked.status).toBe("revoked");
    expect(await dataPlaneOutcome(id, body.client_secret)).toBe("401 client_revoked");
    expect(await dataPlaneOutcome(id, secret)).toMatch(/^401 (client_revoked|invalid_credentials)$/);
  });

  it("an inactive client can be revoked, and a sandbox client too", async () => {
    const inactive = await createClient();
    await admin("PATCH", `/admin/clients/${inactive.id}`, { status: "inactive" });
    const a = await adminJson("POST", `/admin/clients/${inactive.id}/revoke`);
    expect(a.status).toBe(200);
    expect(a.body.client.status).toBe("revoked");
    expect(await dataPlaneOutcome(inactive.id, inactive.secret)).toBe("401 client_revoked");

    const sandbox = await createClient({ environment: "sandbox" });
    const b = await adminJson("POST", `/admin/clients/${sandbox.id}/revoke`);
    expect(b.status).toBe(200);
    expect(b.body.client.status).toBe("revoked");
    expect(await dataPlaneOutcome(sandbox.id, sandbox.secret)).toBe("401 client_revoked");
  });

  it("a revoke racing regenerations and PATCHes wins for good: every call after it is refused", async () => {
    const { id, secret } = await createClient();
    const calls = await Promise.all([
      regenerate(id, { grace_period_seconds: 600 }),
      adminJson("PATCH", `/admin/clients/${id}`, { name: "Racing" }),
      adminJson("POST", `/admin/clients/${id}/revoke`),
      regenerate(id, { grace_period_seconds: 600 }),
      adminJson("PATCH", `/admin/clients/${id}`, { status: "active" }),
    ]);
    for (const c of calls) expect([200, 409], JSON.stringify(c.body)).toContain(c.status);
    const client = (await adminJson("GET", `/admin/clients/${id}`)).body.client;
    expect(client.status).toBe("revoked");
    for (const s of [secret, ...calls.map((c) => c.body.client_secret).filter(Boolean)]) {
      expect(await dataPlaneOutcome(id, s)).toMatch(/^401 (client_revoked|invalid_credentials)$/);
    }
    await expectError(await admin("PATCH", `/admin/clients/${id}`, { name: "After" }), 409, "client_revoked");
  });

  it("revocation does not touch other clients", async () => {
    const keep = await createClient();
    const drop = await createClient();
    await admin("POST", `/admin/clients/${drop.id}/revoke`);
    expect(await dataPlaneOutcome(keep.id, keep.secret)).toBe("ok");
    expect((await adminJson("GET", `/admin/clients/${keep.id}`)).body.client.status).toBe("active");
  });

  it("an unknown or malformed client ID is 404 not_found", async () => {
    await expectError(
      await admin("POST", `/admin/clients/${await unknownClientId("sandbox")}/revoke`),
      404,
      "not_found",
    );
    await expectError(await admin("POST", `/admin/clients/nope/revoke`), 404, "not_found");
  });
});
