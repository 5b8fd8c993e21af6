/**
 * Admin authentication: `Authorization: Bearer <ADMIN_TOKEN>` on every /admin call; anything else
 * is 401 unauthorized and has no effect. Without a configured ADMIN_TOKEN the API never runs open (503).
 */
import { describe, expect, it } from "vitest";
import { ADMIN_TOKEN, adminJson, call, callWithEnv, createClient, expectError } from "../support/helpers";
import { dataPlaneOutcome, unknownClientId } from "../support/admin";

const WRONG_AUTHORIZATION: [string, Record<string, string>][] = [
  ["no Authorization header", {}],
  ["a wrong token", { Authorization: "Bearer not-the-admin-token" }],
  ["the token with a suffix", { Authorization: `Bearer ${ADMIN_TOKEN}x` }],
  ["a prefix of the token", { Authorization: `Bearer ${ADMIN_TOKEN.slice(0, -1)}` }],
  ["the token in other case", { Authorization: `Bearer ${ADMIN_TOKEN.toUpperCase()}` }],
  ["an empty bearer", { Authorization: "Bearer " }],
  ["the bare word Bearer", { Authorization: "Bearer" }],
  ["the Basic scheme", { Authorization: `Basic ${btoa(`admin:${ADMIN_TOKEN}`)}` }],
  ["the token with no scheme", { Authorization: ADMIN_TOKEN }],
  ["the Token scheme", { Authorization: `Token ${ADMIN_TOKEN}` }],
  ["two tokens", { Authorization: `Bearer ${ADMIN_TOKEN} ${ADMIN_TOKEN}` }],
  ["the token in another header", { "X-Admin-Token": ADMIN_TOKEN }],
];

describe("admin authentication", () => {
  it.each(WRONG_AUTHORIZATION)("%s: 401 unauthorized", async (_label, headers) => {
    await expectError(await call("/admin/clients", { headers }), 401, "unauthorized");
  });

  it("every /admin/clients call refuses a missing or wrong token before anything else (even a 404 or a 400)", async () => {
    const { id } = await createClient();
    const routes: [string, string, unknown][] = [
      ["POST", "/admin/clients", { name: "x", environment: "production" }],
      ["GET", "/admin/clients", undefined],
      ["GET", `/admin/clients/${id}`, undefined],
      ["GET", `/admin/clients/${await unknownClientId()}`, undefined],
      ["PATCH", `/admin/clients/${id}`, { name: "x" }],
      ["PATCH", `/admin/clients/${id}`, { bogus: true }],
      ["POST", `/admin/clients/${id}/regenerate-secret`, {}],
      ["POST", `/admin/clients/${id}/revoke`, undefined],
      ["GET", "/admin/no-such-route", undefined],
    ];
    for (const [method, path, body] of routes) {
      for (const headers of [{}, { Authorization: "Bearer wrong" }] as Record<string, string>[]) {
        const res = await call(path, {
          method,
          headers: { ...headers, ...(body === undefined ? {} : { "Content-Type": "application/json" }) },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        await expectError(res, 401, "unauthorized");
      }
    }
  });

  it("a refused call has no effect: nothing created, changed, regenerated or revoked", async () => {
    const { id, secret, client } = await createClient({ name: "Untouched" });
    const before = (await adminJson("GET", "/admin/clients?limit=100")).body.clients.length;
    const bad = { Authorization: "Bearer wrong", "Content-Type": "application/json" };
    await call("/admin/clients", {
      method: "POST",
      headers: bad,
      body: JSON.stringify({ name: "x", environment: "production" }),
    });
    await call(`/admin/clients/${id}`, {
      method: "PATCH",
      headers: bad,
      body: JSON.stringify({ name: "Touched", status: "inactive" }),
    });
    await call(`/admin/clients/${id}/regenerate-secret`, { method: "POST", headers: bad, body: "{}" });
    await call(`/admin/clients/${id}/revoke`, { method: "POST", headers: bad });
    expect((await adminJson("GET", "/admin/clients?limit=100")).body.clients.length).toBe(before);
    expect((await adminJson("GET", `/admin/clients/${id}`)).body.client).toEqual(client);
    expect(await dataPlaneOutcome(id, secret)).toBe("ok");
  });

  it("the right token is accepted", async () => {
    const res = await call("/admin/clients", { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(res.status).toBe(200);
  });

  it("the 401 does not echo the token that was sent", async () => {
    const guess = "Bearer guess-0123456789-secretish";
    const res = await call("/admin/clients", { headers: { Authorization: guess } });
    const text = await res.text();
    expect(res.status).toBe(401);
    expect(text).not.toContain("guess-0123456789-secretish");
    expect(text).not.toContain(ADMIN_TOKEN);
    for (const [, value] of res.headers) expect(value).not.toContain(ADMIN_TOKEN);
  });

  it("a client secret is not an admin token", async () => {
    const { secret } = await createClient();
    await expectError(
      await call("/admin/clients", { headers: { Authorization: `Bearer ${secret}` } }),
      401,
      "unauthorized",
    );
  });
});

describe("without ADMIN_TOKEN configured", () => {
  const fetchWith = (adminToken: string | undefined, path: string, headers: Record<string, string>) =>
    callWithEnv({ ADMIN_TOKEN: adminToken }, path, { headers });

  it.each([
    ["unset", undefined],
    ["empty", ""],
  ])("ADMIN_TOKEN %s: every admin call is 503 service_unavailable, whatever is sent", async (_label, token) => {
    const attempts: Record<string, string>[] = [
      {},
      { Authorization: "Bearer " },
      { Authorization: "Bearer undefined" },
      { Authorization: `Bearer ${ADMIN_TOKEN}` },
    ];
    for (const headers of attempts) {
      await expectError(await fetchWith(token, "/admin/clients", headers), 503, "service_unavailable");
      await expectError(
        await fetchWith(token, `/admin/clients/${await unknownClientId()}`, headers),
        503,
        "service_unavailable",
      );
    }
  });

  it("the health check answers, and says which secret is missing (without showing any)", async () => {
    const res = await fetchWith(undefined, "/healthz", {});
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ status: "misconfigured", missing: ["ADMIN_TOKEN"] });
  });

  it("the same app with the token configured answers 200 (the 503 is the missing token, not the harness)", async () => {
    const res = await fetchWith(ADMIN_TOKEN, "/admin/clients", { Authorization: `Bearer ${ADMIN_TOKEN}` });
    expect(res.status).toBe(200);
  });
});
