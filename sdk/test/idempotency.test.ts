/**
 * NafsiAdmin's idempotent POSTs (contract, SDK): every POST carries an Idempotency-Key that the
 * SDK's own retries reuse, so a POST whose answer was lost to a network error is retried; a 409
 * request_in_progress waits its Retry-After; other 409s are thrown at once.
 */
import { describe, expect, it } from "vitest";
import { Nafsi, NafsiAdmin, NafsiError } from "../src/index.js";
import { retryDelayMs } from "../src/retry.js";
import { fakeRuntime, json } from "./fakes.js";

const BASE = "http://gateway.test";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function admin(steps: (Response | Error)[], options: { maxRetries?: number } = {}) {
  const net = fakeRuntime(steps);
  return {
    net,
    admin: new NafsiAdmin({ baseUrl: BASE, token: "tok", fetch: net.fetch, runtime: net.runtime, ...options }),
  };
}

const created = () => json(201, { workflow: { id: "wf_1" } });
const inProgress = () =>
  json(409, { error: { code: "request_in_progress", message: "Still running." } }, { "Retry-After": "1" });
const keysSent = (net: ReturnType<typeof fakeRuntime>) => net.sent.map((s) => s.headers["idempotency-key"]);

describe("NafsiAdmin's Idempotency-Key", () => {
  it("is a fresh random UUID on every POST call", async () => {
    const { net, admin: a } = admin([created(), created()]);
    await a.workflows.create({ client_id: "c", client_secret: "s", name: "w" });
    await a.workflows.create({ client_id: "c", client_secret: "s", name: "w" });
    const [first, second] = keysSent(net);
    expect(first).toMatch(UUID);
    expect(second).toMatch(UUID);
    expect(first).not.toBe(second);
  });

  it("makes a POST whose answer was lost to a network error retried, with the same key", async () => {
    const { net, admin: a } = admin([new TypeError("fetch failed"), new TypeError("fetch failed"), created()]);
    expect(await a.workflows.create({ client_id: "c", client_secret: "s", name: "w" })).toEqual({
      workflow: { id: "wf_1" },
    });
    expect(net.sent.map((s) => s.method)).toEqual(["POST", "POST", "POST"]);
    expect(new Set(keysSent(net)).size).toBe(1);
    expect(net.waits).toHaveLength(2);
  });

  it("gives up after maxRetries network errors with network_error", async () => {
    const { net, admin: a } = admin([new TypeError("down"), new TypeError("down")], { maxRetries: 1 });
    const error = await a.clients.revoke("c1").catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "network_error" });
    expect(net.sent).toHaveLength(2);
  });

  it("waits a 409 request_in_progress's Retry-After, then asks again with the same key", async () => {
    const { net, admin: a } = admin([inProgress(), inProgress(), created()]);
    await a.workflows.create({ client_id: "c", client_secret: "s", name: "w" });
    expect(net.sent).toHaveLength(3);
    expect(new Set(keysSent(net)).size).toBe(1);
    // Retry-After: 1, plus up to 10 % jitter (the fake's random() is 0.5).
    expect(net.waits).toEqual([1050, 1050]);
  });

  it.each(["idempotency_key_mismatch", "secret_already_shown", "client_revoked"])(
    "throws any other 409 (%s) at once, with its code and fields",
    async (code) => {
      const { net, admin: a } = admin([
        json(409, { error: { code, message: "No.", resource_id: "nafsi_live_x" } }, { "Retry-After": "1" }),
      ]);
      const error = await a.clients.create({ name: "x", environment: "sandbox" }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(NafsiError);
      expect(error).toMatchObject({ status: 409, code });
      expect((error as NafsiError).body).toMatchObject({ error: { resource_id: "nafsi_live_x" } });
      expect(net.sent).toHaveLength(1);
    },
  );

  it("is not sent by the data-plane client, whose POSTs still are not retried after a network error", async () => {
    const net = fakeRuntime([new TypeError("down")]);
    const nafsi = Nafsi.init({ clientId: "a", workflowId: "w", baseUrl: BASE, fetch: net.fetch, runtime: net.runtime });
    await expect(nafsi.request("/v1/x", { method: "POST", body: {} })).rejects.toMatchObject({ code: "network_error" });
    expect(net.sent).toHaveLength(1);
    expect(net.sent[0]!.headers["idempotency-key"]).toBeUndefined();
  });
});

describe("retryDelayMs for keyed requests", () => {
  const base = { retries: 0, maxRetries: 3, maxRetryDelayMs: 60_000, random: () => 0.5, serverDelay: null };
  it("backs off a keyed POST's network error like a GET's; an unkeyed POST's is not retried", () => {
    expect(retryDelayMs({ ...base, method: "POST", status: null, keyed: true })).toBe(250);
    expect(retryDelayMs({ ...base, method: "POST", status: null })).toBeNull();
  });
  it("retries a 409 only when it is request_in_progress", () => {
    expect(retryDelayMs({ ...base, method: "POST", status: 409, keyed: true, serverDelay: 1, inProgress: true })).toBe(
      1050,
    );
    expect(retryDelayMs({ ...base, method: "POST", status: 409, keyed: true, serverDelay: 1 })).toBeNull();
  });
});
