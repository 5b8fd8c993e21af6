/** GET /healthz, GET /openapi.json (OpenAPI 3.1 from the route definitions) and GET /docs. */
import { describe, expect, it } from "vitest";
import { call, callWithEnv } from "../support/helpers";
import { CLIENT_FIELDS } from "../support/admin";

const CLIENT_OPERATIONS: [string, string][] = [
  ["/admin/clients", "post"],
  ["/admin/clients", "get"],
  ["/admin/clients/{client_id}", "get"],
  ["/admin/clients/{client_id}", "patch"],
  ["/admin/clients/{client_id}/regenerate-secret", "post"],
  ["/admin/clients/{client_id}/revoke", "post"],
];

describe("GET /healthz", () => {
  it('200 {"status":"ok"} without credentials when the gateway is fully configured', async () => {
    const res = await call("/healthz");
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toMatch(/^application\/json/);
    expect(await res.json()).toEqual({ status: "ok" });
  });

  /** The answer under `overrides`, checked to show none of the values it was given. */
  async function health(overrides: Record<string, unknown>): Promise<{ status: number; body: any }> {
    const res = await callWithEnv(overrides, "/healthz");
    const text = await res.text();
    for (const value of Object.values(overrides)) {
      if (typeof value === "string" && value.length > 2) expect(text).not.toContain(value);
    }
    return { status: res.status, body: JSON.parse(text) };
  }

  const SECRETS = ["ADMIN_TOKEN", "TOKEN_SIGNING_KEY", "CREDENTIAL_TAG_KEY"] as const;

  it.each(SECRETS)("503 misconfigured naming %s when it is unset or empty", async (name) => {
    for (const value of [undefined, ""]) {
      expect(await health({ [name]: value })).toEqual({
        status: 503,
        body: { status: "misconfigured", missing: [name] },
      });
    }
  });

  it.each([
    ["ADMIN_TOKEN", 16],
    ["TOKEN_SIGNING_KEY", 32],
    ["CREDENTIAL_TAG_KEY", 32],
  ] as const)(
    "503 naming %s when it is shorter than %i characters (unusable); that length is fine",
    async (name, min) => {
      expect(await health({ [name]: "k".repeat(min - 1) })).toEqual({
        status: 503,
        body: { status: "misconfigured", missing: [name] },
      });
      expect((await health({ [name]: "k".repeat(min) })).status).toBe(200);
    },
  );

  it.each([
    ["SECRET_MAX_AGE_DAYS", "900"],
    ["SECRET_MAX_AGE_DAYS", "90d"],
    ["LEAKED_SECRET_ACTION", "deactivte"],
    ["UPSTREAM_URL_PRODUCTION", "api.example.com/v1"],
    ["UPSTREAM_URL_SANDBOX", "ftp://sandbox.example.com"],
    ["SECRET_SCANNING_KEYS", "{not a key document"],
  ])("503 naming %s when it is %j", async (name, value) => {
    expect(await health({ [name]: value })).toEqual({
      status: 503,
      body: { status: "misconfigured", missing: [name] },
    });
  });

  it("names every problem at once, secrets first", async () => {
    const { status, body } = await health({
      CREDENTIAL_TAG_KEY: undefined,
      ADMIN_TOKEN: "short",
      LEAKED_SECRET_ACTION: "nothing",
    });
    expect(status).toBe(503);
    expect(body.missing).toEqual(["ADMIN_TOKEN", "CREDENTIAL_TAG_KEY", "LEAKED_SECRET_ACTION"]);
  });

  it("valid variables are fine: an upstream URL, the other action, a max age in range", async () => {
    const res = await health({
      UPSTREAM_URL_PRODUCTION: "https://api.example.com/v1",
      UPSTREAM_URL_SANDBOX: "http://127.0.0.1:9000",
      LEAKED_SECRET_ACTION: "deactivate",
      SECRET_MAX_AGE_DAYS: "365",
    });
    expect(res).toEqual({ status: 200, body: { status: "ok" } });
  });

  it("is described in /openapi.json with both answers", async () => {
    const doc = (await (await call("/openapi.json")).json()) as any;
    const op = doc.paths["/healthz"].get;
    expect(Object.keys(op.responses).sort()).toEqual(["200", "503"]);
    expect(JSON.stringify(op.responses["503"])).toContain("misconfigured");
  });
});

describe("GET /openapi.json", () => {
  it("is an OpenAPI 3.1 document, served without credentials", async () => {
    const res = await call("/openapi.json");
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toMatch(/^application\/json/);
    const doc = (await res.json()) as any;
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    expect(doc.info).toMatchObject({ title: expect.any(String), version: expect.any(String) });
  });

  it("lists every /admin/clients operation, each with the admin bearer scheme", async () => {
    const doc = (await (await call("/openapi.json")).json()) as any;
    for (const [path, method] of CLIENT_OPERATIONS) {
      const op = doc.paths?.[path]?.[method];
      expect(op, `${method.toUpperCase()} ${path}`).toBeDefined();
      expect(op.security, `${method.toUpperCase()} ${path}`).toEqual(
        expect.arrayContaining([expect.objectContaining({ adminBearer: [] })]),
      );
    }
    expect(doc.components.securitySchemes.adminBearer).toMatchObject({ type: "http", scheme: "bearer" });
  });

  it("describes the contract's client object, and the create/patch/regenerate bodies", async () => {
    const doc = (await (await call("/openapi.json")).json()) as any;
    const schemas = doc.components.schemas;
    expect(Object.keys(schemas.Client.properties).sort()).toEqual(CLIENT_FIELDS);
    const resolve = (s: any) => (s?.$ref ? schemas[s.$ref.split("/").pop()] : s);
    const body = (path: string, method: string) =>
      resolve(doc.paths[path][method].requestBody.content["application/json"].schema);
    expect(Object.keys(body("/admin/clients", "post").properties).sort()).toEqual([
      "alert_settings",
      "environment",
      "name",
      "organization_id",
      "rate_limit",
      "region",
      "retention_days",
    ]);
    expect(Object.keys(body("/admin/clients/{client_id}", "patch").properties).sort()).toEqual([
      "alert_settings",
      "name",
      "rate_limit",
      "retention_days",
      "status",
    ]);
    // The settings' ranges are in the document, as the routes validate them.
    const settings = resolve(body("/admin/clients/{client_id}", "patch").properties.alert_settings);
    expect(Object.keys(settings.properties).sort()).toEqual([
      "failed_authentication",
      "high_error_rate",
      "rate_limit_approaching",
      "secret_rotation_due",
      "unusual_usage",
    ]);
    expect(settings.properties.rate_limit_approaching.properties.threshold_percent).toMatchObject({
      minimum: 50,
      maximum: 100,
    });
    expect(settings.properties.unusual_usage.properties.factor).toMatchObject({ minimum: 1.5, maximum: 100 });
    const regen = body("/admin/clients/{client_id}/regenerate-secret", "post").properties.grace_period_seconds;
    expect(regen).toMatchObject({ minimum: 0, maximum: 604800 });
    expect(doc.paths["/admin/clients"].post.responses).toHaveProperty("201");
    const listParams = doc.paths["/admin/clients"].get.parameters.map((p: any) => p.name).sort();
    expect(listParams).toEqual(["cursor", "environment", "limit", "organization_id", "status"]);
  });
});

describe("GET /docs", () => {
  it("is an HTML page naming every /admin/clients path", async () => {
    const res = await call("/docs");
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toMatch(/^text\/html/);
    const html = await res.text();
    expect(html.toLowerCase()).toContain("<!doctype html>");
    for (const [path] of CLIENT_OPERATIONS) expect(html).toContain(path);
  });
});
