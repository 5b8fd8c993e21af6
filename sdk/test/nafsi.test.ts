import { afterEach, describe, expect, it } from "vitest";
import { Nafsi, NafsiError } from "../src/index.js";
import { fakeRuntime, json } from "./fakes.js";

const BASE = "http://gateway.test/";

describe("Nafsi.init", () => {
  afterEach(() => {
    delete (globalThis as { document?: unknown }).document;
  });

  it("refuses a client secret where `document` exists, before sending anything", () => {
    (globalThis as { document?: unknown }).document = {};
    const net = fakeRuntime([json(200, {})]);
    let error: unknown;
    try {
      Nafsi.init({ clientId: "nafsi_live_a", clientSecret: "sk_live_b", baseUrl: BASE, fetch: net.fetch });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(NafsiError);
    expect(error).toMatchObject({ code: "secret_in_browser", status: 0 });
    expect(String((error as Error).message)).not.toContain("sk_live_b");
    expect(net.sent).toHaveLength(0);
  });

  it("accepts a workflow ID in a browser", () => {
    (globalThis as { document?: unknown }).document = {};
    expect(() => Nafsi.init({ clientId: "nafsi_live_a", workflowId: "wf_b", baseUrl: BASE })).not.toThrow();
  });

  it("needs exactly one of workflowId and clientSecret", () => {
    expect(() => Nafsi.init({ clientId: "a", baseUrl: BASE })).toThrow(NafsiError);
    expect(() => Nafsi.init({ clientId: "a", workflowId: "w", clientSecret: "s", baseUrl: BASE })).toThrow(
      expect.objectContaining({ code: "invalid_options" }),
    );
    expect(() => Nafsi.init({ clientId: "", workflowId: "w", baseUrl: BASE })).toThrow(NafsiError);
  });
});

describe("request", () => {
  it("sends the workflow credentials and JSON, and resolves with the parsed answer", async () => {
    const net = fakeRuntime([json(200, { authenticated: true, workflow_id: "wf_b" })]);
    const nafsi = Nafsi.init({ clientId: "nafsi_live_a", workflowId: "wf_b", baseUrl: BASE, fetch: net.fetch });
    const answer = await nafsi.request<{ workflow_id: string }>("v1/verify", {
      method: "post",
      body: { document: "passport" },
      headers: { "X-Trace": "t1", "X-Client-ID": "spoofed" },
    });
    expect(answer.workflow_id).toBe("wf_b");
    const [sent] = net.sent;
    expect(sent).toMatchObject({
      url: "http://gateway.test/v1/verify",
      method: "POST",
      body: { document: "passport" },
    });
    expect(sent!.headers).toEqual({
      accept: "application/json",
      "content-type": "application/json",
      "x-client-id": "nafsi_live_a",
      "x-workflow-id": "wf_b",
      "x-trace": "t1",
    });
  });

  it("sends the secret from servers, and neither a body nor an Idempotency-Key on a GET", async () => {
    const net = fakeRuntime([json(200, { ok: 1 })]);
    await Nafsi.init({ clientId: "nafsi_live_a", clientSecret: "sk_live_b", baseUrl: BASE, fetch: net.fetch }).request(
      "/v1/things?x=1",
    );
    expect(net.sent[0]!.url).toBe("http://gateway.test/v1/things?x=1");
    expect(net.sent[0]!.body).toBeUndefined();
    expect(net.sent[0]!.headers).toEqual({
      accept: "application/json",
      "x-client-id": "nafsi_live_a",
      "x-client-secret": "sk_live_b",
    });
  });

  it("keeps rateLimit from the last answer's headers (null before the first, and after one without them)", async () => {
    const net = fakeRuntime([
      json(200, {}, { "X-RateLimit-Limit": "100", "X-RateLimit-Remaining": "87", "X-RateLimit-Reset": "1643723400" }),
      json(401, { error: { code: "invalid_credentials", message: "no" } }),
    ]);
    const nafsi = Nafsi.init({ clientId: "a", workflowId: "w", baseUrl: BASE, fetch: net.fetch });
    expect(nafsi.rateLimit).toBeNull();
    await nafsi.request("/v1/a");
    expect(nafsi.rateLimit).toEqual({ limit: 100, remaining: 87, reset: 1643723400 });
    await nafsi.request("/v1/a").catch(() => undefined);
    expect(nafsi.rateLimit).toBeNull();
  });

  it("turns an answer without the contract's error body into a NafsiError with http_<status>", async () => {
    const net = fakeRuntime([new Response("<html>bad gateway</html>", { status: 502, statusText: "Bad Gateway" })]);
    const nafsi = Nafsi.init({ clientId: "a", workflowId: "w", baseUrl: BASE, fetch: net.fetch });
    await expect(nafsi.request("/v1/a", { method: "POST" })).rejects.toMatchObject({
      status: 502,
      code: "http_502",
      message: "HTTP 502 Bad Gateway",
      requestId: null,
    });
  });

  it("carries invalid_request details", async () => {
    const details = [{ field: "X-Workflow-ID", message: "Send one credential" }];
    const net = fakeRuntime([json(400, { error: { code: "invalid_request", message: "Bad", details } })]);
    const nafsi = Nafsi.init({ clientId: "a", workflowId: "w", baseUrl: BASE, fetch: net.fetch });
    await expect(nafsi.request("/v1/a")).rejects.toMatchObject({ code: "invalid_request", details });
  });

  it("resolves null for an empty 2xx and text for a non-JSON one", async () => {
    const net = fakeRuntime([new Response(null, { status: 204 }), new Response("plain", { status: 200 })]);
    const nafsi = Nafsi.init({ clientId: "a", workflowId: "w", baseUrl: BASE, fetch: net.fetch });
    await expect(nafsi.request("/v1/a", { method: "DELETE" })).resolves.toBeNull();
    await expect(nafsi.request("/v1/a")).resolves.toBe("plain");
  });
});
