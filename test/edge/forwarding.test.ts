/**
 * Forwarding to a real HTTP upstream: the test upstream worker (test/fixtures/upstream-worker.js)
 * receives the main worker's outbound fetches (miniflare `outboundService`) and answers with what
 * arrived. The app is called with the upstream URLs set in its env; with none set, the built-in
 * echo answers.
 */
import { describe, expect, it } from "vitest";
import {
  type CreatedClient,
  adminJson,
  call,
  callWithEnv,
  createClient,
  createWorkflow,
  expectError,
  limitHeaders,
  withSecret,
} from "../support/helpers";

const UPSTREAMS = {
  UPSTREAM_URL_PRODUCTION: "http://upstream.test/base",
  UPSTREAM_URL_SANDBOX: "http://sandbox-upstream.test/sb/",
};

interface Arrived {
  host: string;
  method: string;
  path: string;
  search: string;
  headers: [string, string][];
  body_base64: string;
}

function forwarded(
  client: CreatedClient,
  path: string,
  init: RequestInit = {},
  overrides: Record<string, unknown> = UPSTREAMS,
) {
  const headers = new Headers(init.headers);
  headers.set("X-Client-ID", client.id);
  headers.set("X-Client-Secret", client.secret);
  return callWithEnv(overrides, path, { ...init, headers });
}

async function arrived(
  res: Response,
): Promise<Arrived & { header: (name: string) => string | null; body: Uint8Array }> {
  const json = (await res.json()) as Arrived;
  const map = new Map(json.headers.map(([k, v]) => [k.toLowerCase(), v]));
  const body = Uint8Array.from(atob(json.body_base64), (c) => c.charCodeAt(0));
  return { ...json, header: (name) => map.get(name.toLowerCase()) ?? null, body };
}

describe("forwarding to the environment's upstream", () => {
  it("passes method, path, query and body unchanged; strips the secret; adds the X-Nafsi-* headers", async () => {
    const client = await createClient();
    const payload = new Uint8Array(64 * 1024).map((_, i) => (i * 31 + 7) & 0xff);
    const res = await forwarded(client, "/v1/orders/42/items?a=1&b=two%20words&a=3&empty=", {
      method: "POST",
      body: payload,
      headers: {
        "Content-Type": "application/octet-stream",
        "X-Custom-Header": "kept as is",
        Accept: "application/json",
        // A caller cannot speak for the gateway: these are replaced or removed.
        "X-Nafsi-Client-Id": "nafsi_live_spoofed",
        "X-Nafsi-Environment": "sandbox",
        "X-Nafsi-Workflow-Id": "wf_spoofed",
        "X-Nafsi-Organization-Id": "org_spoofed",
      },
    });
    expect(res.status).toBe(200);
    const up = await arrived(res);
    expect(up.host).toBe("upstream.test");
    expect(up.method).toBe("POST");
    expect(up.path).toBe("/base/v1/orders/42/items");
    expect(up.search).toBe("?a=1&b=two%20words&a=3&empty=");
    expect(up.body).toEqual(payload);
    expect(up.header("Content-Type")).toBe("application/octet-stream");
    expect(up.header("X-Custom-Header")).toBe("kept as is");
    expect(up.header("Accept")).toBe("application/json");

    expect(up.header("X-Client-Secret")).toBeNull();
    expect(JSON.stringify(up)).not.toContain(client.secret);
    expect(up.header("X-Nafsi-Client-Id")).toBe(client.id);
    expect(up.header("X-Nafsi-Environment")).toBe("production");
    expect(up.header("X-Nafsi-Workflow-Id")).toBeNull();
    expect(up.header("X-Nafsi-Organization-Id")).toBe("org_default");
    const requestId = up.header("X-Request-Id");
    expect(requestId).toMatch(/^\S+$/);
    // The same request ID goes back to the caller.
    expect(res.headers.get("X-Request-Id")).toBe(requestId);
  });

  it.each(["GET", "PUT", "PATCH", "DELETE"])("passes %s through", async (method) => {
    const client = await createClient();
    const body = method === "GET" ? undefined : JSON.stringify({ method });
    const res = await forwarded(client, `/v1/things/x?m=${method}`, { method, body });
    expect(res.status).toBe(200);
    const up = await arrived(res);
    expect(up.method).toBe(method);
    expect(up.path).toBe("/base/v1/things/x");
    expect(up.search).toBe(`?m=${method}`);
    expect(new TextDecoder().decode(up.body)).toBe(body ?? "");
  });

  it("passes the upstream's status, headers and body back, with the rate-limit headers added", async () => {
    const client = await createClient({ rate_limit: 50 });
    const res = await forwarded(client, "/v1/teapot?status=418");
    expect(res.status).toBe(418);
    expect(res.headers.get("X-Upstream")).toBe("test-upstream");
    expect(res.headers.get("Set-Cookie")).toBe("upstream_session=abc; Path=/");
    expect(res.headers.get("Cache-Control")).toBe("private, max-age=5");
    expect(res.headers.get("Content-Type")).toBe("application/json");
    expect(limitHeaders(res)).toMatchObject({ limit: 50, remaining: 49 });
    expect(res.headers.get("RateLimit-Policy")).toBe(`"per-client";q=50;w=60`);
    const up = await arrived(res);
    expect(up.path).toBe("/base/v1/teapot");

    // An upstream 5xx is the upstream's answer, passed back as it is (not turned into ours).
    const failing = await forwarded(client, "/v1/broken?status=503");
    expect(failing.status).toBe(503);
    expect(failing.headers.get("X-Upstream")).toBe("test-upstream");
    expect((await arrived(failing)).path).toBe("/base/v1/broken");
  });

  it("passes an upstream redirect back instead of following it", async () => {
    const client = await createClient();
    const res = await forwarded(client, "/v1/moved?status=302&location=https%3A%2F%2Felsewhere.test%2Fnew");
    expect(res.status).toBe(302);
    expect(res.headers.get("Location")).toBe("https://elsewhere.test/new");
    expect(res.headers.get("X-Upstream")).toBe("test-upstream");
  });

  it("sends a sandbox client to the sandbox upstream (trailing slash of the base URL not doubled)", async () => {
    const client = await createClient({ environment: "sandbox" });
    const res = await forwarded(client, "/v1/ping?x=1", { method: "POST", body: "sb" });
    expect(res.status).toBe(200);
    const up = await arrived(res);
    expect(up.host).toBe("sandbox-upstream.test");
    expect(up.path).toBe("/sb/v1/ping");
    expect(up.search).toBe("?x=1");
    expect(up.header("X-Nafsi-Environment")).toBe("sandbox");
    expect(up.header("X-Nafsi-Client-Id")).toBe(client.id);
    expect(limitHeaders(res)).toMatchObject({ limit: 10, remaining: 9 });
  });

  it("adds X-Nafsi-Workflow-Id on workflow calls, and no secret travels", async () => {
    const client = await createClient();
    const workflow = await createWorkflow(client);
    const res = await callWithEnv(UPSTREAMS, "/v1/sdk/call", {
      headers: { "X-Client-ID": client.id, "X-Workflow-ID": workflow.id },
    });
    expect(res.status).toBe(200);
    const up = await arrived(res);
    expect(up.header("X-Nafsi-Workflow-Id")).toBe(workflow.id);
    expect(up.header("X-Nafsi-Client-Id")).toBe(client.id);
    expect(up.header("X-Client-Secret")).toBeNull();
    expect(JSON.stringify(up)).not.toContain(client.secret);
  });

  it("answers 502 upstream_unavailable when the upstream cannot be reached, still counting the admission", async () => {
    const client = await createClient({ rate_limit: 5 });
    const res = await forwarded(
      client,
      "/v1/x",
      {},
      { ...UPSTREAMS, UPSTREAM_URL_PRODUCTION: "http://unreachable.test" },
    );
    const h = limitHeaders(res);
    await expectError(res, 502, "upstream_unavailable");
    // The request was admitted before forwarding: it counted, and its answer says so.
    expect(h).toMatchObject({ limit: 5, remaining: 4 });
    expect(limitHeaders(await withSecret(client.id, client.secret))).toMatchObject({ remaining: 3 });
  });

  it("answers 502 upstream_unavailable when the upstream is slower than UPSTREAM_TIMEOUT_MS", async () => {
    const client = await createClient();
    const env = { ...UPSTREAMS, UPSTREAM_TIMEOUT_MS: "1000" };
    await expectError(await forwarded(client, "/v1/slow?delay_ms=5000", {}, env), 502, "upstream_unavailable");
    // The same upstream answering within the timeout is passed through.
    expect((await forwarded(client, "/v1/slow?delay_ms=0", {}, env)).status).toBe(200);
  });

  it("streams a slow body whole once the upstream has answered in time (the timeout is for the answer, not the body)", async () => {
    const client = await createClient();
    const res = await forwarded(
      client,
      "/v1/stream?trickle_ms=2000",
      {},
      { ...UPSTREAMS, UPSTREAM_TIMEOUT_MS: "1000" },
    );
    expect(res.status).toBe(200);
    expect(res.headers.get("X-Upstream")).toBe("test-upstream");
    expect(await res.text()).toBe("chunk-0\nchunk-1\nchunk-2\nchunk-3\nchunk-4\n");
  });

  it("does not forward a request refused at authentication or by the limiter", async () => {
    const client = await createClient({ rate_limit: 1 });
    const other = await createClient();
    await expectError(await forwarded({ ...client, secret: other.secret }, "/v1/x"), 401, "invalid_credentials");
    expect((await forwarded(client, "/v1/x")).status).toBe(200);
    const limited = await forwarded(client, "/v1/x");
    await expectError(limited, 429, "rate_limit_exceeded");
    expect(limited.headers.get("X-Upstream")).toBeNull();
  });
});

describe("the built-in echo (no upstream configured)", () => {
  it("answers exactly the contract's body for a production client", async () => {
    const client = await createClient();
    const res = await withSecret(client.id, client.secret, "/v1/some/path?ignored=1", { method: "POST", body: "x" });
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toMatch(/^application\/json/);
    expect(await res.json()).toStrictEqual({
      authenticated: true,
      client_id: client.id,
      environment: "production",
      organization_id: "org_default",
      workflow_id: null,
      method: "POST",
      path: "/v1/some/path",
    });
  });

  it("names the client's organization (echo and upstream header), as its object knows it", async () => {
    const team = await adminJson("POST", "/admin/organizations", { name: "Echo team", max_rate_limit: 500 });
    const client = await createClient({ organization_id: team.body.organization.id });
    const echoed = await withSecret(client.id, client.secret, "/v1/org");
    expect(((await echoed.json()) as any).organization_id).toBe(team.body.organization.id);
    const up = await arrived(await forwarded(client, "/v1/org"));
    expect(up.header("X-Nafsi-Organization-Id")).toBe(team.body.organization.id);
  });

  it("names the environment and the workflow", async () => {
    const client = await createClient({ environment: "sandbox" });
    const workflow = await createWorkflow(client);
    const res = await call("/v1/w", {
      method: "DELETE",
      headers: { "X-Client-ID": client.id, "X-Workflow-ID": workflow.id },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toStrictEqual({
      authenticated: true,
      client_id: client.id,
      environment: "sandbox",
      organization_id: "org_default",
      workflow_id: workflow.id,
      method: "DELETE",
      path: "/v1/w",
    });
  });

  it("echoes for an environment without an upstream even when the other one has one", async () => {
    const client = await createClient();
    const res = await forwarded(
      client,
      "/v1/e",
      {},
      { UPSTREAM_URL_PRODUCTION: "", UPSTREAM_URL_SANDBOX: "http://sandbox-upstream.test" },
    );
    expect(res.status).toBe(200);
    expect(res.headers.get("X-Upstream")).toBeNull();
    expect(await res.json()).toMatchObject({
      authenticated: true,
      client_id: client.id,
      environment: "production",
      path: "/v1/e",
    });
  });
});
