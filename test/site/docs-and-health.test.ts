/** GET /healthz, GET /openapi.json (OpenAPI 3.1 from the route definitions) and GET /docs. */
import { describe, expect, it } from "vitest";
import { call } from "../support/helpers";
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
  it('200 {"status":"ok"} without credentials', async () => {
    const res = await call("/healthz");
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toMatch(/^application\/json/);
    expect(await res.json()).toEqual({ status: "ok" });
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
      "environment",
      "name",
      "organization_id",
      "rate_limit",
      "region",
      "retention_days",
    ]);
    expect(Object.keys(body("/admin/clients/{client_id}", "patch").properties).sort()).toEqual([
      "name",
      "rate_limit",
      "retention_days",
      "status",
    ]);
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
