/**
 * The window's storage: a ring of MAX_RATE_LIMIT slots, one upsert per admission, folded into the
 * usage ledger by a watermark before any slot is reused; and objects that last ran with the
 * earlier one-row-per-admission table, moved over on their first start.
 */
import { abortAllDurableObjects, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { MAX_RATE_LIMIT } from "../../src/domain/client-rules";
import { WINDOW_MS } from "../../src/domain/sliding-window";
import {
  authority,
  createClient,
  forceFlush,
  sha256HexOf,
  storedWindow,
  usageOf,
  withSecret,
} from "../support/helpers";

type Sql = DurableObjectState["storage"]["sql"];
const inObject = <T>(clientId: string, fn: (sql: Sql) => T) =>
  runInDurableObject(authority(clientId), (_i: unknown, state: DurableObjectState) => fn(state.storage.sql));

describe("the window ring", () => {
  it("keeps at most MAX_RATE_LIMIT rows, reuses their slots, and counts every admission exactly once", async () => {
    const client = await createClient({ rate_limit: MAX_RATE_LIMIT });
    const proof = { kind: "secret" as const, secretHash: await sha256HexOf(client.secret) };
    const stub = authority(client.id);
    // Far enough back that the batches, a window apart, all fall in the last two days.
    const clock = { t: Date.now() - 40 * 60_000 };
    await runInDurableObject(stub as DurableObjectStub, (instance) => {
      (instance as unknown as { clock: { now: () => number } }).clock = { now: () => clock.t };
    });
    // Each minute, a batch and then a top-up to the limit and one over: exactly MAX_RATE_LIMIT admitted.
    const batches = [400, 700, 1000, 300, 900];
    for (const size of batches) {
      const first = await stub.admitBatch({ clientId: client.id, proofs: Array.from({ length: size }, () => proof) });
      expect(first.filter((r) => r.outcome === "decided" && r.admitted)).toHaveLength(size);
      const rest = MAX_RATE_LIMIT - size + 1;
      const second = await stub.admitBatch({ clientId: client.id, proofs: Array.from({ length: rest }, () => proof) });
      // The ring holds every admission the window needs: the last of the top-up is refused.
      expect(second.map((r) => r.outcome === "decided" && r.admitted)).toEqual(
        Array.from({ length: rest }, (_, i) => i < rest - 1),
      );
      clock.t += WINDOW_MS + 1;
    }
    const total = batches.length * MAX_RATE_LIMIT;
    const stored = await inObject(client.id, (sql) => ({
      rows: sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM window_ring").one().n,
      last: sql.exec<{ s: number }>("SELECT MAX(seq) AS s FROM window_ring").one().s,
    }));
    expect(stored).toEqual({ rows: MAX_RATE_LIMIT, last: total });

    await forceFlush(client.id);
    const usage = await usageOf(client.id, 2);
    expect(usage.total_requests).toBe(total + batches.length);
    expect(usage.rate_limited_requests).toBe(batches.length);
  });

  it("reloads exactly the last 60 s after a restart, whatever the ring still holds", async () => {
    const client = await createClient({ rate_limit: 5 });
    for (let i = 0; i < 5; i++) expect((await withSecret(client.id, client.secret)).status).toBe(200);
    await abortAllDurableObjects();
    expect((await withSecret(client.id, client.secret)).status).toBe(429);
    expect(await storedWindow(client.id)).toHaveLength(5);
  });
});

describe("an object that last ran with the one-row-per-admission table", () => {
  it("counts what that table had not counted, keeps its window, and drops it", async () => {
    const client = await createClient({ rate_limit: 4 });
    const now = Date.now();
    // The layout that version wrote: three admissions in the window (two not yet counted, one
    // with two answers riding on it), and one expired row already counted.
    await inObject(client.id, (sql) => {
      sql.exec("DROP TABLE IF EXISTS window_ring");
      sql.exec("DELETE FROM usage_fold");
      sql.exec(`CREATE TABLE window_hits (ts INTEGER NOT NULL, bucket TEXT NOT NULL DEFAULT '',
        folded INTEGER NOT NULL DEFAULT 1, done_minute INTEGER, done_bucket TEXT,
        done_ok INTEGER NOT NULL DEFAULT 0, done_units INTEGER NOT NULL DEFAULT 0,
        done_ms INTEGER NOT NULL DEFAULT 0, done_n INTEGER NOT NULL DEFAULT 0)`);
      const minute = Math.floor((now - 5_000) / 60_000) * 60_000;
      sql.exec("INSERT INTO window_hits (ts, folded) VALUES (?, 1)", now - 2 * WINDOW_MS);
      sql.exec("INSERT INTO window_hits (ts, folded) VALUES (?, 1)", now - 30_000);
      sql.exec("INSERT INTO window_hits (ts, folded) VALUES (?, 0)", now - 20_000);
      sql.exec(
        "INSERT INTO window_hits (ts, folded, done_minute, done_bucket, done_ok, done_units, done_n) VALUES (?, 0, ?, '', 2, 2, 2)",
        now - 5_000,
        minute,
      );
    });
    await abortAllDurableObjects();

    // Three in the window at limit 4: one more is admitted, then refused.
    expect((await withSecret(client.id, client.secret)).status).toBe(200);
    expect((await withSecret(client.id, client.secret)).status).toBe(429);
    const tables = await inObject(client.id, (sql) =>
      sql
        .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'window%'")
        .toArray()
        .map((t) => t.name),
    );
    expect(tables).toEqual(["window_ring"]);
    expect(await storedWindow(client.id)).toHaveLength(4);

    await forceFlush(client.id);
    const usage = await usageOf(client.id, 2);
    // The two uncounted admissions, then today's request and its 429; the counted rows are not
    // counted again (their figures live in buckets this test did not seed).
    expect(usage.total_requests).toBe(4);
    expect(usage.rate_limited_requests).toBe(1);
    expect(usage.successful_requests).toBeGreaterThanOrEqual(2);
  });
});
