/**
 * Each alert type fires at its threshold and not below it, at most once per hour per client and
 * type; alerts reach D1 (and GET /admin/alerts) with the client's usage flush.
 */
import { abortAllDurableObjects, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { admitted, flushAndList, midHour, objectFailures, storeHourlyHistory } from "../support/alerts";
import { FLUSH_INTERVAL_MS } from "../../src/object/flusher";
import {
  alertsOf,
  authority,
  breakChecksum,
  appWithEnv,
  createClient,
  EDGE_BATCH_SETTLE_MS,
  patchClient,
  sleep,
  unrelatedSecret,
  usageOf,
  withSecret,
  statusOf,
} from "../support/helpers";

const HOUR_MS = 3_600_000;

/**
 * Moves the client's last alert of `type` back by more than an hour (as if an hour had passed),
 * then restarts the objects so the in-memory mirror of alert_last is read again from storage.
 */
const anHourLater = async (clientId: string, type: string) => {
  await runInDurableObject(authority(clientId), (_i, state) => {
    state.storage.sql.exec("UPDATE alert_last SET at = at - ? WHERE type = ?", HOUR_MS + 1, type);
  });
  await abortAllDurableObjects();
};

describe("rate_limit_approaching: 90 % of the limit used inside one window", () => {
  it("limit 10: 8 admitted → none; the 9th → one; more (and 429s) within the hour → still one", async () => {
    const c = await createClient({ rate_limit: 10 });
    await admitted(c.id, c.secret, 8);
    expect(await flushAndList(c.id, "rate_limit_approaching")).toEqual([]);
    expect((await usageOf(c.id)).total_requests).toBe(8);

    await admitted(c.id, c.secret, 1);
    const [alert, ...rest] = await flushAndList(c.id, "rate_limit_approaching");
    expect(rest).toEqual([]);
    expect(alert).toMatchObject({ client_id: c.id, type: "rate_limit_approaching" });
    expect(alert.details).toMatchObject({ requests_in_window: 9, rate_limit: 10 });
    expect(alert.message.length).toBeGreaterThan(0);
    expect(Math.abs(Date.parse(alert.triggered_at) - Date.now())).toBeLessThan(30_000);

    await admitted(c.id, c.secret, 1);
    for (let i = 0; i < 3; i++) expect(await statusOf(withSecret(c.id, c.secret))).toBe(429);
    expect(await flushAndList(c.id, "rate_limit_approaching")).toHaveLength(1);
  });

  it("limit 20: 17 admitted → none; the 18th → one", async () => {
    const c = await createClient({ rate_limit: 20 });
    await admitted(c.id, c.secret, 17);
    expect(await flushAndList(c.id, "rate_limit_approaching")).toEqual([]);
    await admitted(c.id, c.secret, 1);
    const alerts = await flushAndList(c.id, "rate_limit_approaching");
    expect(alerts).toHaveLength(1);
    expect(alerts[0].details).toMatchObject({ requests_in_window: 18, rate_limit: 20 });
  });

  it("alerts again once the hour has passed (and a 429 is not a use of the window)", async () => {
    const c = await createClient({ rate_limit: 10 });
    await admitted(c.id, c.secret, 9);
    expect(await flushAndList(c.id, "rate_limit_approaching")).toHaveLength(1);
    await anHourLater(c.id, "rate_limit_approaching");
    await admitted(c.id, c.secret, 1);
    const alerts = await flushAndList(c.id, "rate_limit_approaching");
    expect(alerts).toHaveLength(2);
    expect(alerts[0].details).toMatchObject({ requests_in_window: 10 });
  });
});

describe("failed_authentication: 5 or more within a minute", () => {
  it("decided by the object: 4 → none; the 5th → one; 10 more → still one; after an hour → a second", async () => {
    const c = await createClient();
    await objectFailures(c.id, 4);
    expect(await flushAndList(c.id, "failed_authentication")).toEqual([]);
    expect((await usageOf(c.id)).failed_authentications).toBe(4);

    await objectFailures(c.id, 1);
    const alerts = await flushAndList(c.id, "failed_authentication");
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ client_id: c.id, type: "failed_authentication" });
    expect(alerts[0].details).toMatchObject({ failed_authentications: 5 });

    await objectFailures(c.id, 10);
    expect(await flushAndList(c.id, "failed_authentication")).toHaveLength(1);

    await anHourLater(c.id, "failed_authentication");
    await objectFailures(c.id, 1);
    expect(await flushAndList(c.id, "failed_authentication")).toHaveLength(2);
  });

  it("decided at the edge (bad checksum, batched): 4 → none; the 5th → one", async () => {
    const c = await createClient();
    const bad = breakChecksum(c.secret);
    for (let i = 0; i < 4; i++) expect(await statusOf(withSecret(c.id, bad))).toBe(401);
    expect(await flushAndList(c.id, "failed_authentication", EDGE_BATCH_SETTLE_MS)).toEqual([]);
    expect((await usageOf(c.id)).failed_authentications).toBe(4);
    expect(await statusOf(withSecret(c.id, bad))).toBe(401);
    expect(await flushAndList(c.id, "failed_authentication", EDGE_BATCH_SETTLE_MS)).toHaveLength(1);
  });

  it("failures on both sides of an object restart count together (3, restart, 2 → one)", async () => {
    const c = await createClient();
    await objectFailures(c.id, 3);
    await abortAllDurableObjects();
    await objectFailures(c.id, 2);
    expect((await flushAndList(c.id, "failed_authentication")).map((a) => a.details.failed_authentications)).toEqual([
      5,
    ]);
  });

  it("inactive-client refusals count toward it too", async () => {
    const c = await createClient();
    await patchClient(c.id, { status: "inactive" });
    for (let i = 0; i < 4; i++) expect(await statusOf(withSecret(c.id, c.secret))).toBe(401);
    expect(await flushAndList(c.id, "failed_authentication")).toEqual([]);
    expect(await statusOf(withSecret(c.id, c.secret))).toBe(401);
    expect(await flushAndList(c.id, "failed_authentication")).toHaveLength(1);
  });
});

describe("high_error_rate: over 5 % of at least 20 requests in 5 minutes not successful", () => {
  it("19 successes + 1 failure (exactly 5 %) → none; a 2nd failure → one; more → still one", async () => {
    const c = await createClient({ rate_limit: 1000 });
    await admitted(c.id, c.secret, 19);
    await sleep(200); // the successes' outcomes have arrived
    await objectFailures(c.id, 1);
    expect(await flushAndList(c.id, "high_error_rate")).toEqual([]);
    expect(await usageOf(c.id)).toMatchObject({ total_requests: 20, successful_requests: 19 });

    await objectFailures(c.id, 1);
    const alerts = await flushAndList(c.id, "high_error_rate");
    expect(alerts).toHaveLength(1);
    expect(alerts[0].details).toMatchObject({ requests: 21, failed: 2 });

    await objectFailures(c.id, 3);
    expect(await flushAndList(c.id, "high_error_rate")).toHaveLength(1);
  });

  it("18 successes + 2 upstream 500s → one (failures reported by the edge after answering)", async () => {
    const c = await createClient({ rate_limit: 1000 });
    const headers = { "X-Client-ID": c.id, "X-Client-Secret": c.secret };
    const up = appWithEnv({ UPSTREAM_URL_PRODUCTION: "http://upstream.test" });
    for (let i = 0; i < 18; i++) expect(await statusOf(up.fetch("/v1/ok", { headers }))).toBe(200);
    expect(await statusOf(up.fetch("/v1/fail?status=500", { headers }))).toBe(500);
    await up.settle();
    expect(await flushAndList(c.id, "high_error_rate")).toEqual([]); // 1 of 19
    expect(await statusOf(up.fetch("/v1/fail?status=500", { headers }))).toBe(500);
    await up.settle();
    const alerts = await flushAndList(c.id, "high_error_rate");
    expect(alerts).toHaveLength(1);
    expect(alerts[0].details).toMatchObject({ requests: 20, failed: 2 });
  });

  it("fewer than 20 requests never alert, however many failed; the 20th does", async () => {
    const c = await createClient({ rate_limit: 1000 });
    await admitted(c.id, c.secret, 10);
    await sleep(200);
    await objectFailures(c.id, 9);
    expect(await flushAndList(c.id, "high_error_rate")).toEqual([]);
    await objectFailures(c.id, 1);
    expect(await flushAndList(c.id, "high_error_rate")).toHaveLength(1);
  });

  it("failures first, then successes up to 20 requests: the condition holds (2 of 20) → one", async () => {
    const c = await createClient({ rate_limit: 1000 });
    await objectFailures(c.id, 2);
    await admitted(c.id, c.secret, 18);
    const alerts = await flushAndList(c.id, "high_error_rate", 300);
    expect(alerts).toHaveLength(1);
  });
});

describe("unusual_usage: the last hour's requests exceed 3× the trailing 7-day hourly mean, and at least 100", () => {
  it("no history (mean 0): 99 requests → none; the 100th → one; more → still one", async () => {
    const c = await createClient({ rate_limit: 1000 });
    await midHour(c.id);
    await admitted(c.id, c.secret, 99);
    expect(await flushAndList(c.id, "unusual_usage")).toEqual([]);
    await admitted(c.id, c.secret, 1);
    const alerts = await flushAndList(c.id, "unusual_usage");
    expect(alerts).toHaveLength(1);
    expect(alerts[0].details).toMatchObject({ last_hour_requests: 100, trailing_hourly_mean: 0 });
    await admitted(c.id, c.secret, 5);
    expect(await flushAndList(c.id, "unusual_usage")).toHaveLength(1);
  }, 120_000);

  it("a 7-day mean of 40/hour: 120 requests (exactly 3×) → none; the 121st → one", async () => {
    const c = await createClient({ rate_limit: 1000 });
    const clock = await midHour(c.id);
    // 168 hours × 40, and an hour older than 7 days that is not part of the mean.
    await storeHourlyHistory(c.id, clock.now(), 40, [[169, 100_000]]);
    await admitted(c.id, c.secret, 120);
    expect(await flushAndList(c.id, "unusual_usage")).toEqual([]);
    await admitted(c.id, c.secret, 1);
    const alerts = await flushAndList(c.id, "unusual_usage");
    expect(alerts).toHaveLength(1);
    expect(alerts[0].details).toMatchObject({ last_hour_requests: 121, trailing_hourly_mean: 40 });
  }, 120_000);
});

describe("at most once per hour, across restarts", () => {
  it("a restarted object does not alert again for a condition it alerted on within the hour", async () => {
    const c = await createClient({ rate_limit: 10 });
    await admitted(c.id, c.secret, 9);
    await objectFailures(c.id, 5);
    await flushAndList(c.id, "failed_authentication");
    await abortAllDurableObjects();
    await admitted(c.id, c.secret, 1);
    await objectFailures(c.id, 5);
    await flushAndList(c.id, "failed_authentication");
    expect(await alertsOf(c.id, "failed_authentication")).toHaveLength(1);
    expect(await alertsOf(c.id, "rate_limit_approaching")).toHaveLength(1);
  });
});

describe("each type is limited separately, per client", () => {
  it("one client can hold one alert of each type at once; another client's alerts are its own", async () => {
    const a = await createClient({ rate_limit: 110 });
    const b = await createClient({ rate_limit: 110 });
    await midHour(a.id);
    await admitted(a.id, a.secret, 100); // rate_limit_approaching (100 ≥ 99) and unusual_usage
    await objectFailures(a.id, 5); // failed_authentication, and 5 of 105 not successful
    await objectFailures(a.id, 1); // 6 of 106 > 5 %: high_error_rate
    await objectFailures(b.id, 5);
    await flushAndList(a.id, "rate_limit_approaching");
    await flushAndList(b.id, "failed_authentication");
    const types = (await alertsOf(a.id)).map((x) => x.type).sort();
    expect(types).toEqual(["failed_authentication", "high_error_rate", "rate_limit_approaching", "unusual_usage"]);
    expect((await alertsOf(b.id)).map((x) => x.type)).toEqual(["failed_authentication"]);
  }, 120_000);
});

describe("an alert's flush", () => {
  it("is scheduled within a second of the alert, not at the usual flush interval", async () => {
    const client = await createClient();
    const wrong = await unrelatedSecret();
    // One request first: the usual flush is then due FLUSH_INTERVAL_MS later.
    expect((await withSecret(client.id, client.secret)).status).toBe(200);
    const usual = await runInDurableObject(authority(client.id), (_i, state) => state.storage.getAlarm());
    expect(usual! - Date.now()).toBeGreaterThan(FLUSH_INTERVAL_MS / 2);
    const before = Date.now();
    // Five wrong secrets in a minute raise failed_authentication (the first is decided by the object).
    for (let i = 0; i < 5; i++) await withSecret(client.id, wrong);
    let alarm: number | null = null;
    for (let i = 0; i < 40; i++) {
      alarm = await runInDurableObject(authority(client.id), (_i, state) => state.storage.getAlarm());
      if (alarm !== null && alarm < usual!) break;
      await sleep(100);
    }
    expect(alarm).not.toBeNull();
    expect(alarm! - before).toBeLessThan(FLUSH_INTERVAL_MS / 2);
  });
});
