/**
 * Browsers: a workflow's allowed_origins, and CORS on /v1/* (contract "Data plane").
 */
import { describe, expect, it } from "vitest";
import { call, createClient, createWorkflow, expectError, patchWorkflow, withWorkflow } from "../support/helpers";
import { workflowOutcome } from "../support/workflows";

const APP = "https://app.example.com";
const OTHER = "https://evil.example.com";
const RATE_HEADERS = ["X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "Retry-After"];

const fromOrigin = (clientId: string, workflowId: string, origin?: string) =>
  withWorkflow(clientId, workflowId, "/v1/anything", { headers: origin === undefined ? {} : { Origin: origin } });

const listOf = (header: string | null) =>
  (header ?? "")
    .split(",")
    .map((h) => h.trim().toLowerCase())
    .filter(Boolean);

function expectExposesRateHeaders(res: Response): void {
  const exposed = listOf(res.headers.get("Access-Control-Expose-Headers"));
  for (const name of RATE_HEADERS) expect(exposed, name).toContain(name.toLowerCase());
}

describe("allowed_origins", () => {
  it("a listed Origin is admitted with Access-Control-Allow-Origin for it and the rate-limit headers exposed", async () => {
    const client = await createClient();
    const wf = await createWorkflow(client, { allowed_origins: [APP, "http://localhost:3000"] });
    for (const origin of [APP, "http://localhost:3000"]) {
      const res = await fromOrigin(client.id, wf.id, origin);
      expect(res.status, await res.clone().text()).toBe(200);
      expect(res.headers.get("Access-Control-Allow-Origin")).toBe(origin);
      expectExposesRateHeaders(res);
      expect(listOf(res.headers.get("Vary"))).toContain("origin");
      expect(await res.json()).toMatchObject({ workflow_id: wf.id });
    }
  });

  it("an unlisted or missing Origin is 403 origin_not_allowed, readable by the page that sent it", async () => {
    const client = await createClient();
    const wf = await createWorkflow(client, { allowed_origins: [APP] });
    for (const origin of [
      OTHER,
      undefined,
      "null",
      `${APP}:443`,
      "http://app.example.com",
      "https://app.example.com.evil.com",
      `${APP}/`,
    ]) {
      const res = await fromOrigin(client.id, wf.id, origin);
      await expectError(res, 403, "origin_not_allowed");
      // The refusal itself is readable (so an SDK reports it instead of retrying a network error).
      expect(res.headers.get("Access-Control-Allow-Origin"), String(origin)).toBe(origin ?? null);
      if (origin !== undefined) expectExposesRateHeaders(res);
    }
  });

  it("refused origins do not count against the rate window", async () => {
    const client = await createClient({ rate_limit: 2 });
    const wf = await createWorkflow(client, { allowed_origins: [APP] });
    for (let i = 0; i < 3; i++) expect((await fromOrigin(client.id, wf.id, OTHER)).status).toBe(403);
    expect((await fromOrigin(client.id, wf.id, APP)).headers.get("X-RateLimit-Remaining")).toBe("1");
  });

  it("changing allowed_origins applies on the very next request", async () => {
    const client = await createClient();
    const wf = await createWorkflow(client, { allowed_origins: [APP] });
    expect((await fromOrigin(client.id, wf.id, APP)).status).toBe(200);
    expect((await fromOrigin(client.id, wf.id, OTHER)).status).toBe(403);

    await patchWorkflow(wf.id, { allowed_origins: [OTHER] });
    expect((await fromOrigin(client.id, wf.id, OTHER)).status).toBe(200);
    await expectError(await fromOrigin(client.id, wf.id, APP), 403, "origin_not_allowed");

    await patchWorkflow(wf.id, { allowed_origins: [] });
    expect((await fromOrigin(client.id, wf.id, APP)).status).toBe(200);
    expect((await fromOrigin(client.id, wf.id, "https://anything.example.org")).status).toBe(200);

    await patchWorkflow(wf.id, { allowed_origins: [APP] });
    expect((await fromOrigin(client.id, wf.id, "https://anything.example.org")).status).toBe(403);
    expect((await fromOrigin(client.id, wf.id)).status).toBe(403);
  });

  it("an empty allowed_origins accepts any Origin (echoed in Access-Control-Allow-Origin) and no Origin at all", async () => {
    const client = await createClient();
    const wf = await createWorkflow(client);
    for (const origin of [APP, OTHER, "http://localhost:8080"]) {
      const res = await fromOrigin(client.id, wf.id, origin);
      expect(res.status).toBe(200);
      expect(res.headers.get("Access-Control-Allow-Origin")).toBe(origin);
      expectExposesRateHeaders(res);
    }
    const server = await fromOrigin(client.id, wf.id);
    expect(server.status).toBe(200);
    expect(server.headers.get("Access-Control-Allow-Origin")).toBeNull();
  });

  it("the origin check does not apply to secret-authenticated calls (backends)", async () => {
    const client = await createClient();
    await createWorkflow(client, { allowed_origins: [APP] });
    const res = await call("/v1/anything", {
      headers: { "X-Client-ID": client.id, "X-Client-Secret": client.secret, Origin: OTHER },
    });
    expect(res.status).toBe(200);
  });

  it("a 429 for an allowed origin carries Access-Control-Allow-Origin, exposes Retry-After, and has the rate-limit headers", async () => {
    const client = await createClient({ rate_limit: 1 });
    const wf = await createWorkflow(client, { allowed_origins: [APP] });
    expect((await fromOrigin(client.id, wf.id, APP)).status).toBe(200);
    const res = await fromOrigin(client.id, wf.id, APP);
    const err = await expectError(res, 429, "rate_limit_exceeded");
    expect(err.retry_after).toBeGreaterThan(0);
    expect(res.headers.get("Access-Control-Allow-Origin")).toBe(APP);
    expectExposesRateHeaders(res);
    expect(Number(res.headers.get("Retry-After"))).toBe(err.retry_after);
    expect(res.headers.get("X-RateLimit-Remaining")).toBe("0");
    // An unlisted origin at the same moment is still refused for its origin (and can read why).
    const refused = await fromOrigin(client.id, wf.id, OTHER);
    await expectError(refused, 403, "origin_not_allowed");
    expect(refused.headers.get("Access-Control-Allow-Origin")).toBe(OTHER);
  });

  it("every error answer to a request with Origin carries Access-Control-Allow-Origin and X-Request-Id exposed", async () => {
    const client = await createClient();
    const wf = await createWorkflow(client, { allowed_origins: [APP] });
    await patchWorkflow(wf.id, { status: "inactive" });
    const res = await fromOrigin(client.id, wf.id, APP);
    await expectError(res, 401, "workflow_inactive");
    expect(res.headers.get("Access-Control-Allow-Origin")).toBe(APP);
    expect(listOf(res.headers.get("Access-Control-Expose-Headers"))).toContain("x-request-id");
    const attempts: Record<string, string>[] = [
      { Origin: APP },
      { Origin: APP, "X-Client-ID": "nafsi_live_nope" },
      { Origin: APP, "X-Client-ID": client.id, "X-Client-Secret": client.secret, "X-Workflow-ID": wf.id },
    ];
    for (const headers of attempts) {
      const refused = await call("/v1/anything", { headers });
      expect(refused.status).toBeGreaterThanOrEqual(400);
      expect(refused.headers.get("Access-Control-Allow-Origin")).toBe(APP);
    }
    expect(await workflowOutcome(client.id, wf.id, { Origin: OTHER })).toBe("401 workflow_inactive");
  });
});

describe("preflight", () => {
  const preflight = (path: string, headers: Record<string, string>) => call(path, { method: "OPTIONS", headers });

  it("OPTIONS /v1/anything with Origin + Access-Control-Request-Method: 204, allowing X-Client-ID, X-Workflow-ID and Content-Type", async () => {
    const res = await preflight("/v1/anything", {
      Origin: APP,
      "Access-Control-Request-Method": "POST",
      "Access-Control-Request-Headers": "x-client-id, x-workflow-id, content-type",
    });
    expect(res.status).toBe(204);
    expect(res.headers.get("Access-Control-Allow-Origin")).toBe(APP);
    const allowed = listOf(res.headers.get("Access-Control-Allow-Headers"));
    for (const name of ["x-client-id", "x-workflow-id", "content-type"]) expect(allowed).toContain(name);
    expect(listOf(res.headers.get("Access-Control-Allow-Methods"))).toEqual(expect.arrayContaining(["get", "post"]));
    expect(await res.text()).toBe("");
  });

  it("is answered without credentials, for nested paths, and never counts against any window", async () => {
    const client = await createClient({ rate_limit: 1 });
    const wf = await createWorkflow(client, { allowed_origins: [APP] });
    for (let i = 0; i < 3; i++) {
      const res = await preflight("/v1/deep/nested/path?x=1", { Origin: APP, "Access-Control-Request-Method": "GET" });
      expect(res.status).toBe(204);
    }
    expect((await fromOrigin(client.id, wf.id, APP)).status).toBe(200);
  });

  it("an OPTIONS without Access-Control-Request-Method is not a preflight: it needs credentials", async () => {
    const res = await call("/v1/anything", { method: "OPTIONS", headers: { Origin: APP } });
    await expectError(res, 401, "missing_credentials");
  });
});
