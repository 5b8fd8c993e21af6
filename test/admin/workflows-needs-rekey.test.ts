/**
 * `needs_rekey` on the workflow object (contract "Management API"): true when the workflow's token
 * was minted from a secret other than the client's current one, on every answer that carries a
 * workflow (create, list, get, PATCH), until the workflow is re-keyed with the current secret.
 */
import { describe, expect, it } from "vitest";
import {
  adminJson,
  createClient,
  createWorkflow,
  patchWorkflow,
  regenerateSecret,
  revokeClient,
} from "../support/helpers";

async function seen(workflowId: string, clientId: string) {
  const got = await adminJson("GET", `/admin/workflows/${workflowId}`);
  const listed = await adminJson("GET", `/admin/workflows?client_id=${clientId}`);
  expect(got.status).toBe(200);
  expect(listed.status).toBe(200);
  const inList = listed.body.workflows.find((w: any) => w.id === workflowId);
  return { get: got.body.workflow.needs_rekey, list: inList.needs_rekey };
}

describe("workflow needs_rekey", () => {
  it("is false for a new workflow, true after its client's secret is regenerated (grace period or not), false again once re-keyed", async () => {
    const client = await createClient();
    const wf = await createWorkflow(client);
    expect(wf.needs_rekey).toBe(false);
    expect(await seen(wf.id, client.id)).toEqual({ get: false, list: false });

    // With a grace period the old token still works, but it was minted from the previous secret.
    const { secret: second } = await regenerateSecret(client.id, 86_400);
    expect(await seen(wf.id, client.id)).toEqual({ get: true, list: true });

    // A PATCH that does not re-key says so too.
    const renamed = await patchWorkflow(wf.id, { name: "Renamed" });
    expect(renamed.status).toBe(200);
    expect(renamed.body.workflow.needs_rekey).toBe(true);

    const rekeyed = await patchWorkflow(wf.id, { client_secret: second });
    expect(rekeyed.status).toBe(200);
    expect(rekeyed.body.workflow.needs_rekey).toBe(false);
    expect(await seen(wf.id, client.id)).toEqual({ get: false, list: false });

    // Without a grace period, too.
    await regenerateSecret(client.id, 0);
    expect(await seen(wf.id, client.id)).toEqual({ get: true, list: true });
  });

  it("only the regenerated client's workflows need re-keying; a new workflow after a regeneration does not", async () => {
    const a = await createClient({ name: "A" });
    const b = await createClient({ name: "B" });
    const wa = await createWorkflow(a);
    const wb = await createWorkflow(b);
    const { secret } = await regenerateSecret(a.id, 3600);
    const fresh = await createWorkflow({ ...a, secret });
    expect(fresh.needs_rekey).toBe(false);
    expect(await seen(wa.id, a.id)).toEqual({ get: true, list: true });
    expect(await seen(fresh.id, a.id)).toEqual({ get: false, list: false });
    expect(await seen(wb.id, b.id)).toEqual({ get: false, list: false });
  });

  it("a revoked client's workflows keep their flag (they cannot be re-keyed)", async () => {
    const client = await createClient();
    const wf = await createWorkflow(client);
    await regenerateSecret(client.id, 60);
    await revokeClient(client.id);
    expect(await seen(wf.id, client.id)).toEqual({ get: true, list: true });
  });
});
