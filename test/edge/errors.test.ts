/**
 * Every data-plane error of the contract, and odd input that must get a clean 4xx JSON answer
 * (never a 500, never an admission).
 */
import { describe, expect, it } from "vitest";
import { newClientId, newClientSecret } from "../support/credentials";
import { newClientRow } from "../../src/domain/client-rules";
import {
  admin,
  adminJson,
  authority,
  call,
  createClient,
  expectError,
  limitHeaders,
  regenerateSecret,
  sha256HexOf,
  storedWindow,
  withSecret,
} from "../support/helpers";

/** Flips the last character (part of the checksum) to another base62 character. */
const breakChecksum = (value: string) => value.slice(0, -1) + (value.endsWith("A") ? "B" : "A");
/** Changes one character of the random part, keeping the old checksum. */
const breakBody = (value: string, prefixLength: number) =>
  value.slice(0, prefixLength) + (value[prefixLength] === "A" ? "B" : "A") + value.slice(prefixLength + 1);

function send(headers: HeadersInit, path = "/v1/verify", init: RequestInit = {}) {
  return call(path, { ...init, headers });
}

describe("missing_credentials", () => {
  it.each([
    ["no headers at all", {}],
    ["only X-Client-ID", { "X-Client-ID": "nafsi_live_x" }],
    ["only X-Client-Secret", { "X-Client-Secret": "sk_live_x" }],
    ["only X-Workflow-ID", { "X-Workflow-ID": "wf_x" }],
  ])("%s → 401 missing_credentials", async (_label, headers) => {
    await expectError(await send(headers), 401, "missing_credentials");
  });

  it("a real client ID without a secret → 401 missing_credentials; with an empty one → 401", async () => {
    const client = await createClient();
    await expectError(await send({ "X-Client-ID": client.id }), 401, "missing_credentials");
    const empty = await send({ "X-Client-ID": client.id, "X-Client-Secret": "" });
    expect(empty.status).toBe(401);
    expect(["missing_credentials", "invalid_credentials"]).toContain(((await empty.json()) as any).error.code);
  });
});

describe("invalid_credentials", () => {
  it("a client ID with a bad checksum", async () => {
    const client = await createClient();
    await expectError(await withSecret(breakChecksum(client.id), client.secret), 401, "invalid_credentials");
    await expectError(
      await withSecret(breakBody(client.id, "nafsi_live_".length), client.secret),
      401,
      "invalid_credentials",
    );
  });

  it("a secret with a bad checksum", async () => {
    const client = await createClient();
    await expectError(await withSecret(client.id, breakChecksum(client.secret)), 401, "invalid_credentials");
    await expectError(
      await withSecret(client.id, breakBody(client.secret, "sk_live_".length)),
      401,
      "invalid_credentials",
    );
  });

  it("a well-formed secret that is not the client's (another client's, or a fresh one)", async () => {
    const client = await createClient();
    const other = await createClient();
    await expectError(await withSecret(client.id, other.secret), 401, "invalid_credentials");
    await expectError(await withSecret(client.id, await newClientSecret("production")), 401, "invalid_credentials");
  });

  it("a secret of the other environment", async () => {
    const production = await createClient();
    const sandbox = await createClient({ environment: "sandbox" });
    await expectError(await withSecret(production.id, sandbox.secret), 401, "invalid_credentials");
    await expectError(await withSecret(sandbox.id, production.secret), 401, "invalid_credentials");
    // Even a sandbox secret re-prefixed as live (its checksum no longer matches) is refused.
    await expectError(
      await withSecret(production.id, sandbox.secret.replace("sk_test_", "sk_live_")),
      401,
      "invalid_credentials",
    );
  });

  it("an unknown but well-formed client ID, twice (the second from any remembered answer)", async () => {
    for (const env of ["production", "sandbox"] as const) {
      const id = await newClientId(env);
      const secret = await newClientSecret(env);
      await expectError(await withSecret(id, secret), 401, "invalid_credentials");
      await expectError(await withSecret(id, secret), 401, "invalid_credentials");
    }
  });

  it("an ID refused as unknown works as soon as a client with that ID is created (absence is not cached past creation)", async () => {
    const id = await newClientId("production");
    const secret = await newClientSecret("production");
    for (let i = 0; i < 3; i++) await expectError(await withSecret(id, secret), 401, "invalid_credentials");
    // What POST /admin/clients does, with an ID of our choosing: create it through its object.
    const row = newClientRow(
      { id, name: "late", environment: "production", organizationId: "org_default" },
      { hash: await sha256HexOf(secret), lastFour: secret.slice(-4) },
      Date.now(),
    );
    if (!row.ok) throw new Error("newClientRow refused");
    expect((await authority(id).createClient(row.value, { actor: "test", ip: null, requestId: null })).ok).toBe(true);
    expect((await withSecret(id, secret)).status).toBe(200);
  });
});

describe("client status", () => {
  it("an inactive client → 401 client_inactive; a revoked one → 401 client_revoked", async () => {
    const inactive = await createClient();
    expect((await admin("PATCH", `/admin/clients/${inactive.id}`, { status: "inactive" })).status).toBe(200);
    await expectError(await withSecret(inactive.id, inactive.secret), 401, "client_inactive");

    const revoked = await createClient();
    expect((await admin("POST", `/admin/clients/${revoked.id}/revoke`)).status).toBe(200);
    await expectError(await withSecret(revoked.id, revoked.secret), 401, "client_revoked");
  });

  it("a wrong secret on an inactive or revoked client is invalid_credentials (status is told only to holders of the secret)", async () => {
    const client = await createClient();
    const other = await createClient();
    expect((await admin("PATCH", `/admin/clients/${client.id}`, { status: "inactive" })).status).toBe(200);
    await expectError(await withSecret(client.id, other.secret), 401, "invalid_credentials");
    expect((await admin("POST", `/admin/clients/${client.id}/revoke`)).status).toBe(200);
    await expectError(await withSecret(client.id, other.secret), 401, "invalid_credentials");
  });
});

describe("invalid_request", () => {
  it("both X-Client-Secret and X-Workflow-ID → 400 invalid_request with details", async () => {
    const client = await createClient();
    const error = await expectError(
      await send({ "X-Client-ID": client.id, "X-Client-Secret": client.secret, "X-Workflow-ID": "wf_anything" }),
      400,
      "invalid_request",
    );
    expect(Array.isArray(error.details)).toBe(true);
    expect(error.details.length).toBeGreaterThan(0);
    for (const d of error.details) expect(d).toEqual({ field: expect.any(String), message: expect.any(String) });
  });

  it("duplicate headers (Headers.append twice) → 400 invalid_request, never an admission", async () => {
    const client = await createClient({ rate_limit: 5 });
    for (const name of ["X-Client-ID", "X-Client-Secret"]) {
      const headers = new Headers({ "X-Client-ID": client.id, "X-Client-Secret": client.secret });
      headers.append(name, name === "X-Client-ID" ? client.id : client.secret);
      const error = await expectError(await send(headers), 400, "invalid_request");
      expect(error.details).toEqual([{ field: name, message: expect.any(String) }]);
    }
    const mixed = new Headers({ "X-Client-ID": client.id, "X-Client-Secret": client.secret });
    mixed.append("X-Client-Secret", "sk_live_other");
    await expectError(await send(mixed), 400, "invalid_request");
    expect(await storedWindow(client.id)).toHaveLength(0);
  });
});

describe("odd input gets a clean 4xx JSON answer, never a 500", () => {
  const big = "A".repeat(16 * 1024);

  it.each([
    ["a 16 KB secret", () => ({ "X-Client-Secret": "sk_live_" + big })],
    ["a 16 KB client ID", () => ({ "X-Client-ID": "nafsi_live_" + big, "X-Client-Secret": "sk_live_x" })],
    ["a 16 KB workflow ID", () => ({ "X-Workflow-ID": "wf_" + big })],
  ])("%s → 400 invalid_request", async (_label, extra) => {
    const client = await createClient();
    const res = await send({ "X-Client-ID": client.id, "X-Client-Secret": client.secret, ...extra() } as Record<
      string,
      string
    >);
    const error = await expectError(res, 400, "invalid_request");
    expect(JSON.stringify(error)).not.toContain(big);
    expect(await storedWindow(client.id)).toHaveLength(0);
  });

  it("the runtime refuses NUL, CR and LF in header values before they reach the Worker", () => {
    for (const bad of ["sk_live_\u0000abc", "sk_live_abc\r\nX-Injected: 1", "nafsi_live_\nx", "sk_live_\rx"]) {
      expect(() => new Headers({ "X-Client-Secret": bad })).toThrow(TypeError);
    }
  });

  it.each([
    [
      "a non-ASCII client ID",
      (id: string, secret: string) => ({ "X-Client-ID": id.slice(0, -1) + "é", "X-Client-Secret": secret }),
    ],
    [
      "a non-ASCII secret",
      (id: string, secret: string) => ({ "X-Client-ID": id, "X-Client-Secret": secret.slice(0, -1) + "€" }),
    ],
    [
      "a Latin-1 secret",
      (id: string, secret: string) => ({ "X-Client-ID": id, "X-Client-Secret": secret.slice(0, -2) + "\u00ff\u00e9" }),
    ],
    ["an emoji workflow ID", (id: string) => ({ "X-Client-ID": id, "X-Workflow-ID": "wf_😀" })],
    [
      "a tab inside the secret",
      (id: string, secret: string) => ({
        "X-Client-ID": id,
        "X-Client-Secret": secret.slice(0, 10) + "\t" + secret.slice(10),
      }),
    ],
  ])("%s → 401 invalid_credentials", async (_label, headers) => {
    const client = await createClient();
    await expectError(await send(headers(client.id, client.secret)), 401, "invalid_credentials");
  });

  it.each([
    "nafsi_live_' OR '1'='1",
    "nafsi_live_1; DROP TABLE clients;--",
    "' OR 1=1 --",
    'nafsi_live_"); DELETE FROM clients; --',
    "nafsi_live_%27%20OR%201%3D1",
    "nafsi_live_AAAAAAAAAAAAAAAAAAAAAAAAAA'--",
  ])("a SQL-looking client ID %j → 401 invalid_credentials, and nothing happens to the data", async (id) => {
    const client = await createClient();
    await expectError(await send({ "X-Client-ID": id, "X-Client-Secret": client.secret }), 401, "invalid_credentials");
    await expectError(
      await send({ "X-Client-ID": client.id, "X-Client-Secret": id.replace("nafsi_live_", "sk_live_") }),
      401,
      "invalid_credentials",
    );
    const { status, body } = await adminJson("GET", `/admin/clients/${client.id}`);
    expect(status).toBe(200);
    expect(body.client.status).toBe("active");
    expect((await withSecret(client.id, client.secret)).status).toBe(200);
  });

  it("unusual methods and paths under /v1/ are still authenticated first", async () => {
    for (const [method, path] of [
      ["OPTIONS", "/v1/verify"],
      ["PATCH", "/v1/"],
      ["GET", "/v1/../admin/clients"],
      ["GET", "/v1/%00"],
      ["GET", "/v1/" + "a".repeat(4000)],
    ] as const) {
      const res = await call(path, { method, headers: { "X-Client-ID": "nafsi_live_x" } });
      expect(res.status, `${method} ${path}`).toBeGreaterThanOrEqual(200);
      expect(res.status, `${method} ${path}`).toBeLessThan(500);
      expect(res.status, `${method} ${path}`).not.toBe(200);
      if (res.status >= 400) expect(res.headers.get("Content-Type")).toMatch(/^application\/json/);
      await res.body?.cancel();
    }
  });
});

describe("the isolate's memory of wrong secrets never decides differently from the client's object", () => {
  it("a repeated wrong secret keeps answering 401 while the right one keeps working", async () => {
    const client = await createClient({ rate_limit: 100 });
    const other = await createClient();
    for (let i = 0; i < 6; i++) {
      await expectError(await withSecret(client.id, other.secret), 401, "invalid_credentials");
      expect((await withSecret(client.id, client.secret)).status).toBe(200);
    }
    // The wrong secret is wrong for this client only: it still works for its own client.
    expect((await withSecret(other.id, other.secret)).status).toBe(200);
  });

  it("after a regeneration the new secret works, and the old one is refused, however often it was refused before", async () => {
    const client = await createClient();
    const wrong = await newClientSecret("production");
    for (let i = 0; i < 4; i++) await expectError(await withSecret(client.id, wrong), 401, "invalid_credentials");
    const { secret: fresh } = await regenerateSecret(client.id, 0);
    expect((await withSecret(client.id, fresh)).status).toBe(200);
    for (let i = 0; i < 3; i++)
      await expectError(await withSecret(client.id, client.secret), 401, "invalid_credentials");
    for (let i = 0; i < 3; i++) await expectError(await withSecret(client.id, wrong), 401, "invalid_credentials");
    expect((await withSecret(client.id, fresh)).status).toBe(200);
  });

  it("a secret in its grace period is not remembered as wrong while it is still valid", async () => {
    const client = await createClient();
    const { secret: fresh } = await regenerateSecret(client.id, 3600);
    for (let i = 0; i < 3; i++) {
      expect((await withSecret(client.id, client.secret)).status).toBe(200);
      expect((await withSecret(client.id, fresh)).status).toBe(200);
    }
  });

  it("refusals at authentication leave the window untouched", async () => {
    const client = await createClient({ rate_limit: 3 });
    const other = await createClient();
    for (let i = 0; i < 10; i++)
      await expectError(await withSecret(client.id, other.secret), 401, "invalid_credentials");
    const res = await withSecret(client.id, client.secret);
    expect(limitHeaders(res)).toMatchObject({ limit: 3, remaining: 2 });
  });
});
