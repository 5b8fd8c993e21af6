/**
 * Forged credentials never reach storage (issue 15): the keyed tag refuses made-up IDs, secrets
 * and workflow IDs at the edge. Every binding the gateway has (D1, KV, the Durable Object
 * namespace) is wrapped in a counter, so "no storage" is measured, not assumed.
 */
import { forgetHeldTokens } from "../../src/edge/token-memo";
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { counted, type Calls } from "../support/counting";
import { Credentials, PREFIX } from "../../src/domain/credentials";
import { newClientId, newClientSecret, newWorkflowId } from "../support/credentials";
import {
  appWithEnv,
  authority,
  callWithEnv,
  createClient,
  createWorkflow,
  env,
  expectError,
  withSecret,
} from "../support/helpers";
import { kvToken, withEditedPayload } from "../support/workflows";

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const random = (n: number) => Array.from({ length: n }, () => BASE62[Math.floor(Math.random() * 62)]).join("");

/** The old public checksum (CRC32 of everything before it, 6 base62 characters): anyone can compute it. */
function crcTagged(prefix: string): string {
  const head = prefix + random(22);
  let crc = 0xffffffff;
  for (let i = 0; i < head.length; i++) {
    crc ^= head.charCodeAt(i);
    for (let k = 0; k < 8; k++) crc = crc & 1 ? 0xedb88320 ^ (crc >>> 1) : crc >>> 1;
  }
  let value = (crc ^ 0xffffffff) >>> 0;
  let tag = "";
  for (let i = 0; i < 6; i++) {
    tag = BASE62[value % 62] + tag;
    value = Math.floor(value / 62);
  }
  return head + tag;
}

function countingApp() {
  const calls: Calls = {};
  const app = appWithEnv({
    DB: counted(env.DB, "DB", calls),
    TOKEN_CACHE: counted(env.TOKEN_CACHE, "KV", calls),
    CLIENT_AUTHORITY: counted(env.CLIENT_AUTHORITY, "DO", calls),
  });
  return { app, calls };
}

const wrongKey = () => Credentials.fromKeys(["a key that is not the gateway's"]);

async function forgedClientIds(): Promise<[string, string][]> {
  const other = await wrongKey();
  const real = await newClientId("production");
  return [
    ["CRC-valid (old public checksum)", crcTagged(PREFIX.clientId.production)],
    ["random, right shape", PREFIX.clientId.production + random(30)],
    ["tagged under another key", await other.newClientId("production")],
    ["relabelled to the other environment", PREFIX.clientId.sandbox + real.slice(PREFIX.clientId.production.length)],
    ["one character changed", real.slice(0, 15) + (real[15] === "A" ? "B" : "A") + real.slice(16)],
  ];
}

describe("made-up client IDs touch no binding", () => {
  it("with a secret, a workflow ID or nothing: 401, and no call to D1, KV or any Durable Object", async () => {
    const { app, calls } = countingApp();
    const secret = await newClientSecret("production");
    const workflowId = await newWorkflowId();
    for (const [label, id] of await forgedClientIds()) {
      const attempts: Record<string, string>[] = [
        { "X-Client-ID": id, "X-Client-Secret": secret },
        { "X-Client-ID": id, "X-Workflow-ID": workflowId },
      ];
      for (const headers of attempts) {
        const res = await app.fetch("/v1/verify", { headers });
        expect(res.status, label).toBe(401);
        expect(((await res.json()) as any).error.code, label).toBe("invalid_credentials");
      }
    }
    await app.settle(); // after-response work (usage batches) included
    expect(calls).toEqual({});
  });
});

describe("made-up secrets and workflow IDs for a real client", () => {
  it("are refused at the edge; only the client's batched failure count reaches its object", async () => {
    const client = await createClient();
    const other = await wrongKey();
    const realSecret = client.secret;
    const forgedSecrets = [
      crcTagged(PREFIX.secret.production),
      PREFIX.secret.production + random(30),
      await other.newClientSecret("production"),
      PREFIX.secret.production + realSecret.slice(PREFIX.secret.production.length, -1) + "Z",
      await newClientSecret("sandbox"), // a real tag, the other environment
    ];
    const forgedWorkflows = [crcTagged(PREFIX.workflowId), PREFIX.workflowId + random(30), await other.newWorkflowId()];
    const { app, calls } = countingApp();
    for (const secret of forgedSecrets) {
      await expectError(
        await app.fetch("/v1/verify", { headers: { "X-Client-ID": client.id, "X-Client-Secret": secret } }),
        401,
        "invalid_credentials",
      );
    }
    for (const workflowId of forgedWorkflows) {
      await expectError(
        await app.fetch("/v1/verify", { headers: { "X-Client-ID": client.id, "X-Workflow-ID": workflowId } }),
        401,
        "invalid_credentials",
      );
    }
    expect(calls).toEqual({}); // nothing on any request's path
    await app.settle();
    // The contract counts failed authentications for a real client, in per-isolate batches.
    expect(Object.keys(calls).filter((k) => !k.startsWith("DO."))).toEqual([]);
    expect(calls["DO.getByName"] ?? 0).toBeLessThanOrEqual(1);
  });
});

describe("a real workflow presented with another real client's ID", () => {
  it("is refused at once from the verified token: no D1 read and no KV write", async () => {
    const owner = await createClient();
    const stranger = await createClient();
    const wf = await createWorkflow(owner);
    const before = await kvToken(wf.id);
    expect(before).toMatch(/^eyJ/);
    const { app, calls } = countingApp();
    for (let i = 0; i < 3; i++) {
      await expectError(
        await app.fetch("/v1/verify", { headers: { "X-Client-ID": stranger.id, "X-Workflow-ID": wf.id } }),
        401,
        "invalid_credentials",
      );
    }
    await app.settle();
    expect(calls["KV.put"] ?? 0).toBe(0);
    expect(Object.keys(calls).filter((k) => k.startsWith("DB."))).toEqual([]);
    expect(await kvToken(wf.id)).toBe(before);
  });

  it("a token whose cid was edited does not verify, so D1 decides (and the stranger is still refused)", async () => {
    const owner = await createClient();
    const stranger = await createClient();
    const wf = await createWorkflow(owner);
    const token = (await kvToken(wf.id))!;
    await env.TOKEN_CACHE.put(`wf:${wf.id}`, withEditedPayload(token, { cid: stranger.id }));
    forgetHeldTokens(); // the edge holds KV values for a few seconds per isolate
    await expectError(
      await callWithEnv({}, "/v1/verify", { headers: { "X-Client-ID": stranger.id, "X-Workflow-ID": wf.id } }),
      401,
      "invalid_credentials",
    );
  });
});

describe("an ID that gets past the edge but names no client", () => {
  it("leaves no storage in its Durable Object (no tables, nothing written)", async () => {
    const id = await newClientId("production"); // a genuine tag, but never created
    await expectError(await withSecret(id, await newClientSecret("production")), 401, "invalid_credentials");
    const tables = await runInDurableObject(authority(id), (_instance, state) =>
      state.storage.sql.exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'").toArray(),
    );
    expect(tables.filter((t) => !t.name.startsWith("_cf_"))).toEqual([]);
  });
});

describe("rotating CREDENTIAL_TAG_KEY", () => {
  it("with the old key as CREDENTIAL_TAG_KEY_PREVIOUS, existing IDs and secrets keep working; without it they fail", async () => {
    const client = await createClient();
    const rotated = { CREDENTIAL_TAG_KEY: "a brand-new tag key", CREDENTIAL_TAG_KEY_PREVIOUS: env.CREDENTIAL_TAG_KEY };
    const headers = { "X-Client-ID": client.id, "X-Client-Secret": client.secret };
    expect((await callWithEnv(rotated, "/v1/verify", { headers })).status).toBe(200);
    await expectError(
      await callWithEnv({ CREDENTIAL_TAG_KEY: "a brand-new tag key" }, "/v1/verify", { headers }),
      401,
      "invalid_credentials",
    );
  });

  it("without CREDENTIAL_TAG_KEY nothing can be trusted or minted: 503, never a 500", async () => {
    const client = await createClient();
    const headers = { "X-Client-ID": client.id, "X-Client-Secret": client.secret };
    await expectError(
      await callWithEnv({ CREDENTIAL_TAG_KEY: undefined }, "/v1/verify", { headers }),
      503,
      "service_unavailable",
    );
    await expectError(
      await callWithEnv({ CREDENTIAL_TAG_KEY: "" }, "/admin/clients", {
        method: "POST",
        headers: { Authorization: "Bearer test-admin-token", "Content-Type": "application/json" },
        body: JSON.stringify({ name: "x", environment: "production" }),
      }),
      503,
      "service_unavailable",
    );
  });
});
