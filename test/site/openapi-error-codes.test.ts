/**
 * The error codes each operation declares in /openapi.json (`x-error-codes`, from its route's
 * `errors` and adminRoute's middleware codes) against what it answers: every operation is called
 * the ways that fail without any set-up (no token, a wrong token, an unknown ID, an unknown query
 * parameter, a bad body, a bad Idempotency-Key, a body over the limit), and each error code it
 * answers must be one it declares. A route whose handler gains a refusal that its `errors` lacks
 * fails here when that refusal is reachable this way; test/node/openapi.test.ts checks the rest of
 * the document.
 */
import { describe, expect, it } from "vitest";
import { ADMIN_TOKEN, call } from "../support/helpers";

interface Operation {
  "x-error-codes"?: string[];
  requestBody?: unknown;
  parameters?: { name: string; in: string }[];
}

const doc = (await (await call("/openapi.json")).json()) as { paths: Record<string, Record<string, Operation>> };
const admin = Object.entries(doc.paths)
  .filter(([path]) => path.startsWith("/admin/"))
  .flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ method, path, op })));

/** The ways a call fails without set-up: each one a request to send. */
function probes(method: string, path: string): { label: string; init: RequestInit; path: string }[] {
  // IDs that look like ours but name nothing, and a query the route cannot know.
  const concrete = path.replace(/\{(\w+)\}/g, (_, name: string) => `${name.replace(/_id$/, "")}_unknown`);
  const auth = { Authorization: `Bearer ${ADMIN_TOKEN}` };
  const json = { ...auth, "Content-Type": "application/json" };
  const verb = method.toUpperCase();
  const withBody = verb === "POST" || verb === "PATCH";
  return [
    { label: "no token", path: concrete, init: { method: verb } },
    { label: "a wrong token", path: concrete, init: { method: verb, headers: { Authorization: "Bearer nope" } } },
    {
      label: "unknown IDs",
      path: concrete,
      init: { method: verb, headers: json, ...(withBody ? { body: "{}" } : {}) },
    },
    {
      label: "an unknown query parameter",
      path: `${concrete}?no_such_parameter=1`,
      init: { method: verb, headers: auth },
    },
    {
      label: "an over-long ID",
      path: path.replace(/\{(\w+)\}/g, "x".repeat(300)),
      init: { method: verb, headers: auth },
    },
    ...(withBody
      ? [
          { label: "malformed JSON", path: concrete, init: { method: verb, headers: json, body: "{" } },
          { label: "an unknown field", path: concrete, init: { method: verb, headers: json, body: '{"nope":1}' } },
          {
            label: "a body over 64 KiB",
            path: concrete,
            init: { method: verb, headers: json, body: JSON.stringify({ name: "x".repeat(70_000) }) },
          },
        ]
      : []),
    ...(verb === "POST"
      ? [
          {
            label: "a bad Idempotency-Key",
            path: concrete,
            init: { method: verb, headers: { ...json, "Idempotency-Key": "" }, body: "{}" },
          },
        ]
      : []),
  ];
}

describe("each admin operation answers only the error codes it declares", () => {
  it("the document lists admin operations to check", () => {
    expect(admin.length).toBeGreaterThan(20);
  });

  it.each(admin.map(({ method, path, op }) => [`${method.toUpperCase()} ${path}`, method, path, op] as const))(
    "%s",
    async (_key, method, path, op) => {
      const declared = op["x-error-codes"] ?? [];
      for (const probe of probes(method, path)) {
        const res = await call(probe.path, probe.init);
        if (res.status < 400) continue;
        const body = (await res.json()) as { error: { code: string } };
        expect(declared, `${probe.label}: ${res.status} ${body.error.code}`).toContain(body.error.code);
      }
    },
  );
});

describe("the data plane answers only the error codes it declares", () => {
  it.each(Object.entries(doc.paths["/v1/{path}"] ?? {}))("%s /v1/{path}", async (method, op) => {
    const declared = op["x-error-codes"] ?? [];
    const clientId = "nafsi_test_" + "A".repeat(30);
    const variants: Record<string, string>[] = [
      {},
      { "X-Client-ID": clientId },
      { "X-Client-ID": clientId, "X-Client-Secret": "sk_test_x" },
      { "X-Client-ID": clientId, "X-Client-Secret": "sk_test_x", "X-Workflow-ID": "wf_x" },
      { "X-Client-ID": "x".repeat(300) },
    ];
    for (const headers of variants) {
      const res = await call("/v1/anything", { method: method.toUpperCase(), headers });
      const body = (await res.json()) as { error: { code: string } };
      expect(res.status, JSON.stringify(headers)).toBeGreaterThanOrEqual(400);
      expect(declared, `${JSON.stringify(headers)}: ${res.status} ${body.error.code}`).toContain(body.error.code);
    }
  });
});
