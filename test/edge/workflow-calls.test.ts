/**
 * The data plane authenticated by workflow (X-Client-ID + X-Workflow-ID): admission, the shared
 * rate window, and every refusal (contract "Data plane").
 */
import { describe, expect, it } from "vitest";
import { manualClock } from "../support/clock";
import { changeChar, unknownClientId } from "../support/admin";
import {
  call,
  createClient,
  createWorkflow,
  expectError,
  patchClient,
  patchWorkflow,
  regenerateSecret,
  revokeClient,
  withSecret,
  withWorkflow,
} from "../support/helpers";
import { unknownWorkflowId, workflowOutcome } from "../support/workflows";

describe("admission by workflow", () => {
  it("X-Client-ID + X-Workflow-ID is admitted: the echo names the workflow and the rate-limit headers are set", async () => {
    const client = await createClient({ rate_limit: 50 });
    const wf = await createWorkflow(client);
    const res = await withWorkflow(client.id, wf.id, "/v1/things/42?x=1", { method: "POST", body: "{}" });
    const body = (await res.json()) as any;
    expect(res.status, JSON.stringify(body)).toBe(200);
    expect(body).toEqual({
      authenticated: true,
      client_id: client.id,
      environment: "production",
      workflow_id: wf.id,
      organization_id: "org_default",
      method: "POST",
      path: "/v1/things/42",
    });
    expect(res.headers.get("X-RateLimit-Limit")).toBe("50");
    expect(res.headers.get("X-RateLimit-Remaining")).toBe("49");
    expect(Number(res.headers.get("X-RateLimit-Reset"))).toBeGreaterThanOrEqual(Math.floor(Date.now() / 1000));
  });

  it("a sandbox workflow reports environment sandbox", async () => {
    const client = await createClient({ environment: "sandbox" });
    const wf = await createWorkflow(client);
    const res = await withWorkflow(client.id, wf.id);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ environment: "sandbox", workflow_id: wf.id });
    expect(res.headers.get("X-RateLimit-Limit")).toBe("10");
  });

  it("a secret-authenticated call reports workflow_id null", async () => {
    const client = await createClient();
    const res = await withSecret(client.id, client.secret);
    expect(res.status).toBe(200);
    expect(((await res.json()) as any).workflow_id).toBeNull();
  });

  it("workflow calls share the client's window with secret calls: limit 5 = 3 secret + 2 workflow, the 6th is 429 either way", async () => {
    const client = await createClient({ rate_limit: 5 });
    const wf = await createWorkflow(client);
    const remaining: (string | null)[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await withSecret(client.id, client.secret);
      expect(res.status).toBe(200);
      remaining.push(res.headers.get("X-RateLimit-Remaining"));
    }
    for (let i = 0; i < 2; i++) {
      const res = await withWorkflow(client.id, wf.id);
      expect(res.status).toBe(200);
      remaining.push(res.headers.get("X-RateLimit-Remaining"));
    }
    expect(remaining).toEqual(["4", "3", "2", "1", "0"]);
    for (const res of [await withWorkflow(client.id, wf.id), await withSecret(client.id, client.secret)]) {
      const err = await expectError(res, 429, "rate_limit_exceeded");
      expect(err.message).toBe("Rate limit of 5 requests/minute exceeded");
      expect(Number(res.headers.get("Retry-After"))).toBeGreaterThan(0);
      expect(res.headers.get("X-RateLimit-Limit")).toBe("5");
      expect(res.headers.get("X-RateLimit-Remaining")).toBe("0");
    }
  });

  it("refused workflow calls do not count against the window", async () => {
    const client = await createClient({ rate_limit: 2 });
    const wf = await createWorkflow(client);
    const off = await createWorkflow(client);
    await patchWorkflow(off.id, { status: "inactive" });
    for (let i = 0; i < 4; i++) expect(await workflowOutcome(client.id, off.id)).toBe("401 workflow_inactive");
    expect(await workflowOutcome(client.id, await unknownWorkflowId())).toBe("401 invalid_credentials");
    expect(await workflowOutcome(client.id, wf.id)).toBe("ok");
    expect(await workflowOutcome(client.id, wf.id)).toBe("ok");
    expect(await workflowOutcome(client.id, wf.id)).toBe("429 rate_limit_exceeded");
  });
});

describe("refusals", () => {
  it("a workflow of another client is 401 invalid_credentials", async () => {
    const a = await createClient();
    const b = await createClient();
    const wfA = await createWorkflow(a);
    const err = await expectError(await withWorkflow(b.id, wfA.id), 401, "invalid_credentials");
    expect(err.message).not.toContain(a.id);
    // And it still works for its own client.
    expect(await workflowOutcome(a.id, wfA.id)).toBe("ok");
    // A sandbox client naming a production client's workflow: the same.
    const sandbox = await createClient({ environment: "sandbox" });
    await expectError(await withWorkflow(sandbox.id, wfA.id), 401, "invalid_credentials");
  });

  it("an unknown well-formed workflow ID is 401 invalid_credentials, on the first and the next call", async () => {
    const client = await createClient();
    const id = await unknownWorkflowId();
    await expectError(await withWorkflow(client.id, id), 401, "invalid_credentials");
    await expectError(await withWorkflow(client.id, id), 401, "invalid_credentials");
  });

  it.each([
    ["a mistyped one", (id: string) => changeChar(id, id.length - 8)],
    ["a bad checksum", (id: string) => changeChar(id, id.length - 1)],
    ["no prefix", (id: string) => id.slice(3)],
    ["junk", () => "wf_nope"],
    ["a client ID", (_id: string, clientId: string) => clientId],
  ])("a malformed workflow ID (%s) is 401 invalid_credentials", async (_label, mangle) => {
    const client = await createClient();
    const wf = await createWorkflow(client);
    await expectError(await withWorkflow(client.id, mangle(wf.id, client.id)), 401, "invalid_credentials");
  });

  it("an unknown or malformed client ID with a real workflow is 401 invalid_credentials", async () => {
    const client = await createClient();
    const wf = await createWorkflow(client);
    await expectError(
      await withWorkflow(changeChar(client.id, client.id.length - 8), wf.id),
      401,
      "invalid_credentials",
    );
    await expectError(await withWorkflow(await unknownClientId(), wf.id), 401, "invalid_credentials");
  });

  it("X-Workflow-ID without X-Client-ID is 401 missing_credentials", async () => {
    const client = await createClient();
    const wf = await createWorkflow(client);
    await expectError(await call("/v1/anything", { headers: { "X-Workflow-ID": wf.id } }), 401, "missing_credentials");
  });

  it("both X-Client-Secret and X-Workflow-ID: 400 invalid_request (even when both are right)", async () => {
    const client = await createClient();
    const wf = await createWorkflow(client);
    const res = await call("/v1/anything", {
      headers: { "X-Client-ID": client.id, "X-Client-Secret": client.secret, "X-Workflow-ID": wf.id },
    });
    await expectError(res, 400, "invalid_request");
  });

  it("deactivating a workflow refuses the very next request with workflow_inactive; reactivating admits the next", async () => {
    const client = await createClient();
    const wf = await createWorkflow(client);
    const sibling = await createWorkflow(client);
    expect(await workflowOutcome(client.id, wf.id)).toBe("ok");
    await patchWorkflow(wf.id, { status: "inactive" });
    expect(await workflowOutcome(client.id, wf.id)).toBe("401 workflow_inactive");
    expect(await workflowOutcome(client.id, sibling.id)).toBe("ok");
    await patchWorkflow(wf.id, { status: "active" });
    expect(await workflowOutcome(client.id, wf.id)).toBe("ok");
  });

  it("an unknown workflow ID of an inactive or revoked client gets the same answer on every call, whatever KV remembers", async () => {
    const inactive = await createClient();
    await patchClient(inactive.id, { status: "inactive" });
    const revoked = await createClient();
    await revokeClient(revoked.id);
    for (const client of [inactive, revoked]) {
      const id = await unknownWorkflowId();
      // The first call misses KV (and leaves the absent marker); the next ones find the marker.
      const answers = [
        await workflowOutcome(client.id, id),
        await workflowOutcome(client.id, id),
        await workflowOutcome(client.id, id),
      ];
      expect(answers, client.id).toEqual([answers[0], answers[0], answers[0]]);
      expect(answers[0]).toMatch(/^401 /);
    }
  });

  it("an inactive client's workflow is client_inactive (the client's status is checked first)", async () => {
    const client = await createClient();
    const wf = await createWorkflow(client);
    await patchWorkflow(wf.id, { status: "inactive" });
    await patchClient(client.id, { status: "inactive" });
    expect(await workflowOutcome(client.id, wf.id)).toBe("401 client_inactive");
  });
});

describe("secret regeneration and re-keying", () => {
  it("regenerating without grace invalidates the workflow on the very next request; a re-key brings it back", async () => {
    const client = await createClient();
    const wf = await createWorkflow(client);
    expect(await workflowOutcome(client.id, wf.id)).toBe("ok");
    const { secret } = await regenerateSecret(client.id, 0);
    expect(await workflowOutcome(client.id, wf.id)).toBe("401 workflow_token_invalidated");
    // A workflow created from the new secret works at once.
    const fresh = await createWorkflow({ ...client, secret });
    expect(await workflowOutcome(client.id, fresh.id)).toBe("ok");
    const { status } = await patchWorkflow(wf.id, { client_secret: secret });
    expect(status).toBe(200);
    expect(await workflowOutcome(client.id, wf.id)).toBe("ok");
  });

  it("with a 7-day grace period the workflow works until previous_secret_expires_at, to the millisecond, then workflow_token_invalidated; re-key restores it", async () => {
    const client = await createClient();
    const wf = await createWorkflow(client);
    const clock = await manualClock(client.id);
    const { secret, body } = await regenerateSecret(client.id, 7 * 86_400);
    const expiresAt = Date.parse(body.previous_secret_expires_at);
    expect(expiresAt).toBe(clock.now() + 7 * 86_400_000);
    expect(await workflowOutcome(client.id, wf.id)).toBe("ok");
    clock.set(expiresAt - 1);
    expect(await workflowOutcome(client.id, wf.id)).toBe("ok");
    clock.set(expiresAt);
    expect(await workflowOutcome(client.id, wf.id)).toBe("401 workflow_token_invalidated");
    expect((await patchWorkflow(wf.id, { client_secret: secret })).status).toBe(200);
    expect(await workflowOutcome(client.id, wf.id)).toBe("ok");
  });

  it("a workflow re-keyed during the grace period keeps working after it ends", async () => {
    const client = await createClient();
    const wf = await createWorkflow(client);
    const clock = await manualClock(client.id);
    const { secret, body } = await regenerateSecret(client.id, 86_400);
    clock.advance(3_600_000);
    expect((await patchWorkflow(wf.id, { client_secret: secret })).status).toBe(200);
    clock.set(Date.parse(body.previous_secret_expires_at) + 1);
    expect(await workflowOutcome(client.id, wf.id)).toBe("ok");
  });

  it("a second regeneration ends the earlier grace period at once", async () => {
    const client = await createClient();
    const wf = await createWorkflow(client);
    await regenerateSecret(client.id, 3600);
    expect(await workflowOutcome(client.id, wf.id)).toBe("ok");
    const { secret } = await regenerateSecret(client.id, 3600);
    expect(await workflowOutcome(client.id, wf.id)).toBe("401 workflow_token_invalidated");
    expect((await patchWorkflow(wf.id, { client_secret: secret })).status).toBe(200);
    expect(await workflowOutcome(client.id, wf.id)).toBe("ok");
  });
});
