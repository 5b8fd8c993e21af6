/**
 * `last_used_at` of clients and workflows: null until an admitted request, then moved forward by
 * the usage flush (which the object schedules within the contract's 60 s lag).
 */
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { FLUSH_INTERVAL_MS } from "../../src/object/flusher";
import {
  adminJson,
  authority,
  createClient,
  createWorkflow,
  settleAndFlush,
  unrelatedSecret,
  withSecret,
  withWorkflow,
  statusOf,
} from "../support/helpers";

const getClient = async (id: string) => (await adminJson("GET", `/admin/clients/${id}`)).body.client;
const getWorkflow = async (id: string) => (await adminJson("GET", `/admin/workflows/${id}`)).body.workflow;
const listedClient = async (id: string) =>
  (await adminJson("GET", `/admin/clients?limit=100`)).body.clients.find((c: any) => c.id === id);
const listedWorkflow = async (clientId: string, id: string) =>
  (await adminJson("GET", `/admin/workflows?client_id=${clientId}`)).body.workflows.find((w: any) => w.id === id);

describe("last_used_at", () => {
  it("is null before any use, and refused requests (failed auth, inactive) do not set it", async () => {
    const c = await createClient({ rate_limit: 1 });
    const w = await createWorkflow(c);
    expect((await getClient(c.id)).last_used_at).toBeNull();
    expect((await getWorkflow(w.id)).last_used_at).toBeNull();

    expect(await statusOf(withSecret(c.id, await unrelatedSecret()))).toBe(401);
    await adminJson("PATCH", `/admin/clients/${c.id}`, { status: "inactive" });
    expect(await statusOf(withSecret(c.id, c.secret))).toBe(401);
    expect(await statusOf(withWorkflow(c.id, w.id))).toBe(401);
    await settleAndFlush(c.id);
    expect((await getClient(c.id)).last_used_at).toBeNull();
    expect((await getWorkflow(w.id)).last_used_at).toBeNull();
  });

  it("is set for the client by an admitted secret call and for the client and the workflow by a workflow call, after a flush", async () => {
    const c = await createClient();
    const w = await createWorkflow(c);
    const other = await createWorkflow(c, { name: "unused" });

    const t0 = Date.now();
    expect(await statusOf(withSecret(c.id, c.secret))).toBe(200);
    const t1 = Date.now();
    // Not before the flush (no D1 write per request) ...
    expect((await getClient(c.id)).last_used_at).toBeNull();
    await settleAndFlush(c.id);
    const afterSecretCall = Date.parse((await getClient(c.id)).last_used_at);
    expect(afterSecretCall).toBeGreaterThanOrEqual(t0 - 5);
    expect(afterSecretCall).toBeLessThanOrEqual(t1 + 5);
    expect((await getWorkflow(w.id)).last_used_at).toBeNull();

    const t2 = Date.now();
    expect(await statusOf(withWorkflow(c.id, w.id))).toBe(200);
    const t3 = Date.now();
    await settleAndFlush(c.id);
    const client = await getClient(c.id);
    const workflow = await getWorkflow(w.id);
    expect(Date.parse(workflow.last_used_at)).toBeGreaterThanOrEqual(t2 - 5);
    expect(Date.parse(workflow.last_used_at)).toBeLessThanOrEqual(t3 + 5);
    expect(Date.parse(client.last_used_at)).toBe(Date.parse(workflow.last_used_at));
    expect(Date.parse(client.last_used_at)).toBeGreaterThan(afterSecretCall);
    expect((await getWorkflow(other.id)).last_used_at).toBeNull();
    // The lists show the same values.
    expect((await listedClient(c.id)).last_used_at).toBe(client.last_used_at);
    expect((await listedWorkflow(c.id, w.id)).last_used_at).toBe(workflow.last_used_at);
  });

  it("management changes neither set nor move it back", async () => {
    const c = await createClient();
    expect(await statusOf(withSecret(c.id, c.secret))).toBe(200);
    await settleAndFlush(c.id);
    const used = (await getClient(c.id)).last_used_at;
    expect(used).not.toBeNull();
    await adminJson("PATCH", `/admin/clients/${c.id}`, { name: "Renamed", rate_limit: 50 });
    await adminJson("POST", `/admin/clients/${c.id}/regenerate-secret`, {});
    expect((await getClient(c.id)).last_used_at).toBe(used);
  });

  it("a request schedules the flush within the contract's 60 s lag", async () => {
    expect(FLUSH_INTERVAL_MS).toBeLessThanOrEqual(60_000);
    const c = await createClient();
    const before = Date.now();
    expect(await statusOf(withSecret(c.id, c.secret))).toBe(200);
    let alarm: number | null = null;
    for (let i = 0; i < 50 && alarm === null; i++) {
      alarm = await runInDurableObject(authority(c.id), (_instance, state) => state.storage.getAlarm());
    }
    expect(alarm).not.toBeNull();
    expect(alarm!).toBeGreaterThan(before);
    expect(alarm! - before).toBeLessThanOrEqual(60_000);
  });
});
