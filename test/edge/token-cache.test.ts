/**
 * KV is a cache in front of D1 (`wf:<workflow_id>` → the JWT, or "-" for absent): whatever it
 * holds, it may save work but never change an answer (contract "Data plane"). KV lag is simulated
 * by writing the stale value back after the management call.
 */
import { forgetHeldTokens } from "../../src/edge/token-memo";
import { describe, expect, it } from "vitest";
import { createClient, createWorkflow, env, patchWorkflow, regenerateSecret, revokeClient } from "../support/helpers";
import {
  TOKEN_KEY,
  currentToken,
  d1Token,
  kvToken,
  putKv,
  unknownWorkflowId,
  workflowOutcome,
} from "../support/workflows";

describe("stale or missing KV entries", () => {
  it("after a re-key, the OLD token still in KV: the very next request succeeds; the edge does not rewrite KV (the re-key did)", async () => {
    const client = await createClient();
    const wf = await createWorkflow(client);
    const old = await currentToken(wf.id);
    expect(await workflowOutcome(client.id, wf.id)).toBe("ok");

    expect((await patchWorkflow(wf.id, { client_secret: client.secret })).status).toBe(200);
    const fresh = await d1Token(wf.id);
    expect(fresh).not.toBe(old.token);
    await putKv(wf.id, old.token); // KV has not caught up yet

    expect(await workflowOutcome(client.id, wf.id)).toBe("ok");
    // A stale read is KV lag, not a miss: only the management path and real misses write KV.
    expect(await kvToken(wf.id)).toBe(old.token);
    expect(await workflowOutcome(client.id, wf.id)).toBe("ok");
  });

  it("after a regeneration and re-key, the old token (of the replaced secret) still in KV: no false 401", async () => {
    const client = await createClient();
    const wf = await createWorkflow(client);
    const old = await currentToken(wf.id);
    const { secret } = await regenerateSecret(client.id, 0);
    expect((await patchWorkflow(wf.id, { client_secret: secret })).status).toBe(200);
    await putKv(wf.id, old.token);
    expect(await workflowOutcome(client.id, wf.id)).toBe("ok");
    expect(await kvToken(wf.id)).toBe(old.token);
  });

  it('a workflow created a moment ago that KV still remembers as absent ("-") succeeds (KV lag: no edge write)', async () => {
    const client = await createClient();
    const wf = await createWorkflow(client);
    await putKv(wf.id, "-");
    expect(await workflowOutcome(client.id, wf.id)).toBe("ok");
    expect(await kvToken(wf.id)).toBe("-");
  });

  it("the absent marker written by a miss before creation does not outlive the creation", async () => {
    const client = await createClient();
    const wf = await createWorkflow(client);
    // A probe for an unknown ID is refused and leaves the absent marker.
    const unknown = await unknownWorkflowId();
    expect(await workflowOutcome(client.id, unknown)).toBe("401 invalid_credentials");
    expect(await kvToken(unknown)).toBe("-");
    expect(await workflowOutcome(client.id, unknown)).toBe("401 invalid_credentials");
    // The real workflow, marked absent too (as if probed just before it was created), still works.
    await putKv(wf.id, "-");
    expect(await workflowOutcome(client.id, wf.id)).toBe("ok");
  });

  it("a deleted KV entry: the token is re-read from D1 and cached again", async () => {
    const client = await createClient();
    const wf = await createWorkflow(client);
    await env.TOKEN_CACHE.delete(TOKEN_KEY(wf.id));
    forgetHeldTokens(); // the edge holds KV values for a few seconds per isolate
    expect(await kvToken(wf.id)).toBeNull();
    expect(await workflowOutcome(client.id, wf.id)).toBe("ok");
    expect(await kvToken(wf.id)).toBe(await d1Token(wf.id));
  });

  it("KV holding another workflow's token, or garbage, is not trusted: D1 decides and KV is repaired", async () => {
    const client = await createClient();
    const wf = await createWorkflow(client);
    const other = await createWorkflow(client);
    for (const poisoned of [(await currentToken(other.id)).token, "garbage", "eyJhbGciOiJub25lIn0.e30."]) {
      await putKv(wf.id, poisoned);
      expect(await workflowOutcome(client.id, wf.id)).toBe("ok");
      expect(await kvToken(wf.id)).toBe(await d1Token(wf.id));
    }
  });

  it("a stale KV token never outvotes a management change: deactivation and revocation still decide the next request", async () => {
    const client = await createClient();
    const wf = await createWorkflow(client);
    const old = await currentToken(wf.id);
    expect((await patchWorkflow(wf.id, { client_secret: client.secret })).status).toBe(200);
    await patchWorkflow(wf.id, { status: "inactive" });
    await putKv(wf.id, old.token);
    expect(await workflowOutcome(client.id, wf.id)).toBe("401 workflow_inactive");
    await patchWorkflow(wf.id, { status: "active" });
    await putKv(wf.id, old.token);
    expect(await workflowOutcome(client.id, wf.id)).toBe("ok");
    await revokeClient(client.id);
    await putKv(wf.id, old.token);
    expect(await workflowOutcome(client.id, wf.id)).toBe("401 client_revoked");
  });

  it("a stale KV token from before a regeneration does not keep an un-re-keyed workflow alive", async () => {
    const client = await createClient();
    const wf = await createWorkflow(client);
    const { token } = await currentToken(wf.id);
    await regenerateSecret(client.id, 0);
    await putKv(wf.id, token);
    expect(await workflowOutcome(client.id, wf.id)).toBe("401 workflow_token_invalidated");
  });

  it("a current KV entry is used as it is (no D1 read needed): D1 garbage does not matter while KV is right", async () => {
    const client = await createClient();
    const wf = await createWorkflow(client);
    const { token } = await currentToken(wf.id);
    expect(await kvToken(wf.id)).toBe(token);
    await env.DB.prepare("UPDATE workflows SET refresh_token = 'garbage' WHERE id = ?").bind(wf.id).run();
    expect(await workflowOutcome(client.id, wf.id)).toBe("ok");
    expect(await kvToken(wf.id)).toBe(token);
  });
});
