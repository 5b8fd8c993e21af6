/**
 * /admin/workflows: create, list, get, PATCH (name, status, allowed_origins, re-key), and the
 * validation errors (contract "Management API"). Secret checks and client states are in
 * secrets.test.ts.
 */
import { describe, expect, it } from "vitest";
import { isWorkflowId } from "../support/credentials";
import { unknownClientId } from "../support/admin";
import {
  admin,
  adminJson,
  call,
  createClient,
  createWorkflow,
  expectError,
  patchWorkflow,
  sleep,
} from "../support/helpers";
import {
  currentToken,
  d1Token,
  expectWorkflowShape,
  kvToken,
  plantToken,
  unknownWorkflowId,
  workflowOutcome,
} from "../support/workflows";

const ms = (iso: string) => Date.parse(iso);

describe("POST /admin/workflows", () => {
  it("201 {workflow} with every contract field and no token; the ID is wf_ + base62 with a checksum", async () => {
    const client = await createClient();
    const before = Date.now();
    const res = await admin("POST", "/admin/workflows", {
      client_id: client.id,
      client_secret: client.secret,
      name: "Onboarding KYC",
      allowed_origins: ["https://app.example.com", "http://localhost:3000"],
    });
    const text = await res.text();
    expect(res.status, text).toBe(201);
    expect(res.headers.get("Content-Type")).toMatch(/^application\/json/);
    const body = JSON.parse(text);
    expect(Object.keys(body)).toEqual(["workflow"]);
    const wf = body.workflow;
    expectWorkflowShape(wf);
    expect(wf).toMatchObject({
      client_id: client.id,
      name: "Onboarding KYC",
      status: "active",
      allowed_origins: ["https://app.example.com", "http://localhost:3000"],
      last_used_at: null,
    });
    expect(await isWorkflowId(wf.id)).toBe(true);
    expect(wf.updated_at).toBe(wf.created_at);
    expect(ms(wf.created_at)).toBeGreaterThanOrEqual(before - 1000);
    expect(ms(wf.created_at)).toBeLessThanOrEqual(Date.now() + 1000);
    expect(ms(wf.token_issued_at)).toBeGreaterThanOrEqual(before - 1000);
    expect(ms(wf.token_issued_at)).toBeLessThanOrEqual(Date.now() + 1000);
    // The token is minted with the workflow: its issue time does not precede the creation.
    expect(ms(wf.token_issued_at)).toBeGreaterThanOrEqual(ms(wf.created_at));
  });

  it("allowed_origins defaults to [] and the name is trimmed; the refresh token is stored in D1 and cached in KV", async () => {
    const client = await createClient();
    const wf = await createWorkflow(client, { name: "  Checkout  " });
    expect(wf.allowed_origins).toEqual([]);
    expect(wf.name).toBe("Checkout");
    const { token, claims } = await currentToken(wf.id);
    expect(claims).toMatchObject({ sub: wf.id, cid: client.id });
    expect(await kvToken(wf.id)).toBe(token);
  });

  it("IDs are unique", async () => {
    const client = await createClient();
    const ids = await Promise.all(Array.from({ length: 8 }, () => createWorkflow(client).then((w) => w.id)));
    expect(new Set(ids).size).toBe(8);
  });

  it("unknown fields, missing fields and empty names are 400 invalid_request with details", async () => {
    const client = await createClient();
    const base = { client_id: client.id, client_secret: client.secret, name: "W" };
    let err = await expectError(
      await admin("POST", "/admin/workflows", { ...base, colour: "blue" }),
      400,
      "invalid_request",
    );
    expect(err.details).toEqual(expect.arrayContaining([expect.objectContaining({ field: "colour" })]));
    err = await expectError(
      await admin("POST", "/admin/workflows", { ...base, status: "active" }),
      400,
      "invalid_request",
    );
    expect(err.details).toEqual(expect.arrayContaining([expect.objectContaining({ field: "status" })]));
    err = await expectError(
      await admin("POST", "/admin/workflows", { client_id: client.id, client_secret: client.secret }),
      400,
      "invalid_request",
    );
    expect(err.details).toEqual(expect.arrayContaining([expect.objectContaining({ field: "name" })]));
    await expectError(await admin("POST", "/admin/workflows", { ...base, name: "   " }), 400, "invalid_request");
    await expectError(
      await admin("POST", "/admin/workflows", { ...base, client_secret: undefined }),
      400,
      "invalid_request",
    );
    // Nothing was created by any of these.
    const list = await adminJson("GET", `/admin/workflows?client_id=${client.id}`);
    expect(list.body.workflows).toEqual([]);
  });

  it.each([
    ["a path", "https://app.example.com/login"],
    ["a trailing slash", "https://app.example.com/"],
    ["a non-http scheme", "ftp://app.example.com"],
    ["a browser-extension scheme", "chrome-extension://abcdef"],
    ["a bare host", "app.example.com"],
    ["a query", "https://app.example.com?x=1"],
    ["a wildcard", "https://*.example.com"],
    ["the null origin", "null"],
  ])("allowed_origins with %s is 400 invalid_request (create and PATCH)", async (_label, origin) => {
    const client = await createClient();
    const err = await expectError(
      await admin("POST", "/admin/workflows", {
        client_id: client.id,
        client_secret: client.secret,
        name: "W",
        allowed_origins: [origin],
      }),
      400,
      "invalid_request",
    );
    expect(err.details[0].field).toMatch(/^allowed_origins/);
    const wf = await createWorkflow(client);
    const patch = await patchWorkflow(wf.id, { allowed_origins: ["https://ok.example.com", origin] });
    expect(patch.status).toBe(400);
    expect(patch.body.error.code).toBe("invalid_request");
    expect((await adminJson("GET", `/admin/workflows/${wf.id}`)).body.workflow.allowed_origins).toEqual([]);
  });

  it("origins as browsers send them are accepted: ports, localhost, IP addresses, punycode; duplicates collapse", async () => {
    const client = await createClient();
    const origins = [
      "https://app.example.com:8443",
      "http://localhost:3000",
      "http://127.0.0.1:5173",
      "http://[::1]:8080",
      "https://xn--bcher-kva.example",
    ];
    const wf = await createWorkflow(client, { allowed_origins: [...origins, "http://localhost:3000"] });
    expect(wf.allowed_origins).toEqual(origins);
  });

  it("an unknown (well-formed) or malformed client_id is 404 not_found", async () => {
    const client = await createClient();
    for (const clientId of [await unknownClientId(), client.id.slice(0, -6) + "ZZZZZZ", "nope"]) {
      await expectError(
        await admin("POST", "/admin/workflows", { client_id: clientId, client_secret: client.secret, name: "W" }),
        404,
        "not_found",
      );
    }
  });

  it("requires the admin token", async () => {
    const client = await createClient();
    const res = await call("/admin/workflows", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ client_id: client.id, client_secret: client.secret, name: "W" }),
    });
    await expectError(res, 401, "unauthorized");
    await expectError(await call("/admin/workflows"), 401, "unauthorized");
  });
});

describe("GET /admin/workflows and /admin/workflows/{id}", () => {
  it("lists a client's workflows newest first, with cursor pagination ending in next_cursor null", async () => {
    const client = await createClient();
    const other = await createClient();
    const created: any[] = [];
    for (let i = 0; i < 5; i++) {
      created.push(await createWorkflow(client, { name: `W${i}` }));
      await sleep(3);
    }
    await createWorkflow(other, { name: "not mine" });

    const seen: any[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = `client_id=${client.id}&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
      const { status, body } = await adminJson("GET", `/admin/workflows?${query}`);
      expect(status).toBe(200);
      expect(Object.keys(body).sort()).toEqual(["next_cursor", "workflows"]);
      expect(body.workflows.length).toBeLessThanOrEqual(2);
      body.workflows.forEach(expectWorkflowShape);
      seen.push(...body.workflows);
      cursor = body.next_cursor;
      pages++;
    } while (cursor !== null && pages < 10);
    expect(pages).toBe(3);
    expect(cursor).toBeNull();
    expect(seen.map((w) => w.name)).toEqual(["W4", "W3", "W2", "W1", "W0"]);
    expect(seen.every((w) => w.client_id === client.id)).toBe(true);
    expect(seen).toEqual([...created].reverse());
  });

  it("workflows created at the same moment are each listed exactly once across pages, in (created_at, id) descending order", async () => {
    const client = await createClient();
    const created = await Promise.all(Array.from({ length: 7 }, (_, i) => createWorkflow(client, { name: `P${i}` })));
    const seen: any[] = [];
    let cursor: string | null = null;
    for (let i = 0; i < 10; i++) {
      const query: string = `client_id=${client.id}&limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
      const { body } = await adminJson("GET", `/admin/workflows?${query}`);
      seen.push(...body.workflows);
      cursor = body.next_cursor;
      if (cursor === null) break;
    }
    expect(cursor).toBeNull();
    expect(seen.map((w) => w.id).sort()).toEqual(created.map((w) => w.id).sort());
    const expected = [...seen].sort((a, b) => ms(b.created_at) - ms(a.created_at) || (a.id < b.id ? 1 : -1));
    expect(seen.map((w) => w.id)).toEqual(expected.map((w) => w.id));
  });

  it("a single page ends with next_cursor null; an unknown client lists nothing", async () => {
    const client = await createClient();
    await createWorkflow(client);
    const { body } = await adminJson("GET", `/admin/workflows?client_id=${client.id}`);
    expect(body.workflows).toHaveLength(1);
    expect(body.next_cursor).toBeNull();
    const none = await adminJson("GET", `/admin/workflows?client_id=${(await createClient()).id}`);
    expect(none.body).toEqual({ workflows: [], next_cursor: null });
  });

  it("a limit of exactly the count ends without a cursor; limit > 100, a bad cursor or an unknown query field are 400", async () => {
    const client = await createClient();
    await createWorkflow(client);
    await createWorkflow(client);
    const exact = await adminJson("GET", `/admin/workflows?client_id=${client.id}&limit=2`);
    expect(exact.body.workflows).toHaveLength(2);
    expect(exact.body.next_cursor).toBeNull();
    await expectError(await admin("GET", `/admin/workflows?client_id=${client.id}&limit=101`), 400, "invalid_request");
    await expectError(
      await admin("GET", `/admin/workflows?client_id=${client.id}&cursor=not-a-cursor`),
      400,
      "invalid_request",
    );
    await expectError(await admin("GET", `/admin/workflows?client=${client.id}`), 400, "invalid_request");
  });

  it("GET returns the workflow as created; an unknown or malformed ID is 404 not_found", async () => {
    const client = await createClient();
    const wf = await createWorkflow(client, { allowed_origins: ["https://a.example.com"] });
    const { status, body } = await adminJson("GET", `/admin/workflows/${wf.id}`);
    expect(status).toBe(200);
    expect(body).toEqual({ workflow: wf });
    await expectError(await admin("GET", `/admin/workflows/${await unknownWorkflowId()}`), 404, "not_found");
    await expectError(await admin("GET", "/admin/workflows/wf_nope"), 404, "not_found");
    await expectError(
      await admin("PATCH", `/admin/workflows/${await unknownWorkflowId()}`, { name: "x" }),
      404,
      "not_found",
    );
  });
});

describe("PATCH /admin/workflows/{id}", () => {
  it("changes name, status and allowed_origins; updated_at moves, token_issued_at and the token do not", async () => {
    const client = await createClient();
    const wf = await createWorkflow(client);
    const tokenBefore = await d1Token(wf.id);
    await sleep(5);
    const { status, body } = await patchWorkflow(wf.id, {
      name: "Renamed",
      status: "inactive",
      allowed_origins: ["https://x.example.com"],
    });
    expect(status).toBe(200);
    expectWorkflowShape(body.workflow);
    expect(body.workflow).toMatchObject({
      id: wf.id,
      client_id: client.id,
      name: "Renamed",
      status: "inactive",
      allowed_origins: ["https://x.example.com"],
      token_issued_at: wf.token_issued_at,
      created_at: wf.created_at,
    });
    expect(ms(body.workflow.updated_at)).toBeGreaterThan(ms(wf.updated_at));
    expect(await d1Token(wf.id)).toBe(tokenBefore);
    expect((await adminJson("GET", `/admin/workflows/${wf.id}`)).body.workflow).toEqual(body.workflow);

    const back = await patchWorkflow(wf.id, { status: "active", allowed_origins: [] });
    expect(back.body.workflow).toMatchObject({ name: "Renamed", status: "active", allowed_origins: [] });
  });

  it("an empty PATCH body is accepted and changes nothing but updated_at", async () => {
    const client = await createClient();
    const wf = await createWorkflow(client);
    const { status, body } = await patchWorkflow(wf.id, {});
    expect(status).toBe(200);
    expect(body.workflow).toMatchObject({
      name: wf.name,
      status: wf.status,
      allowed_origins: wf.allowed_origins,
      token_issued_at: wf.token_issued_at,
    });
  });

  it("re-key: client_secret re-mints the token; token_issued_at changes; the old token is refused and the new one works at once", async () => {
    const client = await createClient();
    const wf = await createWorkflow(client);
    const old = await currentToken(wf.id);
    expect(await workflowOutcome(client.id, wf.id)).toBe("ok");

    const { status, body } = await patchWorkflow(wf.id, { client_secret: client.secret });
    expect(status).toBe(200);
    expectWorkflowShape(body.workflow);
    expect(body.workflow.token_issued_at).not.toBe(wf.token_issued_at);
    expect(ms(body.workflow.token_issued_at)).toBeGreaterThan(ms(wf.token_issued_at));
    const fresh = await currentToken(wf.id);
    expect(fresh.token).not.toBe(old.token);
    expect(fresh.claims.jti).not.toBe(old.claims.jti);
    expect(fresh.claims).toMatchObject({ sub: wf.id, cid: client.id, sv: old.claims.sv });
    expect(await kvToken(wf.id)).toBe(fresh.token);

    // The very next request, with the new token: admitted.
    expect(await workflowOutcome(client.id, wf.id)).toBe("ok");

    // The old token, even where both KV and D1 hold it, is no longer accepted.
    await plantToken(wf.id, old.token);
    expect(await workflowOutcome(client.id, wf.id)).toBe("401 invalid_credentials");
    await plantToken(wf.id, fresh.token);
    expect(await workflowOutcome(client.id, wf.id)).toBe("ok");
  });

  it("two re-keys within one second still give two different token_issued_at values", async () => {
    const client = await createClient();
    const wf = await createWorkflow(client);
    const first = await patchWorkflow(wf.id, { client_secret: client.secret });
    const second = await patchWorkflow(wf.id, { client_secret: client.secret });
    expect(
      new Set([wf.token_issued_at, first.body.workflow.token_issued_at, second.body.workflow.token_issued_at]).size,
    ).toBe(3);
  });

  it("`id`, `client_id` (and other read-only fields) are 400 immutable_field naming the field", async () => {
    const client = await createClient();
    const wf = await createWorkflow(client);
    for (const field of ["id", "client_id", "token_issued_at", "created_at"]) {
      const err = await expectError(
        await admin("PATCH", `/admin/workflows/${wf.id}`, { name: "x", [field]: "whatever" }),
        400,
        "immutable_field",
      );
      expect(err.field ?? err.message).toContain(field);
    }
    expect((await adminJson("GET", `/admin/workflows/${wf.id}`)).body.workflow.name).toBe(wf.name);
  });

  it("unknown fields, a bad status (including revoked) or a bad name are 400 invalid_request", async () => {
    const client = await createClient();
    const wf = await createWorkflow(client);
    const err = await expectError(
      await admin("PATCH", `/admin/workflows/${wf.id}`, { nickname: "x" }),
      400,
      "invalid_request",
    );
    expect(err.details).toEqual(expect.arrayContaining([expect.objectContaining({ field: "nickname" })]));
    await expectError(await admin("PATCH", `/admin/workflows/${wf.id}`, { status: "revoked" }), 400, "invalid_request");
    await expectError(await admin("PATCH", `/admin/workflows/${wf.id}`, { status: "paused" }), 400, "invalid_request");
    await expectError(await admin("PATCH", `/admin/workflows/${wf.id}`, { name: "" }), 400, "invalid_request");
    await expectError(
      await admin("PATCH", `/admin/workflows/${wf.id}`, { allowed_origins: "https://a.example.com" }),
      400,
      "invalid_request",
    );
    expect((await adminJson("GET", `/admin/workflows/${wf.id}`)).body.workflow).toEqual(wf);
  });
});
