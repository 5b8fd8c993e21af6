/**
 * Request validation on /admin/clients (contract "Errors"): unknown fields, malformed JSON, wrong
 * content types, oversized bodies and wrong types are clean 4xx JSON errors, never a 500, and a
 * refused request changes nothing.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ADMIN_TOKEN, admin, adminJson, call, createClient, expectError } from "../support/helpers";
import { dataPlaneOutcome } from "../support/admin";

const AUTH = { Authorization: `Bearer ${ADMIN_TOKEN}` };
const VALID = { name: "Valid", environment: "production" };

/** A raw admin request: the body is sent exactly as given. */
const raw = (method: string, path: string, body: BodyInit | null, headers: Record<string, string> = {}) =>
  call(path, { method, headers: { ...AUTH, ...headers }, body });

const clientCount = async () => {
  const { body } = await adminJson("GET", "/admin/clients?limit=100");
  return body.clients.length as number;
};

describe("unknown fields", () => {
  it("create: 400 invalid_request whose details is an array of {field, message} naming each unknown field", async () => {
    const err = await expectError(
      await admin("POST", "/admin/clients", { ...VALID, colour: "blue", owner: "me" }),
      400,
      "invalid_request",
    );
    expect(Array.isArray(err.details)).toBe(true);
    for (const d of err.details) expect(Object.keys(d).sort()).toEqual(["field", "message"]);
    expect(err.details.map((d: any) => d.field).sort()).toEqual(["colour", "owner"]);
  });

  it("create: a misspelt optional field is refused, not ignored", async () => {
    const err = await expectError(
      await admin("POST", "/admin/clients", { ...VALID, ratelimit: 5 }),
      400,
      "invalid_request",
    );
    expect(err.details).toContainEqual({ field: "ratelimit", message: expect.any(String) });
  });

  it("regenerate-secret: an unknown field is refused and the secret stays", async () => {
    const { id, secret } = await createClient();
    const err = await expectError(
      await admin("POST", `/admin/clients/${id}/regenerate-secret`, { grace_seconds: 60 }),
      400,
      "invalid_request",
    );
    expect(err.details).toContainEqual({ field: "grace_seconds", message: expect.any(String) });
    expect(await dataPlaneOutcome(id, secret)).toBe("ok");
  });
});

describe("required fields and types", () => {
  const cases: [string, unknown, string][] = [
    ["missing name", { environment: "production" }, "name"],
    ["missing environment", { name: "x" }, "environment"],
    ["empty name", { name: "", environment: "production" }, "name"],
    ["blank name", { name: "   ", environment: "production" }, "name"],
    ["name too long", { name: "n".repeat(201), environment: "production" }, "name"],
    ["name a number", { name: 42, environment: "production" }, "name"],
    ["name null", { name: null, environment: "production" }, "name"],
    ["unknown environment", { name: "x", environment: "staging" }, "environment"],
    ["environment wrong case", { name: "x", environment: "Production" }, "environment"],
    ["rate_limit a string", { ...VALID, rate_limit: "100" }, "rate_limit"],
    ["rate_limit null", { ...VALID, rate_limit: null }, "rate_limit"],
    ["rate_limit boolean", { ...VALID, rate_limit: true }, "rate_limit"],
    ["retention_days a string", { ...VALID, retention_days: "90" }, "retention_days"],
    ["retention_days an array", { ...VALID, retention_days: [90] }, "retention_days"],
  ];
  it.each(cases)("create, %s: 400 invalid_request naming the field", async (_label, body, field) => {
    const err = await expectError(await admin("POST", "/admin/clients", body), 400, "invalid_request");
    expect(err.details.map((d: any) => d.field)).toContain(field);
    for (const d of err.details) expect(typeof d.message).toBe("string");
  });

  it.each([
    ["an array", []],
    ["null", null],
    ["a string", "hello"],
    ["a number", 7],
  ])("create, a body that is %s: 400 invalid_request", async (_label, body) => {
    await expectError(await admin("POST", "/admin/clients", body), 400, "invalid_request");
  });

  it("PATCH with wrong types: 400 invalid_request naming the field, nothing changes", async () => {
    const { id, client } = await createClient();
    for (const [patch, field] of [
      [{ name: 5 }, "name"],
      [{ name: "" }, "name"],
      [{ rate_limit: "5" }, "rate_limit"],
      [{ rate_limit: 0 }, "rate_limit"],
      [{ rate_limit: 1001 }, "rate_limit"],
      [{ retention_days: 1.5 }, "retention_days"],
      [{ status: "paused" }, "status"],
      [{ status: null }, "status"],
    ] as const) {
      const err = await expectError(await admin("PATCH", `/admin/clients/${id}`, patch), 400, "invalid_request");
      expect(
        err.details.map((d: any) => d.field),
        JSON.stringify(patch),
      ).toContain(field);
    }
    expect((await adminJson("GET", `/admin/clients/${id}`)).body.client).toEqual(client);
  });

  it("regenerate-secret with a grace period that is not an integer in 0..604800: 400, the secret stays", async () => {
    const { id, secret } = await createClient();
    for (const grace_period_seconds of [-1, 604801, 1.5, "60", null, true]) {
      const err = await expectError(
        await admin("POST", `/admin/clients/${id}/regenerate-secret`, { grace_period_seconds }),
        400,
        "invalid_request",
      );
      expect(
        err.details.map((d: any) => d.field),
        String(grace_period_seconds),
      ).toContain("grace_period_seconds");
    }
    expect(await dataPlaneOutcome(id, secret)).toBe("ok");
  });
});

describe("malformed bodies", () => {
  it("malformed JSON: 400 invalid_request, on create, PATCH and regenerate", async () => {
    const { id, secret } = await createClient();
    const json = { "Content-Type": "application/json" };
    for (const text of ['{"name": "x",', "{name: 'x'}", "not json", '{"name":"x"}}']) {
      await expectError(await raw("POST", "/admin/clients", text, json), 400, "invalid_request");
      await expectError(await raw("PATCH", `/admin/clients/${id}`, text, json), 400, "invalid_request");
      await expectError(
        await raw("POST", `/admin/clients/${id}/regenerate-secret`, text, json),
        400,
        "invalid_request",
      );
    }
    expect(await dataPlaneOutcome(id, secret)).toBe("ok");
  });

  it("create with a non-JSON content type is a 4xx JSON error, not a client", async () => {
    const before = await clientCount();
    const body = JSON.stringify(VALID);
    for (const type of ["text/plain", "application/x-www-form-urlencoded", "application/xml"]) {
      const res = await raw("POST", "/admin/clients", body, { "Content-Type": type });
      expect(res.status, type).toBeGreaterThanOrEqual(400);
      expect(res.status, type).toBeLessThan(500);
      expect(res.headers.get("Content-Type")).toMatch(/^application\/json/);
      expect(((await res.json()) as any).error.code).toEqual(expect.any(String));
    }
    const noType = await raw("POST", "/admin/clients", new TextEncoder().encode(body));
    expect(noType.status).toBeGreaterThanOrEqual(400);
    expect(noType.status).toBeLessThan(500);
    expect(await clientCount()).toBe(before);
  });

  it("PATCH with a text/plain body is a 4xx JSON error, not a silent no-op", async () => {
    const { id, client } = await createClient({ name: "Plain" });
    const res = await raw("PATCH", `/admin/clients/${id}`, JSON.stringify({ name: "Changed" }), {
      "Content-Type": "text/plain",
    });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(res.headers.get("Content-Type")).toMatch(/^application\/json/);
    expect((await adminJson("GET", `/admin/clients/${id}`)).body.client).toEqual(client);
  });

  it("regenerate-secret with a text/plain body is a 4xx JSON error, and the secret is not replaced", async () => {
    const { id, secret } = await createClient();
    const res = await raw(
      "POST",
      `/admin/clients/${id}/regenerate-secret`,
      JSON.stringify({ grace_period_seconds: 3600 }),
      {
        "Content-Type": "text/plain",
      },
    );
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(res.headers.get("Content-Type")).toMatch(/^application\/json/);
    expect(await dataPlaneOutcome(id, secret)).toBe("ok");
    expect((await adminJson("GET", `/admin/clients/${id}`)).body.client.secret_rotated_at).toBeNull();
  });

  it("regenerate-secret with no body at all regenerates with no grace period", async () => {
    const { id, secret } = await createClient();
    const res = await call(`/admin/clients/${id}/regenerate-secret`, { method: "POST", headers: AUTH });
    expect(res.status).toBe(200);
    const body = (await res.json()) as any;
    expect(body.previous_secret_expires_at).toBeNull();
    expect(await dataPlaneOutcome(id, secret)).toBe("401 invalid_credentials");
    expect(await dataPlaneOutcome(id, body.client_secret)).toBe("ok");
  });

  it("regenerate-secret with an empty JSON body (curl -X POST -H 'Content-Type: application/json') means {}", async () => {
    const { id } = await createClient();
    const res = await raw("POST", `/admin/clients/${id}/regenerate-secret`, "", { "Content-Type": "application/json" });
    expect(res.status).toBe(200);
    expect(((await res.json()) as any).previous_secret_expires_at).toBeNull();
  });

  const streamed = (body: string, chunkBytes = 16 * 1024) => {
    const bytes = new TextEncoder().encode(body);
    let at = 0;
    return new ReadableStream<Uint8Array>({
      pull(controller) {
        if (at >= bytes.length) return controller.close();
        controller.enqueue(bytes.slice(at, (at += chunkBytes)));
      },
    });
  };
  // White space is valid JSON: without the size limit each of these bodies would create a client.
  const padded = (bytes: number) => {
    const json = JSON.stringify(VALID);
    return " ".repeat(bytes - json.length) + json;
  };

  it("a body over 64 KiB announced by Content-Length is 413 payload_too_large and changes nothing", async () => {
    const before = await clientCount();
    const res = await raw("POST", "/admin/clients", padded(64 * 1024 + 1), { "Content-Type": "application/json" });
    const error = await expectError(res, 413, "payload_too_large");
    expect(error.message).toContain(String(64 * 1024));
    expect(await clientCount()).toBe(before);
  });

  it("a streamed body (no Content-Length) over 64 KiB is 413 payload_too_large too", async () => {
    const before = await clientCount();
    const res = await raw("POST", "/admin/clients", streamed(padded(5 * 16 * 1024 + 100)), {
      "Content-Type": "application/json",
    });
    await expectError(res, 413, "payload_too_large");
    expect(await clientCount()).toBe(before);
  });

  it("a body of exactly 64 KiB is taken, announced or streamed", async () => {
    const exact = padded(64 * 1024);
    expect(new TextEncoder().encode(exact).byteLength).toBe(64 * 1024);
    expect((await raw("POST", "/admin/clients", exact, { "Content-Type": "application/json" })).status).toBe(201);
    const res = await raw("POST", "/admin/clients", streamed(exact, 1000), { "Content-Type": "application/json" });
    expect(res.status).toBe(201);
  });

  it("a PATCH over the limit is 413 too, and the client is unchanged", async () => {
    const { id } = await createClient({ name: "Before" });
    const body = " ".repeat(64 * 1024) + JSON.stringify({ name: "After" });
    await expectError(
      await raw("PATCH", `/admin/clients/${id}`, streamed(body), { "Content-Type": "application/json" }),
      413,
      "payload_too_large",
    );
    expect((await adminJson("GET", `/admin/clients/${id}`)).body.client.name).toBe("Before");
  });

  it("a streamed empty JSON body means {}", async () => {
    const { id } = await createClient();
    const res = await raw("POST", `/admin/clients/${id}/regenerate-secret`, streamed(""), {
      "Content-Type": "application/json",
    });
    expect(res.status).toBe(200);
  });
});

describe("query parameters of the list", () => {
  it.each([
    ["status=deleted", "status"],
    ["environment=staging", "environment"],
    ["limit=0", "limit"],
    ["limit=101", "limit"],
    ["limit=-1", "limit"],
    ["limit=abc", "limit"],
    ["limit=2.5", "limit"],
  ])("GET /admin/clients?%s: 400 invalid_request naming %s", async (query, field) => {
    const err = await expectError(await admin("GET", `/admin/clients?${query}`), 400, "invalid_request");
    expect(err.details.map((d: any) => d.field)).toContain(field);
  });
});

describe("never a 500", () => {
  const json = fc.jsonValue({ maxDepth: 3 });
  const objects = fc.dictionary(
    fc.constantFrom("name", "environment", "rate_limit", "retention_days", "status", "grace_period_seconds", "x", ""),
    json,
    { maxKeys: 4 },
  );
  const bodies = fc.oneof(json, objects);

  it("arbitrary JSON bodies on create, PATCH and regenerate answer a JSON 2xx or 4xx", async () => {
    const { id } = await createClient();
    const allowed: Record<string, number[]> = {
      create: [201, 400],
      patch: [200, 400],
      regenerate: [200, 400],
    };
    await fc.assert(
      fc.asyncProperty(fc.constantFrom("create", "patch", "regenerate"), bodies, async (kind, body) => {
        const res =
          kind === "create"
            ? await admin("POST", "/admin/clients", body)
            : kind === "patch"
              ? await admin("PATCH", `/admin/clients/${id}`, body)
              : await admin("POST", `/admin/clients/${id}/regenerate-secret`, body);
        const text = await res.text();
        expect(allowed[kind], `${kind} ${JSON.stringify(body)} → ${res.status} ${text}`).toContain(res.status);
        expect(res.headers.get("Content-Type")).toMatch(/^application\/json/);
        const parsed = JSON.parse(text);
        if (res.status >= 400)
          expect(parsed.error).toMatchObject({ code: expect.any(String), message: expect.any(String) });
      }),
      { numRuns: 60 },
    );
  });

  it("odd paths and methods under /admin/clients are JSON 4xx", async () => {
    const { id } = await createClient();
    for (const [method, path] of [
      ["DELETE", `/admin/clients/${id}`],
      ["PUT", `/admin/clients/${id}`],
      ["GET", `/admin/clients/${id}/revoke`],
      ["GET", `/admin/clients/${id}/regenerate-secret`],
      ["POST", `/admin/clients/${id}/unknown`],
      ["GET", `/admin/clients/${"x".repeat(500)}`],
      ["GET", "/admin/clients/%E0%A4%A"],
    ] as const) {
      const res = await admin(method, path);
      expect(res.status, `${method} ${path}`).toBeGreaterThanOrEqual(400);
      expect(res.status, `${method} ${path}`).toBeLessThan(500);
      expect(res.headers.get("Content-Type"), `${method} ${path}`).toMatch(/^application\/json/);
      expect(((await res.json()) as any).error.code).toEqual(expect.any(String));
    }
  });
});
