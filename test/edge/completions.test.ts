/**
 * Admitted requests' answers reach the client's object after the response (src/edge/completions.ts):
 * on the client's next call, or on their own a second after the first of them, from one timer per
 * client that hands itself on from batch to batch.
 */
import { describe, expect, it } from "vitest";
import { awayFromBoundary, createClient, settleAndFlush, sleep, usageOf, withSecret } from "../support/helpers";

describe("completions", () => {
  it("an answer queued while the client's timer runs is sent a second after it, by that timer", async () => {
    await awayFromBoundary(86_400_000, 15_000);
    const c = await createClient();
    expect((await withSecret(c.id, c.secret)).status).toBe(200); // arms the client's timer
    await sleep(600);
    // Its admit call carries the first answer; its own answer starts a batch the timer must send.
    expect((await withSecret(c.id, c.secret)).status).toBe(200);
    await settleAndFlush(c.id); // 1.5 s: past the second batch's second, with no third request
    expect(await usageOf(c.id)).toMatchObject({ total_requests: 2, successful_requests: 2 });
  });
});
