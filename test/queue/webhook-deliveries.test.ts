/**
 * Webhook deliveries through the queue: each message one attempt, signed as Standard Webhooks
 * (verified with the reference `standardwebhooks` package), retried on the schedule, then failed;
 * endpoints that keep failing disabled; a rotation's two signatures; deliveries that outlive a
 * restart. The receiver is the real `webhook.test` HTTP service of the auxiliary worker.
 *
 * Schedule tests hand messages to the Worker's queue() themselves (createMessageBatch), on a manual
 * clock, with deliveries written straight to D1 so that the real consumer does not run them too.
 */
import { abortAllDurableObjects, env } from "cloudflare:test";
import { Webhook } from "standardwebhooks";
import { afterEach, describe, expect, it } from "vitest";
import { RETRY_SCHEDULE_MS } from "../../src/domain/webhook-rules";
import { attemptTimeout } from "../../src/queue/webhook-consumer";
import { ATTEMPT_TIMEOUT_MS } from "../../src/domain/webhook-rules";
import { DAY_MS, HOUR_MS } from "../../src/lib/time";
import { ManualClock, withIsolateClock } from "../support/clock";
import { adminJson, createClient, flushUsage, sleep, statusOf, withSecret } from "../support/helpers";
import { newScanningKey, report, reported } from "../support/leaks";
import {
  consume,
  createEndpoint,
  deliveryRow,
  hookUrl,
  pendingDelivery,
  received,
  waitForReceived,
} from "../support/webhooks";

afterEach(() => {
  attemptTimeout.ms = ATTEMPT_TIMEOUT_MS;
});

const message = (deliveryId: string, attempts: number, prior = 0) => ({
  body: { delivery_id: deliveryId, prior_attempts: prior },
  attempts,
});

async function endpointRow(id: string): Promise<any> {
  return (await adminJson("GET", `/admin/webhook-endpoints/${id}`)).body.endpoint;
}

describe("the retry schedule", () => {
  it("retries after 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h (±10 %), then marks the delivery failed", async () => {
    const key = crypto.randomUUID();
    const { endpoint } = await createEndpoint({ url: hookUrl(key, "?status=500") });
    const clock = new ManualClock(Date.UTC(2026, 0, 10));
    const id = await pendingDelivery(endpoint.id, clock.now());
    for (let attempt = 1; attempt <= 8; attempt++) {
      const result = await withIsolateClock(clock, () => consume([message(id, attempt)]));
      const row = await deliveryRow(id);
      expect(row).toMatchObject({ attempts: attempt, last_attempt_at: clock.now(), response_status: 500 });
      expect(row!.error).toBe("non_2xx_response");
      if (attempt < 8) {
        const base = RETRY_SCHEDULE_MS[attempt - 1]!;
        expect(result.retryMessages).toHaveLength(1);
        // getQueueResult (vitest-pool-workers 0.15) reports which messages were retried but not their
        // delaySeconds; the consumer passes the same delay it records as next_attempt_at.
        const delay = row!.next_attempt_at - clock.now();
        expect(delay, `after attempt ${attempt}`).toBeGreaterThanOrEqual(Math.floor(base * 0.9));
        expect(delay, `after attempt ${attempt}`).toBeLessThanOrEqual(Math.ceil(base * 1.1));
        expect(row!.status).toBe("pending");
        clock.advance(delay);
      } else {
        expect(result.retryMessages).toEqual([]);
        expect(result.explicitAcks).toHaveLength(1);
        expect(row).toMatchObject({ status: "failed", next_attempt_at: null });
      }
    }
    // Every attempt carried the same webhook-id and its own timestamp, each verifiable.
    const got = await received(key);
    expect(got).toHaveLength(8);
    expect(new Set(got.map((r) => r.headers["webhook-id"])).size).toBe(1);
    expect(new Set(got.map((r) => r.headers["webhook-timestamp"])).size).toBe(8);
    for (const r of got) {
      const ts = Number(r.headers["webhook-timestamp"]);
      expect(ts * 1000).toBeLessThanOrEqual(clock.now());
    }
    // A retry call gives a failed delivery one more attempt; failing again, it is failed again.
    const retried = await adminJson("POST", `/admin/webhook-endpoints/${endpoint.id}/deliveries/${id}/retry`);
    expect(retried.body.delivery).toMatchObject({ status: "pending", attempts: 8 });
    await waitForReceived(key, 9);
    for (let i = 0; i < 100 && (await deliveryRow(id))!.attempts < 9; i++) await sleep(20);
    expect(await deliveryRow(id)).toMatchObject({ status: "failed", attempts: 9 });
  });

  it("a 2xx succeeds at once; a redirect is not followed; a hang is a timeout", async () => {
    const clock = new ManualClock(Date.now());
    const cases: [string, Record<string, unknown>][] = [
      ["?status=200", { status: "succeeded", response_status: 200, error: null }],
      ["?status=302", { status: "pending", response_status: 302, error: "redirect_not_followed" }],
      ["?delay_ms=3000", { status: "pending", response_status: null, error: "timeout" }],
    ];
    attemptTimeout.ms = 300;
    for (const [query, expected] of cases) {
      const { endpoint } = await createEndpoint({ url: hookUrl(crypto.randomUUID(), query) });
      const id = await pendingDelivery(endpoint.id, clock.now());
      await withIsolateClock(clock, () => consume([message(id, 1)]));
      expect(await deliveryRow(id), query).toMatchObject({ attempts: 1, ...expected });
    }
  });

  it("a duplicate message (the attempt already made) is acknowledged without another attempt", async () => {
    const key = crypto.randomUUID();
    const { endpoint } = await createEndpoint({ url: hookUrl(key, "?status=500") });
    const id = await pendingDelivery(endpoint.id, Date.now());
    await consume([message(id, 1)]);
    const duplicate = await consume([message(id, 1)]);
    expect(duplicate.explicitAcks).toHaveLength(1);
    expect(await received(key)).toHaveLength(1);
    expect((await deliveryRow(id))!.attempts).toBe(1);
  });
});

describe("a consumer restart", () => {
  it("a message redelivered after the consumer died before recording its attempt is still delivered", async () => {
    const key = crypto.randomUUID();
    const { endpoint, secret } = await createEndpoint({ url: hookUrl(key) });
    const id = await pendingDelivery(endpoint.id, Date.now());
    // The queue hands the message over again (attempts 2): the row still says no attempt was made.
    await consume([message(id, 2)]);
    expect(await deliveryRow(id)).toMatchObject({ status: "succeeded", attempts: 1 });
    const [got] = await received(key);
    expect(new Webhook(secret).verify(got!.body, got!.headers)).toMatchObject({ type: "webhook.test" });
  });
});

describe("auto-disable", () => {
  it("an endpoint all of whose attempts failed for 5 days is disabled by system, audited; a success resets the run", async () => {
    const { endpoint } = await createEndpoint({ url: hookUrl(crypto.randomUUID(), "?status=503") });
    const t0 = Date.UTC(2026, 1, 1);
    const clock = new ManualClock(t0);
    const fail = async () => {
      const id = await pendingDelivery(endpoint.id, clock.now());
      await withIsolateClock(clock, () => consume([message(id, 1)]));
    };
    await fail();
    clock.set(t0 + 5 * DAY_MS - HOUR_MS);
    await fail();
    expect(await endpointRow(endpoint.id)).toMatchObject({ status: "enabled", disabled_reason: null });
    clock.set(t0 + 5 * DAY_MS);
    await fail();
    expect(await endpointRow(endpoint.id)).toMatchObject({ status: "disabled", disabled_reason: "failing" });
    const { body } = await adminJson("GET", `/admin/audit-log?target_id=${endpoint.id}&limit=100`);
    const disable = body.entries.filter((e: any) => e.action === "webhook_endpoint.disable");
    expect(disable).toHaveLength(1);
    expect(disable[0].actor).toBe("system");

    // A pending delivery of a disabled endpoint is not attempted.
    const id = await pendingDelivery(endpoint.id, clock.now());
    await withIsolateClock(clock, () => consume([message(id, 1)]));
    expect(await deliveryRow(id)).toMatchObject({ status: "failed", attempts: 0, error: "endpoint_disabled" });

    // An endpoint that succeeds in between starts a new run.
    const key = crypto.randomUUID();
    const healthy = await createEndpoint({ url: hookUrl(key, "?status=500") });
    const other = new ManualClock(t0);
    const attemptTo = async (url: string) => {
      await adminJson("PATCH", `/admin/webhook-endpoints/${healthy.endpoint.id}`, { url });
      const d = await pendingDelivery(healthy.endpoint.id, other.now());
      await withIsolateClock(other, () => consume([message(d, 1)]));
    };
    await attemptTo(hookUrl(key, "?status=500"));
    other.set(t0 + 3 * DAY_MS);
    await attemptTo(hookUrl(key, "?status=200"));
    other.set(t0 + 6 * DAY_MS);
    await attemptTo(hookUrl(key, "?status=500"));
    expect((await endpointRow(healthy.endpoint.id)).status).toBe("enabled");
  });
});

describe("secret rotation", () => {
  it("for 24 hours deliveries carry the new and the old signature, each verifying with standardwebhooks", async () => {
    const key = crypto.randomUUID();
    const { endpoint, secret: oldSecret } = await createEndpoint({ url: hookUrl(key) });
    const clock = new ManualClock(Date.now());
    const { body } = await withIsolateClock(clock, () =>
      adminJson("POST", `/admin/webhook-endpoints/${endpoint.id}/rotate-secret`),
    );
    const newSecret: string = body.secret;
    const during = await pendingDelivery(endpoint.id, clock.now());
    await withIsolateClock(clock, () => consume([message(during, 1)]));
    clock.advance(DAY_MS + 1000);
    const after = await pendingDelivery(endpoint.id, clock.now());
    await withIsolateClock(clock, () => consume([message(after, 1)]));

    const [first, second] = await received(key);
    expect(first!.headers["webhook-signature"]!.split(" ")).toHaveLength(2);
    expect(first!.headers["webhook-signature"]).toMatch(/^v1,[A-Za-z0-9+/]+=* v1,[A-Za-z0-9+/]+=*$/);
    // Verified at the attempt's own time (the reference library refuses timestamps 5 minutes off).
    const at = (r: any) => {
      const ts = Number(r.headers["webhook-timestamp"]);
      return { ...r.headers, "webhook-timestamp": String(ts) };
    };
    const verifyAt = (s: string, r: any) => {
      const realNow = Date.now;
      Date.now = () => Number(r.headers["webhook-timestamp"]) * 1000;
      try {
        return new Webhook(s).verify(r.body, at(r));
      } finally {
        Date.now = realNow;
      }
    };
    expect(verifyAt(newSecret, first)).toMatchObject({ type: "webhook.test" });
    expect(verifyAt(oldSecret, first)).toMatchObject({ type: "webhook.test" });
    expect(second!.headers["webhook-signature"]!.split(" ")).toHaveLength(1);
    expect(verifyAt(newSecret, second)).toMatchObject({ type: "webhook.test" });
    expect(() => verifyAt(oldSecret, second)).toThrow();
  });
});

describe("a batch", () => {
  it("runs its deliveries concurrently: a hanging endpoint does not hold up another", async () => {
    attemptTimeout.ms = 4000;
    const slowKey = crypto.randomUUID();
    const fastKey = crypto.randomUUID();
    const slow = await createEndpoint({ url: hookUrl(slowKey, "?delay_ms=10000") });
    const fast = await createEndpoint({ url: hookUrl(fastKey) });
    const slowId = await pendingDelivery(slow.endpoint.id, Date.now());
    const fastId = await pendingDelivery(fast.endpoint.id, Date.now());
    // The hanging one first: handled one after the other, the fast one would wait for its timeout.
    const running = consume([message(slowId, 1), message(fastId, 1)]);
    for (;;) {
      const row = await deliveryRow(fastId);
      if (row!.status === "succeeded") break;
      await sleep(20);
    }
    expect(await received(slowKey)).toHaveLength(1); // the slow request is in flight…
    expect((await deliveryRow(slowId))!.attempts).toBe(0); // …and not answered yet
    await running;
    expect(await deliveryRow(slowId)).toMatchObject({ attempts: 1, error: "timeout" });
  });
});

describe("alerts become events", () => {
  it("an alert reaches every matching endpoint once, signed, even across an object restart", async () => {
    const client = await createClient({ rate_limit: 1 });
    const key = crypto.randomUUID();
    const otherKey = crypto.randomUUID();
    const { endpoint, secret } = await createEndpoint({
      url: hookUrl(key),
      events: ["rate_limit_approaching"],
      client_ids: [client.id],
    });
    // Another client's endpoint and another type's endpoint get nothing.
    const elsewhere = await createClient();
    await createEndpoint({ url: hookUrl(otherKey), client_ids: [elsewhere.id] });
    await createEndpoint({ url: hookUrl(otherKey), events: ["secret_leaked"] });

    expect(await statusOf(withSecret(client.id, client.secret))).toBe(200); // 100 % of a limit of 1
    // The object restarts before its alarm has written and published the alert.
    await abortAllDurableObjects();
    await flushUsage(client.id);

    const [got] = await waitForReceived(key);
    const payload: any = new Webhook(secret).verify(got!.body, got!.headers);
    expect(payload.type).toBe("rate_limit_approaching");
    expect(payload.data).toMatchObject({ client_id: client.id, type: "rate_limit_approaching" });
    expect(payload.data.id).toMatch(/^alr_/);
    expect(got!.headers["webhook-id"]).toBe(`evt_${payload.data.id.slice(4)}`);
    expect(payload.timestamp).toBe(payload.data.triggered_at);

    // Publishing again (another alarm) adds no delivery.
    await flushUsage(client.id);
    const deliveries = (await adminJson("GET", `/admin/webhook-endpoints/${endpoint.id}/deliveries`)).body.deliveries;
    expect(deliveries).toHaveLength(1);
    await sleep(300);
    expect(await received(otherKey)).toEqual([]);
    expect(await received(key)).toHaveLength(1);
    void env;
  });
});

describe("a leaked secret", () => {
  it("becomes a secret_leaked event for the endpoints that want it, without the secret", async () => {
    const client = await createClient();
    const key = crypto.randomUUID();
    const { secret } = await createEndpoint({ url: hookUrl(key), events: ["secret_leaked"], client_ids: [client.id] });
    const res = await report(await newScanningKey(), [reported(client.secret)]);
    expect(res.status).toBe(200);
    await flushUsage(client.id);
    const [got] = await waitForReceived(key);
    const payload: any = new Webhook(secret).verify(got!.body, got!.headers);
    expect(payload).toMatchObject({ type: "secret_leaked", data: { client_id: client.id, type: "secret_leaked" } });
    expect(got!.body).not.toContain(client.secret);
  });
});
