/**
 * The client's Durable Object evaluates its alerts from the client's `alert_settings`: a disabled
 * type raises nothing (each case has its enabled twin that does, so none passes vacuously), a moved
 * threshold fires at the new value and not one before, and a PATCH applies from the next request.
 */
import { abortAllDurableObjects, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { admitted, cronAt, flushAndList, midHour, objectFailures, storeHourlyHistory } from "../support/alerts";
import { manualClock } from "../support/clock";
import { alertsOf, authority, createClient, flushUsage, patchClient, sleep } from "../support/helpers";

const DAY_MS = 86_400_000;

/**
 * The enabled twin's alerts: its alert schedules a flush within a second of its own, which may have
 * run already, so this flushes if one is pending and waits for the alert to reach D1.
 */
async function raisedAlerts(clientId: string, type: string): Promise<any[]> {
  await flushUsage(clientId);
  for (let i = 0; i < 30; i++) {
    const alerts = await alertsOf(clientId, type);
    if (alerts.length > 0) return alerts;
    await sleep(100);
  }
  return [];
}

const off = (type: string, fields: Record<string, unknown> = {}) => ({
  alert_settings: { [type]: { enabled: false, ...fields } },
});

describe("rate_limit_approaching", () => {
  it("disabled: the whole limit used raises nothing; enabled by PATCH, the next admission alerts", async () => {
    const c = await createClient({ rate_limit: 10, ...off("rate_limit_approaching") });
    await admitted(c.id, c.secret, 9);
    expect(await flushAndList(c.id, "rate_limit_approaching")).toEqual([]);
    await patchClient(c.id, { alert_settings: { rate_limit_approaching: { enabled: true } } });
    await admitted(c.id, c.secret, 1);
    const alerts = await flushAndList(c.id, "rate_limit_approaching");
    expect(alerts).toHaveLength(1);
    expect(alerts[0].details).toMatchObject({ requests_in_window: 10, rate_limit: 10 });
  });

  it("at 50 %: 49 of 100 → none; the 50th → one", async () => {
    const c = await createClient({
      rate_limit: 100,
      alert_settings: { rate_limit_approaching: { threshold_percent: 50 } },
    });
    await admitted(c.id, c.secret, 49);
    expect(await flushAndList(c.id, "rate_limit_approaching")).toEqual([]);
    await admitted(c.id, c.secret, 1);
    const alerts = await flushAndList(c.id, "rate_limit_approaching");
    expect(alerts).toHaveLength(1);
    expect(alerts[0].details).toMatchObject({ requests_in_window: 50, rate_limit: 100, threshold: 0.5 });
  }, 60_000);

  it("a threshold moved up by PATCH applies from the next request: 9 of 10 at 100 % → none; the 10th → one", async () => {
    const c = await createClient({ rate_limit: 10 });
    await patchClient(c.id, { alert_settings: { rate_limit_approaching: { threshold_percent: 100 } } });
    await admitted(c.id, c.secret, 9);
    expect(await flushAndList(c.id, "rate_limit_approaching")).toEqual([]);
    await admitted(c.id, c.secret, 1);
    expect(await flushAndList(c.id, "rate_limit_approaching")).toHaveLength(1);
  });
});

describe("failed_authentication", () => {
  it("disabled: 6 failures raise nothing (an enabled twin alerts)", async () => {
    const quiet = await createClient(off("failed_authentication"));
    const loud = await createClient();
    await objectFailures(quiet.id, 6);
    await objectFailures(loud.id, 6);
    expect(await flushAndList(quiet.id, "failed_authentication")).toEqual([]);
    expect(await raisedAlerts(loud.id, "failed_authentication")).toHaveLength(1);
  });

  it("threshold 10: 9 → none; the 10th → one", async () => {
    const c = await createClient({ alert_settings: { failed_authentication: { threshold: 10 } } });
    await objectFailures(c.id, 9);
    expect(await flushAndList(c.id, "failed_authentication")).toEqual([]);
    await objectFailures(c.id, 1);
    const alerts = await flushAndList(c.id, "failed_authentication");
    expect(alerts).toHaveLength(1);
    expect(alerts[0].details).toMatchObject({ failed_authentications: 10, threshold: 10 });
  });

  it("threshold 2: counts the last minute on the object's clock (1, a minute later 1 → none; 1 more → one)", async () => {
    const c = await createClient({ alert_settings: { failed_authentication: { threshold: 2 } } });
    const clock = await manualClock(c.id, Date.now() + 60_000);
    await objectFailures(c.id, 1);
    clock.advance(61_000);
    await objectFailures(c.id, 1);
    expect(await flushAndList(c.id, "failed_authentication")).toEqual([]);
    clock.advance(1_000);
    await objectFailures(c.id, 1);
    expect(await flushAndList(c.id, "failed_authentication")).toHaveLength(1);
  });
});

describe("high_error_rate", () => {
  it("disabled: 20 failed requests raise nothing (an enabled twin alerts)", async () => {
    // failed_authentication off on both: its alert would flush on its own, leaving no flush to wait for.
    const noAuthAlert = { failed_authentication: { enabled: false } };
    const quiet = await createClient({ alert_settings: { ...noAuthAlert, high_error_rate: { enabled: false } } });
    const loud = await createClient({ alert_settings: noAuthAlert });
    await objectFailures(quiet.id, 20);
    await objectFailures(loud.id, 20);
    expect(await flushAndList(quiet.id, "high_error_rate")).toEqual([]);
    expect(await raisedAlerts(loud.id, "high_error_rate")).toHaveLength(1);
  });

  it("10 % of at least 10: 9 requests (1 failed) → none; 10 (exactly 10 %) → none; 11 (2 failed) → one", async () => {
    const c = await createClient({
      rate_limit: 1000,
      alert_settings: { high_error_rate: { threshold_percent: 10, min_requests: 10 } },
    });
    await admitted(c.id, c.secret, 8);
    await sleep(200); // the successes' outcomes have arrived
    await objectFailures(c.id, 1);
    expect(await flushAndList(c.id, "high_error_rate")).toEqual([]); // 1 of 9: under min_requests
    await admitted(c.id, c.secret, 1);
    expect(await flushAndList(c.id, "high_error_rate", 200)).toEqual([]); // 1 of 10: not over 10 %
    await objectFailures(c.id, 1);
    const alerts = await flushAndList(c.id, "high_error_rate");
    expect(alerts).toHaveLength(1);
    expect(alerts[0].details).toMatchObject({ requests: 11, failed: 2, threshold: 0.1 });
  });
});

describe("unusual_usage", () => {
  it("disabled: raises nothing even past a lowered minimum (an enabled twin alerts)", async () => {
    const quiet = await createClient(off("unusual_usage", { min_requests: 5 }));
    const loud = await createClient({ alert_settings: { unusual_usage: { min_requests: 5 } } });
    await midHour(quiet.id);
    await midHour(loud.id);
    await admitted(quiet.id, quiet.secret, 6);
    await admitted(loud.id, loud.secret, 6);
    expect(await flushAndList(quiet.id, "unusual_usage")).toEqual([]);
    expect(await raisedAlerts(loud.id, "unusual_usage")).toHaveLength(1);
  });

  it("min_requests 10, no history: 9 → none; the 10th → one", async () => {
    const c = await createClient({ alert_settings: { unusual_usage: { min_requests: 10 } } });
    await midHour(c.id);
    await admitted(c.id, c.secret, 9);
    expect(await flushAndList(c.id, "unusual_usage")).toEqual([]);
    await admitted(c.id, c.secret, 1);
    const alerts = await flushAndList(c.id, "unusual_usage");
    expect(alerts).toHaveLength(1);
    expect(alerts[0].details).toMatchObject({ last_hour_requests: 10, trailing_hourly_mean: 0, factor: 3 });
  });

  it("factor 1.5 over a 7-day mean of 10/hour: 15 (exactly 1.5×) → none; the 16th → one", async () => {
    const c = await createClient({ alert_settings: { unusual_usage: { factor: 1.5, min_requests: 1 } } });
    const clock = await midHour(c.id);
    await storeHourlyHistory(c.id, clock.now(), 10);
    await admitted(c.id, c.secret, 15);
    expect(await flushAndList(c.id, "unusual_usage")).toEqual([]);
    await admitted(c.id, c.secret, 1);
    const alerts = await flushAndList(c.id, "unusual_usage");
    expect(alerts).toHaveLength(1);
    expect(alerts[0].details).toMatchObject({ last_hour_requests: 16, trailing_hourly_mean: 10, factor: 1.5 });
  });
});

describe("secret_rotation_due", () => {
  it("disabled: a due secret is not reminded of; enabled again, the next daily run reminds", async () => {
    const c = await createClient(off("secret_rotation_due"));
    const due = Date.parse(c.client.rotation_due_at);
    await cronAt(c.id, due + DAY_MS);
    expect(await alertsOf(c.id, "secret_rotation_due")).toEqual([]);
    await patchClient(c.id, { alert_settings: { secret_rotation_due: { enabled: true } } });
    await cronAt(c.id, due + 2 * DAY_MS);
    expect(await alertsOf(c.id, "secret_rotation_due")).toHaveLength(1);
  });
});

describe("settings survive a restart of the object", () => {
  it("a disabled type stays disabled after the object is evicted and reloads its row", async () => {
    const c = await createClient({ rate_limit: 10, ...off("rate_limit_approaching") });
    await admitted(c.id, c.secret, 1);
    await abortAllDurableObjects();
    await admitted(c.id, c.secret, 9);
    expect(await flushAndList(c.id, "rate_limit_approaching")).toEqual([]);
  });
});

describe("failed authentications stored before the per-second counts", () => {
  it("a row of the earlier format (one time per failure) still counts after a restart: 4 stored, 1 more → one", async () => {
    const c = await createClient();
    await runInDurableObject(authority(c.id), (_i, state) => {
      const t = Date.now();
      state.storage.sql.exec(
        "INSERT OR REPLACE INTO recent_failure_list (id, times) VALUES (1, ?)",
        JSON.stringify([t - 3000, t - 2000, t - 1000, t]),
      );
    });
    await abortAllDurableObjects();
    await objectFailures(c.id, 1);
    const alerts = await flushAndList(c.id, "failed_authentication");
    expect(alerts.map((a) => a.details.failed_authentications)).toEqual([5]);
  });
});

describe("a client row the object stored before alert settings existed", () => {
  it("is read with the defaults: 9 of 10 admitted → rate_limit_approaching; a due secret → a reminder", async () => {
    const c = await createClient({ rate_limit: 10 });
    await runInDurableObject(authority(c.id), (_i, state) => {
      const [stored] = state.storage.sql.exec<{ row: string }>("SELECT row FROM client_state WHERE id = 1").toArray();
      const { alertSettings: _dropped, ...older } = JSON.parse(stored!.row);
      state.storage.sql.exec("UPDATE client_state SET row = ? WHERE id = 1", JSON.stringify(older));
    });
    await abortAllDurableObjects();
    await admitted(c.id, c.secret, 8);
    expect(await flushAndList(c.id, "rate_limit_approaching")).toEqual([]);
    await admitted(c.id, c.secret, 1);
    expect(await flushAndList(c.id, "rate_limit_approaching")).toHaveLength(1);
    await cronAt(c.id, Date.parse(c.client.rotation_due_at) + DAY_MS);
    expect(await alertsOf(c.id, "secret_rotation_due")).toHaveLength(1);
  });
});
