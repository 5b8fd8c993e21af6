/**
 * Fail closed: when the client's Durable Object, D1 or KV cannot answer, the request gets 503
 * service_unavailable with Retry-After: never a 500, never an admission it could not verify.
 * Faults are injected at the gateway's own boundary (a binding in the env the app is called
 * with, or the binding one of our Durable Objects holds), not by mocking the platform.
 */
import { abortAllDurableObjects, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { newClientId, newClientSecret, newWorkflowId } from "../support/credentials";
import {
  authority,
  callWithEnv,
  createClient,
  createWorkflow,
  expectError,
  patchAuthorityEnv,
  restoreAuthorityEnv,
  withSecret,
  withWorkflow,
} from "../support/helpers";

/** A CLIENT_AUTHORITY binding whose objects fail the way `fail` says. */
function brokenAuthority(fail: () => never | Promise<never>): Record<string, unknown> {
  const stub = new Proxy(
    {},
    {
      get: (_target, name) => (name === "then" ? undefined : async () => fail()),
    },
  );
  return { CLIENT_AUTHORITY: { getByName: () => stub, get: () => stub, idFromName: () => ({}) } };
}

/** A D1 binding that fails every statement (as D1 does when it is unreachable or overloaded). */
const brokenD1 = (): D1Database => {
  const fail = () => {
    throw new Error("D1_ERROR: Network connection lost.");
  };
  const statement = { bind: () => statement, first: fail, all: fail, raw: fail, run: fail };
  const db = { prepare: () => statement, batch: fail, exec: fail, dump: fail, withSession: () => db };
  return db as unknown as D1Database;
};

async function expect503(res: Response): Promise<void> {
  const retryAfter = res.headers.get("Retry-After");
  await expectError(res, 503, "service_unavailable");
  expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
  expect(Number.isInteger(Number(retryAfter))).toBe(true);
  expect(res.headers.get("X-RateLimit-Remaining")).toBeNull();
}

describe("the client's Durable Object fails", () => {
  it.each([
    ["admit() throws", () => Promise.reject(new Error("Durable Object reset because its code was updated."))],
    ["admit() rejects with a non-Error", () => Promise.reject("overloaded")],
    [
      "the object is overloaded",
      () => Promise.reject(Object.assign(new Error("Durable Object is overloaded."), { overloaded: true })),
    ],
  ])("%s → 503 with Retry-After", async (_label, fail) => {
    const client = await createClient();
    const res = await callWithEnv(brokenAuthority(fail as () => Promise<never>), "/v1/verify", {
      headers: { "X-Client-ID": client.id, "X-Client-Secret": client.secret },
    });
    await expect503(res);
  });

  it("getByName itself throws → 503", async () => {
    const client = await createClient();
    const binding = {
      getByName: () => {
        throw new Error("namespace unavailable");
      },
    };
    const res = await callWithEnv({ CLIENT_AUTHORITY: binding }, "/v1/verify", {
      headers: { "X-Client-ID": client.id, "X-Client-Secret": client.secret },
    });
    await expect503(res);
  });

  it("the same request succeeds once the object answers again (nothing was counted)", async () => {
    const client = await createClient({ rate_limit: 2 });
    for (let i = 0; i < 3; i++) {
      const res = await callWithEnv(
        brokenAuthority(() => Promise.reject(new Error("boom"))),
        "/v1/verify",
        {
          headers: { "X-Client-ID": client.id, "X-Client-Secret": client.secret },
        },
      );
      await expect503(res);
    }
    const ok = await withSecret(client.id, client.secret);
    expect(ok.status).toBe(200);
    expect(ok.headers.get("X-RateLimit-Remaining")).toBe("1");
  });
});

describe("D1 fails", () => {
  it("inside the client's object, when it must load the client from D1 → 503, and no 'unknown client' is remembered", async () => {
    const client = await createClient();
    // Make the object forget the client, as if its storage had never seen it: it must ask D1.
    await runInDurableObject(authority(client.id), (_instance, state) => {
      state.storage.sql.exec("DELETE FROM client_state");
    });
    await abortAllDurableObjects();
    await patchAuthorityEnv(client.id, { DB: brokenD1() });
    await expect503(await withSecret(client.id, client.secret));
    await expect503(await withSecret(client.id, client.secret));

    // D1 back: the client is found and admitted (the failure was not taken for "no such client").
    await restoreAuthorityEnv(client.id);
    expect((await withSecret(client.id, client.secret)).status).toBe(200);
  });

  it("inside the object, for an ID D1 cannot confirm → 503, then invalid_credentials once D1 answers", async () => {
    const id = await newClientId("production");
    await patchAuthorityEnv(id, { DB: brokenD1() });
    await expect503(await withSecret(id, await newClientSecret("production")));
    await restoreAuthorityEnv(id);
    await expectError(await withSecret(id, await newClientSecret("production")), 401, "invalid_credentials");
  });

  it("at the edge, looking up a workflow's token (KV miss, D1 down) → 503", async () => {
    const client = await createClient();
    const res = await callWithEnv({ DB: brokenD1() }, "/v1/verify", {
      headers: { "X-Client-ID": client.id, "X-Workflow-ID": await newWorkflowId() },
    });
    await expect503(res);
  });
});

describe("KV fails", () => {
  it("at the edge, reading a workflow's cached token → 503 (or answered from D1), never a 500 or an unverified admit", async () => {
    const client = await createClient();
    const workflow = await createWorkflow(client);
    expect((await withWorkflow(client.id, workflow.id)).status).toBe(200);
    const fail = () => Promise.reject(new Error("KV GET failed: 503 Service Unavailable"));
    const kv = { get: fail, getWithMetadata: fail, put: fail, delete: fail, list: fail };
    const res = await callWithEnv({ TOKEN_CACHE: kv }, "/v1/verify", {
      headers: { "X-Client-ID": client.id, "X-Workflow-ID": workflow.id },
    });
    expect([200, 503]).toContain(res.status);
    if (res.status === 503) await expect503(res);

    // An unknown workflow with KV down is never admitted.
    const unknown = await callWithEnv({ TOKEN_CACHE: kv }, "/v1/verify", {
      headers: { "X-Client-ID": client.id, "X-Workflow-ID": await newWorkflowId() },
    });
    expect([401, 503]).toContain(unknown.status);
    await unknown.body?.cancel();
  });
});
