// The SDK's data-plane client against the real Worker (wrangler dev, started once per run).
import { beforeAll, describe, expect, it } from "vitest";
import { Nafsi, NafsiAdmin, NafsiError } from "../../sdk/src/index.js";
import { gateway } from "./support/shared";

let admin: NafsiAdmin;
let baseUrl: string;

beforeAll(() => {
  baseUrl = gateway().baseUrl;
  admin = new NafsiAdmin({ baseUrl, token: gateway().adminToken });
});

async function newClient(environment: "production" | "sandbox" = "production", allowed_origins?: string[]) {
  const { client, client_secret } = await admin.clients.create({ name: "SDK e2e", environment });
  const { workflow } = await admin.workflows.create({
    client_id: client.id,
    client_secret,
    name: "SDK e2e workflow",
    ...(allowed_origins ? { allowed_origins } : {}),
  });
  return {
    client,
    workflow,
    withSecret: (options = {}) => Nafsi.init({ clientId: client.id, clientSecret: client_secret, baseUrl, ...options }),
    withWorkflow: (options = {}) => Nafsi.init({ clientId: client.id, workflowId: workflow.id, baseUrl, ...options }),
  };
}

async function refusal(promise: Promise<unknown>): Promise<NafsiError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(NafsiError);
  return error as NafsiError;
}

describe("Nafsi against the gateway", () => {
  it("authenticates with a client secret (servers)", async () => {
    const c = await newClient();
    const nafsi = c.withSecret();
    expect(nafsi.rateLimit).toBeNull();
    const answer = await nafsi.request("/v1/verify", { method: "POST", body: { document: "passport" } });
    expect(answer).toEqual({
      authenticated: true,
      client_id: c.client.id,
      environment: "production",
      workflow_id: null,
      organization_id: "org_default",
      method: "POST",
      path: "/v1/verify",
    });
    expect(nafsi.rateLimit).toEqual({ limit: 100, remaining: 99, reset: expect.any(Number) });
  });

  it("authenticates with a workflow ID (frontends)", async () => {
    const c = await newClient();
    const answer = await c.withWorkflow().request<{ workflow_id: string }>("/v1/things?x=1");
    expect(answer.workflow_id).toBe(c.workflow.id);
  });

  it("turns each data-plane error the gateway gives into a NafsiError with its code, status and request ID", async () => {
    const c = await newClient("production", ["https://app.example.com"]);
    const fake = Nafsi.init({ clientId: c.client.id, clientSecret: "sk_live_madeup0000000000000000000000", baseUrl });
    // Thunks: a request started before its turn could reject before anything awaits it.
    const cases: [string, number, () => Promise<unknown>][] = [
      ["invalid_credentials", 401, () => fake.request("/v1/a", { method: "POST" })],
      [
        "invalid_request",
        400,
        () => c.withSecret().request("/v1/a", { method: "POST", headers: { "X-Workflow-ID": c.workflow.id } }),
      ],
      [
        "origin_not_allowed",
        403,
        () => c.withWorkflow().request("/v1/a", { method: "POST", headers: { Origin: "https://evil.example.com" } }),
      ],
    ];
    for (const [code, status, send] of cases) {
      const error = await refusal(send());
      expect({ code: error.code, status: error.status }).toEqual({ code, status });
      expect(error.requestId).toBeTruthy();
      expect(error.message).toBeTruthy();
    }

    await admin.workflows.update(c.workflow.id, { status: "inactive" });
    expect((await refusal(c.withWorkflow().request("/v1/a"))).code).toBe("workflow_inactive");
    await admin.workflows.update(c.workflow.id, { status: "active" });

    await admin.clients.update(c.client.id, { status: "inactive" });
    expect((await refusal(c.withSecret().request("/v1/a"))).code).toBe("client_inactive");
    await admin.clients.update(c.client.id, { status: "active" });

    // A new secret invalidates the workflow minted from the old one (no grace period).
    const rotated = await newClient();
    await admin.clients.regenerateSecret(rotated.client.id);
    const invalidated = await refusal(rotated.withWorkflow().request("/v1/a"));
    expect({ code: invalidated.code, status: invalidated.status }).toEqual({
      code: "workflow_token_invalidated",
      status: 401,
    });

    await admin.clients.revoke(c.client.id);
    const revoked = await refusal(c.withSecret().request("/v1/a"));
    expect({ code: revoked.code, status: revoked.status }).toEqual({ code: "client_revoked", status: 401 });
  });

  it("reports a 429 with retryAfter when told not to retry", async () => {
    const c = await newClient("sandbox");
    const nafsi = c.withSecret({ maxRetries: 0 });
    for (let i = 0; i < 10; i++) await nafsi.request("/v1/a");
    expect(nafsi.rateLimit).toMatchObject({ limit: 10, remaining: 0 });
    const error = await refusal(nafsi.request("/v1/a"));
    expect(error).toMatchObject({ status: 429, code: "rate_limit_exceeded" });
    expect(error.retryAfter).toBeGreaterThan(0);
    expect(error.retryAfter).toBeLessThanOrEqual(60);
    // A Retry-After beyond maxRetryDelayMs throws at once rather than waiting.
    const impatient = await refusal(nafsi.request("/v1/a", { maxRetries: 3, maxRetryDelayMs: 1_000 }));
    expect(impatient.code).toBe("rate_limit_exceeded");
  });

  it(
    "makes a sandbox client's 11th call in a minute wait for Retry-After and succeed",
    { timeout: 150_000 },
    async () => {
      const c = await newClient("sandbox");
      const statuses: number[] = [];
      const recording: typeof fetch = async (input, init) => {
        const res = await fetch(input, init);
        statuses.push(res.status);
        return res;
      };
      const nafsi = c.withWorkflow({ fetch: recording });
      for (let i = 0; i < 10; i++) await nafsi.request("/v1/a", { method: "POST", body: { i } });
      expect(nafsi.rateLimit?.remaining).toBe(0);
      const answer = await nafsi.request<{ authenticated: boolean }>("/v1/a", { method: "POST", body: { i: 11 } });
      expect(answer.authenticated).toBe(true);
      // The 11th call was refused once, waited its Retry-After, and was admitted.
      expect(statuses.slice(10)).toEqual([429, 200]);
      expect(nafsi.rateLimit).toMatchObject({ limit: 10 });
    },
  );
});
