/**
 * Every text field of every admin body accepts only well-formed Unicode without control characters
 * or bidirectional controls (src/admin/schemas/common.ts `text()`): a lone surrogate, a control
 * character or a bidirectional control (U+202A..U+202E, U+2066..U+2069) is a 400
 * invalid_request naming the field, and nothing is written. The list of fields below is checked
 * against /openapi.json, so a new string field in a request body fails this file until it is here.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { admin, adminJson, call, createClient, createWorkflow, expectError } from "../support/helpers";

const BAD: [string, string][] = [
  ["a lone high surrogate", "\ud800x"],
  ["a lone low surrogate", "x\udc00"],
  ["a reversed surrogate pair", "\ude00\ud83d"],
  ["NUL", "a\u0000b"],
  ["a tab", "a\tb"],
  ["a newline", "a\nforged log line"],
  ["a carriage return", "a\rb"],
  ["ESC (a terminal escape)", "\u001b[31mred"],
  ["DEL", "a\u007f"],
  ["NEL (C1)", "a\u0085b"],
  ["CSI (C1)", "\u009b31m"],
  ...[0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069].map((code): [string, string] => [
    `the bidirectional control U+${code.toString(16).toUpperCase()}`,
    `inv${String.fromCharCode(code)}oice.pdf`,
  ]),
];

interface Fixture {
  client: { id: string; secret: string };
  workflowId: string;
  endpointId: string;
}

interface TextField {
  method: "POST" | "PATCH";
  /** The route as /openapi.json names it. */
  route: string;
  field: string;
  path: (f: Fixture) => string;
  /** A body that would succeed, with `bad` in the field. */
  body: (f: Fixture, bad: string) => Record<string, unknown>;
  /** The field as `details` names it. */
  detail: string;
  /**
   * A client secret offered as proof keeps its control characters for its own check: the contract
   * has a pasted secret with a line break answered 400 invalid_client_secret, saying so.
   */
  secret?: true;
}

const ORIGIN = "https://app.example.com";
const FIELDS: TextField[] = [
  {
    method: "POST",
    route: "/admin/clients",
    field: "name",
    path: () => "/admin/clients",
    body: (_f, bad) => ({ name: `App ${bad}`, environment: "production" }),
    detail: "name",
  },
  {
    method: "PATCH",
    route: "/admin/clients/{client_id}",
    field: "name",
    path: (f) => `/admin/clients/${f.client.id}`,
    body: (_f, bad) => ({ name: `App ${bad}` }),
    detail: "name",
  },
  {
    method: "POST",
    route: "/admin/workflows",
    field: "client_id",
    path: () => "/admin/workflows",
    body: (f, bad) => ({ client_id: f.client.id + bad, client_secret: f.client.secret, name: "Flow" }),
    detail: "client_id",
  },
  {
    method: "POST",
    route: "/admin/workflows",
    field: "client_secret",
    path: () => "/admin/workflows",
    body: (f, bad) => ({ client_id: f.client.id, client_secret: f.client.secret + bad, name: "Flow" }),
    detail: "client_secret",
    secret: true,
  },
  {
    method: "POST",
    route: "/admin/workflows",
    field: "name",
    path: () => "/admin/workflows",
    body: (f, bad) => ({ client_id: f.client.id, client_secret: f.client.secret, name: `Flow ${bad}` }),
    detail: "name",
  },
  {
    method: "POST",
    route: "/admin/workflows",
    field: "allowed_origins",
    path: () => "/admin/workflows",
    body: (f, bad) => ({
      client_id: f.client.id,
      client_secret: f.client.secret,
      name: "Flow",
      allowed_origins: [ORIGIN, `https://app${bad}.example.com`],
    }),
    detail: "allowed_origins.1",
  },
  {
    method: "PATCH",
    route: "/admin/workflows/{workflow_id}",
    field: "name",
    path: (f) => `/admin/workflows/${f.workflowId}`,
    body: (_f, bad) => ({ name: `Flow ${bad}` }),
    detail: "name",
  },
  {
    method: "PATCH",
    route: "/admin/workflows/{workflow_id}",
    field: "allowed_origins",
    path: (f) => `/admin/workflows/${f.workflowId}`,
    body: (_f, bad) => ({ allowed_origins: [`https://app${bad}.example.com`] }),
    detail: "allowed_origins.0",
  },
  {
    method: "PATCH",
    route: "/admin/workflows/{workflow_id}",
    field: "client_secret",
    path: (f) => `/admin/workflows/${f.workflowId}`,
    body: (f, bad) => ({ client_secret: f.client.secret + bad }),
    detail: "client_secret",
    secret: true,
  },
  {
    method: "POST",
    route: "/admin/tokens",
    field: "name",
    path: () => "/admin/tokens",
    body: (_f, bad) => ({ name: `Desk ${bad}`, permissions: ["clients:read"] }),
    detail: "name",
  },
  {
    method: "POST",
    route: "/admin/tokens",
    field: "client_ids",
    path: () => "/admin/tokens",
    body: (f, bad) => ({ name: "Desk", permissions: ["clients:read"], client_ids: [f.client.id + bad] }),
    detail: "client_ids.0",
  },
  {
    method: "POST",
    route: "/admin/tokens",
    field: "organization_id",
    path: () => "/admin/tokens",
    body: (_f, bad) => ({ name: "Desk", permissions: ["clients:read"], organization_id: `org_default${bad}` }),
    detail: "organization_id",
  },
  {
    method: "POST",
    route: "/admin/clients",
    field: "organization_id",
    path: () => "/admin/clients",
    body: (_f, bad) => ({ name: "App", environment: "production", organization_id: `org_default${bad}` }),
    detail: "organization_id",
  },
  {
    method: "POST",
    route: "/admin/organizations",
    field: "name",
    path: () => "/admin/organizations",
    body: (_f, bad) => ({ name: `Team ${bad}` }),
    detail: "name",
  },
  {
    method: "PATCH",
    route: "/admin/organizations/{organization_id}",
    field: "name",
    path: () => "/admin/organizations/org_default",
    body: (_f, bad) => ({ name: `Team ${bad}` }),
    detail: "name",
  },
  {
    method: "POST",
    route: "/admin/webhook-endpoints",
    field: "url",
    path: () => "/admin/webhook-endpoints",
    body: (_f, bad) => ({ url: `https://hooks.example.com/${bad}`, events: ["*"] }),
    detail: "url",
  },
  {
    method: "POST",
    route: "/admin/webhook-endpoints",
    field: "description",
    path: () => "/admin/webhook-endpoints",
    body: (_f, bad) => ({ url: "https://hooks.example.com/", description: `Pager ${bad}`, events: ["*"] }),
    detail: "description",
  },
  {
    method: "POST",
    route: "/admin/webhook-endpoints",
    field: "client_ids",
    path: () => "/admin/webhook-endpoints",
    body: (f, bad) => ({ url: "https://hooks.example.com/", client_ids: [f.client.id + bad], events: ["*"] }),
    detail: "client_ids.0",
  },
  {
    method: "PATCH",
    route: "/admin/webhook-endpoints/{endpoint_id}",
    field: "url",
    path: (f) => `/admin/webhook-endpoints/${f.endpointId}`,
    body: (_f, bad) => ({ url: `https://hooks.example.com/${bad}` }),
    detail: "url",
  },
  {
    method: "PATCH",
    route: "/admin/webhook-endpoints/{endpoint_id}",
    field: "description",
    path: (f) => `/admin/webhook-endpoints/${f.endpointId}`,
    body: (_f, bad) => ({ description: `Pager ${bad}` }),
    detail: "description",
  },
  {
    method: "PATCH",
    route: "/admin/webhook-endpoints/{endpoint_id}",
    field: "client_ids",
    path: (f) => `/admin/webhook-endpoints/${f.endpointId}`,
    body: (f, bad) => ({ client_ids: [f.client.id + bad] }),
    detail: "client_ids.0",
  },
];

/** What a refused call must leave as it was: clients, workflows and the audit log, whole. */
async function snapshot() {
  const pages = await Promise.all(
    ["/admin/clients?limit=100", "/admin/workflows?limit=100", "/admin/audit-log?limit=100"].map(async (path) => {
      const { status, body } = await adminJson("GET", path);
      expect(status).toBe(200);
      return body;
    }),
  );
  return pages;
}

type Schema = { type?: string | string[]; $ref?: string; properties?: Record<string, Schema>; items?: Schema };

/** The string fields (or arrays of strings) of every JSON request body in /openapi.json. */
async function documentedTextFields(): Promise<string[]> {
  const doc = (await (await call("/openapi.json")).json()) as any;
  const resolve = (s: Schema): Schema => (s.$ref ? resolve(doc.components.schemas[s.$ref.split("/").pop()!]) : s);
  // An enum is a closed set of values, not text.
  const isString = (s: Schema & { enum?: unknown }) => [s.type].flat().includes("string") && !s.enum;
  const out: string[] = [];
  for (const [route, ops] of Object.entries<any>(doc.paths)) {
    for (const [method, op] of Object.entries<any>(ops)) {
      const schema = op.requestBody?.content?.["application/json"]?.schema;
      if (!schema) continue;
      for (const [field, prop] of Object.entries(resolve(schema).properties ?? {})) {
        const p = resolve(prop);
        if (isString(p) || (p.items && isString(resolve(p.items))))
          out.push(`${method.toUpperCase()} ${route} ${field}`);
      }
    }
  }
  return out.sort();
}

describe("text fields of admin bodies", () => {
  let fixture: Fixture;
  beforeAll(async () => {
    const client = await createClient({ name: "Owner" });
    const workflow = await createWorkflow(client, { name: "Flow", allowed_origins: [ORIGIN] });
    const endpoint = await adminJson("POST", "/admin/webhook-endpoints", {
      url: "https://hooks.example.com/text-fields",
      events: ["*"],
    });
    fixture = { client, workflowId: workflow.id, endpointId: endpoint.body.endpoint.id };
  });

  it("this file covers every string field of every request body in /openapi.json", async () => {
    const covered = FIELDS.map((f) => `${f.method} ${f.route} ${f.field}`).sort();
    expect(covered).toEqual(await documentedTextFields());
  });

  it.each(FIELDS)(
    "$method $route, $field: each lone surrogate, control character or bidirectional control is a 400 (invalid_request naming the field); nothing written",
    async (f) => {
      const before = await snapshot();
      for (const [label, bad] of BAD) {
        const res = await admin(f.method, f.path(fixture), f.body(fixture, bad));
        const surrogate = /surrogate/.test(label);
        if (f.secret && !surrogate) {
          await expectError(res, 400, "invalid_client_secret");
          continue;
        }
        const err = await expectError(res, 400, "invalid_request");
        const expected = surrogate
          ? /well-formed Unicode/
          : /bidirectional/.test(label)
            ? /bidirectional controls/
            : /control characters/;
        expect(err.details, label).toEqual([{ field: f.detail, message: expect.stringMatching(expected) }]);
      }
      expect(await snapshot()).toEqual(before);
    },
  );

  it("query strings are held to the same rule", async () => {
    for (const query of ["target_id=%00", "target_id=a%0Ab", "cursor=%1B"]) {
      const err = await expectError(await admin("GET", `/admin/audit-log?${query}`), 400, "invalid_request");
      expect(err.details[0].message).toMatch(/control/);
    }
    const err = await expectError(await admin("GET", "/admin/workflows?client_id=%C2%85"), 400, "invalid_request");
    expect(err.details).toEqual([{ field: "client_id", message: expect.stringMatching(/control/) }]);
    const bidi = await expectError(
      await admin("GET", "/admin/audit-log?target_id=a%E2%80%AEb"),
      400,
      "invalid_request",
    );
    expect(bidi.details).toEqual([{ field: "target_id", message: expect.stringMatching(/bidirectional/) }]);
  });
});

describe("astral characters", () => {
  const NAME = "Café 🚀 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 👩🏽‍💻";

  it("are accepted, read back identically, and the audit log stays strict JSON", async () => {
    const created = await createClient({ name: NAME });
    expect(created.client.name).toBe(NAME);
    const workflow = await createWorkflow(created, { name: NAME });
    expect(workflow.name).toBe(NAME);

    expect((await adminJson("GET", `/admin/clients/${created.id}`)).body.client.name).toBe(NAME);
    expect((await adminJson("GET", `/admin/workflows/${workflow.id}`)).body.workflow.name).toBe(NAME);
    const listed = (await adminJson("GET", "/admin/clients?limit=100")).body.clients;
    expect(listed.find((c: any) => c.id === created.id).name).toBe(NAME);

    const renamed = `${NAME} 2`;
    expect((await adminJson("PATCH", `/admin/clients/${created.id}`, { name: renamed })).status).toBe(200);

    const res = await admin("GET", `/admin/audit-log?target_id=${created.id}`);
    expect(res.status).toBe(200);
    // Strict: valid UTF-8 on the wire, no escaped lone surrogate, parseable JSON whose strings are well-formed.
    const text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(await res.arrayBuffer());
    expect(text).not.toMatch(/\\ud[89ab][0-9a-f]{2}(?!\\ud[c-f])/i);
    const body = JSON.parse(text);
    const names = JSON.stringify(body.entries.map((e: any) => e.details));
    expect(names.isWellFormed()).toBe(true);
    expect(names).toContain(NAME);
    expect(names).toContain(renamed);
  });
});
