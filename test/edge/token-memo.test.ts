/**
 * The edge's per-isolate memory for workflow calls (issue 10): verified tokens by exact string and
 * KV's value held for a few seconds. Neither may change an answer: the client's object knows the
 * workflow's current token ID, so an old string held in this isolate is never admitted.
 */
import { describe, expect, it } from "vitest";
import { appWithEnv, createClient, createWorkflow, errorCode, patchWorkflow } from "../support/helpers";
import { currentToken, d1Token, kvToken, plantToken } from "../support/workflows";

describe("verified-token memory and held KV values", () => {
  it("after a re-key replaced the token in KV and D1, the old string held in the isolate is not admitted", async () => {
    const client = await createClient();
    const wf = await createWorkflow(client);
    const old = await currentToken(wf.id);
    const app = appWithEnv({});
    const get = async () => {
      const res = await app.fetch("/v1/x", { headers: { "X-Client-ID": client.id, "X-Workflow-ID": wf.id } });
      return res.status === 200 ? (await res.arrayBuffer(), "ok") : errorCode(res);
    };
    // This isolate now holds the old token (KV's value) and its verified claims.
    expect(await get()).toBe("ok");
    expect(await get()).toBe("ok");

    expect((await patchWorkflow(wf.id, { client_secret: client.secret })).status).toBe(200);
    const fresh = await d1Token(wf.id);
    expect(fresh).not.toBe(old.token);
    expect(await kvToken(wf.id)).toBe(fresh);

    // The held old string is refused by the object ("stale"); D1's primary gives the new one.
    expect(await get()).toBe("ok");

    // Even with the old string planted back into KV and D1 (and nothing held), it is never admitted:
    // the object knows the workflow's current token ID.
    await plantToken(wf.id, old.token);
    expect(await get()).toBe("invalid_credentials");
    await app.settle();
  });
});
