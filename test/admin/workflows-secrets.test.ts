/**
 * Creating and re-keying a workflow take the client's current secret only, and what an inactive
 * or revoked client may still do to its workflows (contract "Management API", "Errors").
 */
import { describe, expect, it } from "vitest";
import { changeChar } from "../support/admin";
import {
  admin,
  adminJson,
  createClient,
  createWorkflow,
  expectError,
  patchClient,
  patchWorkflow,
  regenerateSecret,
  revokeClient,
} from "../support/helpers";
import { d1Token, workflowOutcome } from "../support/workflows";

const create = (clientId: string, secret: string, extra: Record<string, unknown> = {}) =>
  admin("POST", "/admin/workflows", { client_id: clientId, client_secret: secret, name: "W", ...extra });
const rekey = (workflowId: string, secret: string) =>
  admin("PATCH", `/admin/workflows/${workflowId}`, { client_secret: secret });

async function workflowCount(clientId: string): Promise<number> {
  return (await adminJson("GET", `/admin/workflows?client_id=${clientId}`)).body.workflows.length;
}

describe("the client secret on create and re-key", () => {
  it("another client's (well-formed, same environment) secret is 400 invalid_client_secret, exactly 'Invalid client secret'", async () => {
    const client = await createClient();
    const other = await createClient();
    const err = await expectError(await create(client.id, other.secret), 400, "invalid_client_secret");
    expect(err.message).toBe("Invalid client secret");
    const wf = await createWorkflow(client);
    const token = await d1Token(wf.id);
    const again = await expectError(await rekey(wf.id, other.secret), 400, "invalid_client_secret");
    expect(again.message).toBe("Invalid client secret");
    expect(await d1Token(wf.id)).toBe(token);
    expect(await workflowCount(client.id)).toBe(1);
  });

  it("a mistyped secret (checksum fails) or garbage is 400 'Invalid client secret'", async () => {
    const client = await createClient();
    for (const secret of [changeChar(client.secret, client.secret.length - 3), "sk_live_nope", "", "hunter2"]) {
      const err = await expectError(await create(client.id, secret), 400, "invalid_client_secret");
      expect(err.message, secret).toBe("Invalid client secret");
    }
    expect(await workflowCount(client.id)).toBe(0);
  });

  it.each([
    ["a trailing newline", (s: string) => `${s}\n`],
    ["a leading space", (s: string) => ` ${s}`],
    ["a trailing tab", (s: string) => `${s}\t`],
  ])("the right secret with %s: 400 and the message mentions the white space", async (_label, mangle) => {
    const client = await createClient();
    const err = await expectError(await create(client.id, mangle(client.secret)), 400, "invalid_client_secret");
    expect(err.message).toMatch(/^Invalid client secret/);
    expect(err.message).toMatch(/white ?space/i);
    expect(err.message).not.toContain(client.secret);
    const wf = await createWorkflow(client);
    const rk = await expectError(await rekey(wf.id, mangle(client.secret)), 400, "invalid_client_secret");
    expect(rk.message).toMatch(/white ?space/i);
  });

  it("an sk_test_ secret for a production client (and sk_live_ for sandbox): 400 and the message names the other environment", async () => {
    const prod = await createClient({ environment: "production" });
    const sandbox = await createClient({ environment: "sandbox" });
    const toProd = await expectError(await create(prod.id, sandbox.secret), 400, "invalid_client_secret");
    expect(toProd.message).toMatch(/^Invalid client secret/);
    expect(toProd.message).toMatch(/sandbox|sk_test_/i);
    expect(toProd.message).not.toBe("Invalid client secret");
    const toSandbox = await expectError(await create(sandbox.id, prod.secret), 400, "invalid_client_secret");
    expect(toSandbox.message).toMatch(/production|sk_live_/i);
    expect(toSandbox.message).not.toContain(prod.secret);
    const wf = await createWorkflow(prod);
    const rk = await expectError(await rekey(wf.id, sandbox.secret), 400, "invalid_client_secret");
    expect(rk.message).toMatch(/sandbox|sk_test_/i);
  });

  it("a sandbox client's workflow is created with its sk_test_ secret", async () => {
    const sandbox = await createClient({ environment: "sandbox" });
    const wf = await createWorkflow(sandbox);
    expect(wf.client_id).toBe(sandbox.id);
    expect(await workflowOutcome(sandbox.id, wf.id)).toBe("ok");
  });

  it("the previous secret during its grace period: 400 and the message says it was replaced; the new secret works", async () => {
    const client = await createClient();
    const wf = await createWorkflow(client);
    const { secret: fresh } = await regenerateSecret(client.id, 3600);
    const err = await expectError(await create(client.id, client.secret), 400, "invalid_client_secret");
    expect(err.message).toMatch(/^Invalid client secret/);
    expect(err.message).toMatch(/replaced/i);
    const rk = await expectError(await rekey(wf.id, client.secret), 400, "invalid_client_secret");
    expect(rk.message).toMatch(/replaced/i);
    expect((await create(client.id, fresh)).status).toBe(201);
    expect((await rekey(wf.id, fresh)).status).toBe(200);
  });

  it("the previous secret after a regeneration without grace is just 'Invalid client secret'", async () => {
    const client = await createClient();
    await regenerateSecret(client.id, 0);
    const err = await expectError(await create(client.id, client.secret), 400, "invalid_client_secret");
    expect(err.message).toBe("Invalid client secret");
  });
});

describe("an inactive client", () => {
  it("gets no new workflow and no re-key (409 client_inactive), but its workflows can be renamed, toggled and re-scoped", async () => {
    const client = await createClient();
    const wf = await createWorkflow(client);
    await patchClient(client.id, { status: "inactive" });

    await expectError(await create(client.id, client.secret), 409, "client_inactive");
    await expectError(await rekey(wf.id, client.secret), 409, "client_inactive");
    expect(await workflowCount(client.id)).toBe(1);

    const renamed = await patchWorkflow(wf.id, { name: "Renamed" });
    expect(renamed.status).toBe(200);
    expect(renamed.body.workflow.name).toBe("Renamed");
    const toggled = await patchWorkflow(wf.id, { status: "inactive" });
    expect(toggled.status).toBe(200);
    expect(toggled.body.workflow.status).toBe("inactive");
    const rescoped = await patchWorkflow(wf.id, { status: "active", allowed_origins: ["https://app.example.com"] });
    expect(rescoped.status).toBe(200);
    expect(rescoped.body.workflow).toMatchObject({ status: "active", allowed_origins: ["https://app.example.com"] });

    // Its workflows are refused on the data plane with the client's status...
    expect(await workflowOutcome(client.id, wf.id, { Origin: "https://app.example.com" })).toBe("401 client_inactive");
    // ...and work again once it is reactivated.
    await patchClient(client.id, { status: "active" });
    expect(await workflowOutcome(client.id, wf.id, { Origin: "https://app.example.com" })).toBe("ok");
    expect((await create(client.id, client.secret)).status).toBe(201);
  });

  it("a secret regenerated while inactive re-keys the workflow once the client is active again", async () => {
    const client = await createClient();
    const wf = await createWorkflow(client);
    await patchClient(client.id, { status: "inactive" });
    const { secret } = await regenerateSecret(client.id, 0);
    await patchClient(client.id, { status: "active" });
    expect(await workflowOutcome(client.id, wf.id)).toBe("401 workflow_token_invalidated");
    expect((await rekey(wf.id, secret)).status).toBe(200);
    expect(await workflowOutcome(client.id, wf.id)).toBe("ok");
  });
});

describe("a revoked client", () => {
  it("refuses every workflow change with 409 client_revoked", async () => {
    const client = await createClient();
    const wf = await createWorkflow(client, { allowed_origins: ["https://a.example.com"] });
    await revokeClient(client.id);

    await expectError(await create(client.id, client.secret), 409, "client_revoked");
    for (const patch of [
      { name: "x" },
      { status: "active" },
      { status: "inactive" },
      { allowed_origins: [] },
      { client_secret: client.secret },
    ]) {
      await expectError(await admin("PATCH", `/admin/workflows/${wf.id}`, patch), 409, "client_revoked");
    }
    const { body } = await adminJson("GET", `/admin/workflows/${wf.id}`);
    expect(body.workflow).toMatchObject({
      name: wf.name,
      status: "inactive",
      allowed_origins: ["https://a.example.com"],
    });
    expect(await workflowCount(client.id)).toBe(1);
  });

  it("revoking makes all its workflows inactive (GET and list) and they stop on the very next request with client_revoked", async () => {
    const client = await createClient();
    const other = await createClient();
    const wfs = [await createWorkflow(client), await createWorkflow(client), await createWorkflow(client)];
    const bystander = await createWorkflow(other);
    await patchWorkflow(wfs[2]!.id, { status: "inactive" });
    for (const wf of wfs.slice(0, 2)) expect(await workflowOutcome(client.id, wf.id)).toBe("ok");

    await revokeClient(client.id);

    for (const wf of wfs) {
      // Client status is decided before the workflow's (even for the already-inactive one).
      expect(await workflowOutcome(client.id, wf.id)).toBe("401 client_revoked");
      const { body } = await adminJson("GET", `/admin/workflows/${wf.id}`);
      expect(body.workflow.status).toBe("inactive");
    }
    const list = await adminJson("GET", `/admin/workflows?client_id=${client.id}`);
    expect(list.body.workflows.map((w: any) => w.status)).toEqual(["inactive", "inactive", "inactive"]);
    // Another client's workflow is untouched.
    expect(await workflowOutcome(other.id, bystander.id)).toBe("ok");
    expect((await adminJson("GET", `/admin/workflows/${bystander.id}`)).body.workflow.status).toBe("active");
    // Revoking again changes nothing.
    await revokeClient(client.id);
    expect(await workflowOutcome(client.id, wfs[0]!.id)).toBe("401 client_revoked");
  });
});
