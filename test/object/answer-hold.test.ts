/**
 * Answers that an edge sends to the client's object on their own (no admit call of its own to ride
 * on) are held for at most a second, so that they ride on the window row of the client's next admission
 * from any isolate instead of costing a row each; a flush reports what is still held, and what no
 * admission took is written on its own a second later, durably.
 */
import { abortAllDurableObjects, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { countRowsWritten } from "../support/counting";
import {
  EDGE_BATCH_SETTLE_MS,
  authority,
  createClient,
  env,
  flushUsage,
  settleAndFlush,
  sha256HexOf,
  sleep,
  usageOf,
  withSecret,
} from "../support/helpers";
import { ANSWER_HOLD_MS } from "../../src/object/answer-hold";

async function countingRows(clientId: string): Promise<() => number> {
  let written = () => 0;
  await runInDurableObject(authority(clientId), (_instance, state) => {
    written = countRowsWritten(state.storage.sql);
  });
  return written;
}

/** D1's figures for the client, over every hour. */
async function inD1(clientId: string): Promise<{ requests: number; successful: number; responses: number }> {
  const row = await env.DB.prepare(
    `SELECT SUM(requests) AS requests, SUM(successful_requests) AS successful, SUM(responses) AS responses
     FROM usage_hourly WHERE client_id = ?`,
  )
    .bind(clientId)
    .first<{ requests: number; successful: number; responses: number }>();
  return { requests: row?.requests ?? 0, successful: row?.successful ?? 0, responses: row?.responses ?? 0 };
}

/** A client whose object has its tables, and what an edge sends it for one admission and its answer. */
async function clientCalledDirectly() {
  const c = await createClient({ rate_limit: 1000 });
  const stub = authority(c.id);
  const proof = { kind: "secret" as const, secretHash: await sha256HexOf(c.secret) };
  const admit = async (completions?: { admittedAt: number }[]) => {
    const [result] = await stub.admitBatch({
      clientId: c.id,
      proofs: [proof],
      completions: completions?.map((x) => ({ ...x, workflowId: null, status: 200, responseMs: 7 })),
    });
    if (result?.outcome !== "decided" || !result.admitted) throw new Error(`not admitted: ${JSON.stringify(result)}`);
    return result.now;
  };
  const answer = (admittedAt: number) =>
    stub.complete(c.id, [{ admittedAt, workflowId: null, status: 200, responseMs: 7 }]);
  return { c, admit, answer };
}

describe("answers that come on their own", () => {
  it("ride on the client's next admission: requests 1.2 s apart cost a row each, not two", async () => {
    const c = await createClient({ rate_limit: 1000 });
    await (await withSecret(c.id, c.secret)).text();
    await settleAndFlush(c.id);
    const written = await countingRows(c.id);
    // Each answer leaves the edge on its own a second after its request (no later call of the
    // isolate to ride on), as it would from a different isolate each time on Cloudflare's network.
    for (let i = 0; i < 6; i++) {
      expect((await withSecret(c.id, c.secret)).status).toBe(200);
      await sleep(1200);
    }
    await sleep(EDGE_BATCH_SETTLE_MS + ANSWER_HOLD_MS);
    // Six window rows, five of them carrying the answer before; the last answer on its own.
    expect(written()).toBeLessThanOrEqual(7);
    await flushUsage(c.id);
    const usage = await usageOf(c.id);
    expect(usage.total_requests).toBe(7);
    expect(usage.successful_requests).toBe(7);
  });

  it("are held, not written, and a flush reports them", async () => {
    const { c, admit, answer } = await clientCalledDirectly();
    const at = await admit();
    const written = await countingRows(c.id);
    await answer(at);
    expect(written()).toBe(0);
    expect(await flushUsage(c.id)).toBe(true);
    expect(written()).toBe(1);
    expect(await inD1(c.id)).toEqual({ requests: 1, successful: 1, responses: 1 });
  });

  it("ride on the window row of the next admission, from any caller", async () => {
    const { c, admit, answer } = await clientCalledDirectly();
    const first = await admit();
    const written = await countingRows(c.id);
    await answer(first);
    await admit();
    expect(written()).toBe(1);
    expect(await flushUsage(c.id)).toBe(true);
    expect(written()).toBe(1);
    expect(await inD1(c.id)).toEqual({ requests: 2, successful: 1, responses: 1 });
  });

  it("ride along with the call's own answers, merged into one sum on its row", async () => {
    const { c, admit, answer } = await clientCalledDirectly();
    const first = await admit();
    const second = await admit();
    const written = await countingRows(c.id);
    await answer(first);
    // One row, carrying one sum: the held answer and the call's own, of the same minute.
    await admit([{ admittedAt: second }]);
    expect(written()).toBe(1);
    expect(await flushUsage(c.id)).toBe(true);
    expect(await inD1(c.id)).toEqual({ requests: 3, successful: 2, responses: 2 });
  });

  it("that no admission takes are written on their own a second later, and survive a restart", async () => {
    const { c, admit, answer } = await clientCalledDirectly();
    const at = await admit();
    const written = await countingRows(c.id);
    await answer(at);
    await sleep(2 * ANSWER_HOLD_MS);
    expect(written()).toBe(1);
    await abortAllDurableObjects();
    expect(await flushUsage(c.id)).toBe(true);
    expect(await inD1(c.id)).toEqual({ requests: 1, successful: 1, responses: 1 });
  });
});
