// The OpenAPI document the gateway serves at /openapi.json, checked by a real OpenAPI 3.1 validator
// (@readme/openapi-parser: the schema of the specification and its semantic rules: unique
// operation IDs, path parameters that exist, security schemes that are defined, …), and for what
// the contract asks of it: the data plane with both credential schemes, its rate-limit headers,
// and on every operation an example request and answer and only the error codes it can give.
import { compileErrors, validate } from "@readme/openapi-parser";
import { beforeAll, describe, expect, it } from "vitest";
// @ts-expect-error -- plain .mjs build script, no declarations
import { gatewayOpenApi } from "../../sdk/scripts/gateway-openapi.mjs";

interface Response {
  description: string;
  headers?: Record<string, unknown>;
  content?: Record<string, { example?: unknown; examples?: Record<string, unknown> }>;
}
interface Operation {
  security?: Record<string, string[]>[];
  requestBody?: { content: Record<string, { example?: unknown }> };
  responses: Record<string, Response>;
  "x-error-codes"?: string[];
  "x-codeSamples"?: { lang: string; source: string }[];
}
interface Doc {
  paths: Record<string, Record<string, Operation>>;
  components: { securitySchemes: Record<string, { type: string; in?: string; name?: string }> };
}

let doc: Doc;
let operations: [string, Operation][];

beforeAll(async () => {
  doc = (await gatewayOpenApi()) as Doc;
  operations = Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => [`${method.toUpperCase()} ${path}`, op] as [string, Operation]),
  );
}, 60_000);

/** The wire codes an operation's error answers show, from their examples. */
const documentedCodes = (op: Operation) =>
  Object.entries(op.responses)
    .filter(([status]) => Number(status) >= 400)
    .flatMap(([, r]) => Object.keys(r.content?.["application/json"]?.examples ?? {}))
    .sort();

describe("/openapi.json", () => {
  it("is a valid OpenAPI 3.1 document", async () => {
    // The validator dereferences in place: give it a copy.
    const result = await validate(structuredClone(doc) as never);
    expect(result.valid ? "" : compileErrors(result)).toBe("");
  });

  it("describes the data plane: every forwarded method of /v1/{path}, with both credential schemes", () => {
    expect(Object.keys(doc.paths["/v1/{path}"] ?? {}).sort()).toEqual(["delete", "get", "patch", "post", "put"]);
    expect(doc.components.securitySchemes).toMatchObject({
      clientId: { type: "apiKey", in: "header", name: "X-Client-ID" },
      clientSecret: { type: "apiKey", in: "header", name: "X-Client-Secret" },
      workflowId: { type: "apiKey", in: "header", name: "X-Workflow-ID" },
    });
    for (const op of Object.values(doc.paths["/v1/{path}"]!)) {
      expect(op.security).toEqual([
        { clientId: [], clientSecret: [] },
        { clientId: [], workflowId: [] },
      ]);
    }
  });

  it("gives the data plane's answers: the rate-limit headers on 200 and on 429 with Retry-After, and each refusal", () => {
    const post = doc.paths["/v1/{path}"]!.post!;
    const limits = ["X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"];
    expect(Object.keys(post.responses["200"]!.headers ?? {})).toEqual(expect.arrayContaining(limits));
    expect(Object.keys(post.responses["429"]!.headers ?? {})).toEqual(
      expect.arrayContaining([...limits, "Retry-After"]),
    );
    expect(Object.keys(post.responses).sort()).toEqual(["200", "400", "401", "403", "429", "502", "503"]);
    expect(post["x-error-codes"]).toEqual(
      expect.arrayContaining(["rate_limit_exceeded", "origin_not_allowed", "missing_credentials", "workflow_inactive"]),
    );
    expect(post["x-error-codes"]).not.toContain("unauthorized");
    expect(post["x-error-codes"]).not.toContain("not_found");
  });

  it("declares the error codes of every operation, and its error answers show exactly those", () => {
    const undeclared = operations.filter(([, op]) => !Array.isArray(op["x-error-codes"])).map(([key]) => key);
    expect(undeclared, "operations without x-error-codes (declare `errors` on the route)").toEqual([]);
    for (const [key, op] of operations) expect(documentedCodes(op), key).toEqual(op["x-error-codes"]);
  });

  it("lists on each operation only the codes it can give", () => {
    const codes = (key: string) => operations.find(([k]) => k === key)![1]["x-error-codes"];
    expect(codes("GET /admin/clients")).not.toContain("immutable_field");
    expect(codes("GET /admin/clients")).not.toContain("client_revoked");
    expect(codes("GET /admin/clients/{client_id}")).not.toContain("payload_too_large");
    expect(codes("GET /admin/me")).not.toContain("forbidden");
    expect(codes("PATCH /admin/clients/{client_id}")).toEqual(
      expect.arrayContaining(["immutable_field", "plan_limit_exceeded", "client_revoked", "not_found"]),
    );
    expect(codes("POST /admin/clients")).toContain("secret_already_shown");
    expect(codes("POST /admin/clients/{client_id}/revoke")).not.toContain("secret_already_shown");
    for (const [key, op] of operations.filter(([k]) => k.includes(" /admin/"))) {
      expect(op["x-error-codes"], key).toEqual(expect.arrayContaining(["unauthorized", "service_unavailable"]));
    }
  });

  it("shows an example request and a successful answer on every operation of both planes", () => {
    for (const [key, op] of operations) {
      expect(op["x-codeSamples"]?.[0]?.source, key).toMatch(/^curl /);
      const body = op.requestBody?.content["application/json"];
      if (body) expect(body.example, `${key} request body`).toBeDefined();
      const [status, success] = Object.entries(op.responses).find(([s]) => s.startsWith("2"))!;
      // A 204 has no body to show (DELETE of a webhook endpoint).
      if (status === "204") {
        expect(success.content, `${key} 204 content`).toBeUndefined();
        continue;
      }
      const content = success.content ?? {};
      const example = Object.values(content).find((m) => m.example !== undefined);
      expect(example, `${key} ${status} example`).toBeDefined();
    }
  });
});
