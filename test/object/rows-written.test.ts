/**
 * What a client's traffic costs in rows written to its object's SQLite storage (a SQLite-backed
 * Durable Object bills each row written): one per admitted request, and a few per usage flush
 * whatever the traffic, so that usage accounting adds little to the admission's own row.
 */
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { countRowsWritten } from "../support/counting";
import { authority, createClient, settleAndFlush, withSecret } from "../support/helpers";

describe("rows written in the client's object", () => {
  it("are one per admitted request, and at most three for the flush of their usage", async () => {
    const c = await createClient({ rate_limit: 1000 });
    // The first request creates the object's tables; what follows is a client in use.
    await (await withSecret(c.id, c.secret)).text();
    await settleAndFlush(c.id);
    let written = () => 0;
    await runInDurableObject(authority(c.id), (_instance, state) => {
      written = countRowsWritten(state.storage.sql);
    });

    for (let i = 0; i < 41; i++) expect((await withSecret(c.id, c.secret)).status).toBe(200);
    expect(written()).toBe(41);

    // The fold of the ring into a minute bucket (admissions and the answers that rode along, one
    // upsert), the answer of the last request (its own upsert), and the fold's watermark.
    await settleAndFlush(c.id);
    expect(written() - 41).toBeLessThanOrEqual(3);
  });
});
