/**
 * What a client's traffic costs in rows written to its object's SQLite storage (a SQLite-backed
 * Durable Object bills each row written): one per admitted request, and for the flush of their
 * usage nothing more within an hour, the ring being folded into the minute buckets once an hour.
 */
import { abortAllDurableObjects, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { midHour } from "../support/alerts";
import { countRowsWritten } from "../support/counting";
import { manualClock } from "../support/clock";
import {
  EDGE_BATCH_SETTLE_MS,
  authority,
  createClient,
  flushUsage,
  settleAndFlush,
  sleep,
  withSecret,
} from "../support/helpers";
import { HOUR_MS, MINUTE_MS } from "../../src/lib/time";

/** Requests D1 holds for the client, over every hour: what its usage answers are made of. */
async function requestsInD1(clientId: string): Promise<number> {
  const row = await env.DB.prepare("SELECT SUM(requests) AS n FROM usage_hourly WHERE client_id = ?")
    .bind(clientId)
    .first<{ n: number | null }>();
  return row?.n ?? 0;
}

async function admit(clientId: string, secret: string, n: number): Promise<void> {
  for (let i = 0; i < n; i++) expect((await withSecret(clientId, secret)).status).toBe(200);
}

describe("rows written in the client's object", () => {
  it("are one per admitted request; their flush writes none for them within the hour, and folds them once an hour", async () => {
    const c = await createClient({ rate_limit: 1000 });
    // The first request creates the object's tables; the first flush of the hour folds the ring.
    await (await withSecret(c.id, c.secret)).text();
    const clock = await midHour(c.id);
    await admit(c.id, c.secret, 1);
    await settleAndFlush(c.id);
    expect(await requestsInD1(c.id)).toBe(2);
    let written = () => 0;
    await runInDurableObject(authority(c.id), (_instance, state) => {
      written = countRowsWritten(state.storage.sql);
    });

    await admit(c.id, c.secret, 41);
    expect(written()).toBe(41);

    // Within the hour of the last fold, the flush reads the admissions from the ring: the one row
    // is the last request's answer, which came on its own (no later admission to ride on).
    clock.advance(MINUTE_MS);
    await settleAndFlush(c.id);
    expect(written() - 41).toBeLessThanOrEqual(1);
    expect(await requestsInD1(c.id)).toBe(43);

    // The first flush of the next hour folds them: a row per minute bucket (two), the watermark,
    // and the last answer on its own; then the ended hour's total is kept for the unusual-usage
    // baseline and the buckets of hours that can no longer change are dropped (a row each).
    const before = written();
    clock.advance(HOUR_MS);
    await admit(c.id, c.secret, 3);
    await settleAndFlush(c.id);
    const folded = written() - before - 3;
    expect(folded).toBeGreaterThanOrEqual(2);
    expect(folded).toBeLessThanOrEqual(7);
    expect(await requestsInD1(c.id)).toBe(46);

    // And a flush after that, in the same hour, reads the new admissions from the ring again.
    const afterFold = written();
    await admit(c.id, c.secret, 4);
    clock.advance(MINUTE_MS);
    await settleAndFlush(c.id);
    expect(written() - afterFold - 4).toBeLessThanOrEqual(1);
    expect(await requestsInD1(c.id)).toBe(50);
  });

  it("stay none for a flush within the hour after a restart (no fold); a restart in a later hour folds first", async () => {
    const c = await createClient({ rate_limit: 1000 });
    await (await withSecret(c.id, c.secret)).text();
    const clock = await midHour(c.id);
    await admit(c.id, c.secret, 1);
    await settleAndFlush(c.id);
    await admit(c.id, c.secret, 5);
    // The last answer goes to the object on its own (a row) a second later, usually before the
    // restart; on a loaded machine it may reach the restarted object instead.
    await sleep(EDGE_BATCH_SETTLE_MS);

    await abortAllDurableObjects();
    await manualClock(c.id, clock.now() + MINUTE_MS);
    let written = () => 0;
    await runInDurableObject(authority(c.id), (_instance, state) => {
      written = countRowsWritten(state.storage.sql);
    });
    expect(await flushUsage(c.id)).toBe(true);
    // The five admissions are of this hour: the restarted object reads them from the ring, as
    // before the restart, instead of folding them (a row for their minute bucket and one for the
    // watermark, two at least). At most the last answer's own row, if it came after the restart.
    expect(written()).toBeLessThanOrEqual(1);
    expect(await requestsInD1(c.id)).toBe(7);

    // Restarted again in the next hour, it finds those admissions unfolded and of an earlier hour:
    // its first flush folds them before it reads, so the ended hour's total in D1 stays whole.
    await abortAllDurableObjects();
    const nextHour = clock.now() + HOUR_MS;
    await manualClock(c.id, nextHour);
    await admit(c.id, c.secret, 2);
    await settleAndFlush(c.id);
    expect(await requestsInD1(c.id)).toBe(9);
    const thisHour = Math.floor(nextHour / HOUR_MS) * HOUR_MS;
    const ended = await env.DB.prepare("SELECT SUM(requests) AS n FROM usage_hourly WHERE client_id = ? AND hour < ?")
      .bind(c.id, thisHour)
      .first<{ n: number }>();
    expect(ended?.n).toBe(7);
    await runInDurableObject(authority(c.id), (_instance, state) => {
      const sql = state.storage.sql;
      const folded = sql.exec<{ seq: number }>("SELECT seq FROM usage_fold").one().seq;
      expect(folded).toBe(sql.exec<{ seq: number }>("SELECT MAX(seq) AS seq FROM window_ring").one().seq);
    });
  });
});
