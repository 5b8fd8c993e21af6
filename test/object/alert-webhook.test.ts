/**
 * Alert webhooks: signed as `X-Nafsi-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`,
 * delivered from the client's object (never on a request's path), retried with backoff, and never
 * able to change a data-plane answer.
 *
 * The receiver is the `webhook.test` host of the auxiliary worker (test/fixtures/upstream-worker.js),
 * which records what it got. ALERT_WEBHOOK_URL/SECRET are set for one client's object at a time
 * (patchAuthorityEnv): miniflare bindings are global to all test files, and a webhook configured for
 * every object would make every other file's alerts post to it.
 */
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { MAX_ATTEMPTS, retryDelay, signature } from "../../src/object/webhook-delivery";
import {
  alertsOf,
  authority,
  call,
  createClient,
  flushUsage,
  patchAuthorityEnv,
  sleep,
  statusOf,
  unrelatedSecret,
  withSecret,
} from "../support/helpers";

const SECRET = "whsec_test_0123456789abcdef";
const hook = (key: string, query = "") => `http://webhook.test/hook/${key}${query}`;
const newKey = () => crypto.randomUUID();

interface Received {
  method: string;
  headers: Record<string, string>;
  body: string;
  received_at: number;
}

async function received(key: string): Promise<Received[]> {
  const res = await fetch(`http://webhook.test/received/${key}`);
  return (await res.json()) as Received[];
}

async function hmacHex(secret: string, message: string): Promise<string> {
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(message));
  return [...new Uint8Array(mac)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** What a receiver does (docs/operating.md, "The single alert webhook"): parse, recompute over the raw body, compare. */
async function verifies(header: string | undefined, body: string, secret: string): Promise<{ ok: boolean; t: number }> {
  const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header ?? "");
  if (!match) return { ok: false, t: NaN };
  return { ok: (await hmacHex(secret, `${match[1]}.${body}`)) === match[2], t: Number(match[1]) };
}

/** The client's pending webhook deliveries as its object keeps them. */
const outbox = (clientId: string) =>
  runInDurableObject(authority(clientId), (_i, state) =>
    state.storage.sql
      .exec<{ id: string; attempts: number; delivered: number; next_attempt_at: number }>(
        "SELECT id, attempts, delivered, next_attempt_at FROM alert_outbox",
      )
      .toArray(),
  );
const alarmAt = (clientId: string) => runInDurableObject(authority(clientId), (_i, state) => state.storage.getAlarm());
/** Makes every pending delivery due now (as if its backoff had elapsed). */
const backoffElapsed = (clientId: string) =>
  runInDurableObject(authority(clientId), (_i, state) => {
    state.storage.sql.exec("UPDATE alert_outbox SET next_attempt_at = ? WHERE delivered = 0", Date.now() - 1);
  });

async function raiseRateAlert(c: { id: string; secret: string }): Promise<void> {
  expect(await statusOf(withSecret(c.id, c.secret))).toBe(200); // limit 1: 100 % of the window used
}

describe("signature()", () => {
  it("is t=<unix>,v1=<hex HMAC-SHA256(secret, '<t>.<body>')>", async () => {
    const body = JSON.stringify({ id: "alr_x", type: "failed_authentication", details: { n: 5 } });
    const t = 1_767_225_600;
    expect(await signature(SECRET, t, body)).toBe(`t=${t},v1=${await hmacHex(SECRET, `${t}.${body}`)}`);
    // A vector computed outside the Workers runtime (Python's hmac module).
    expect(await signature("whsec_test_vector", 1_700_000_000, '{"id":"alr_1","type":"failed_authentication"}')).toBe(
      "t=1700000000,v1=e47d67b602af5a81862940ad23c83545a189d7371bd1a80dfb06bd3b0fba966a",
    );
    // Each input matters.
    const base = await signature(SECRET, t, body);
    expect(await signature(SECRET + "x", t, body)).not.toBe(base);
    expect((await signature(SECRET, t + 1, body)).split(",v1=")[1]).not.toBe(base.split(",v1=")[1]);
    expect(await signature(SECRET, t, body + " ")).not.toBe(base);
  });

  it("retries back off exponentially, for at least an hour in all", () => {
    for (let a = 1; a < 5; a++) expect(retryDelay(a + 1)).toBe(2 * retryDelay(a));
    let total = 0;
    for (let a = 1; a < MAX_ATTEMPTS; a++) total += retryDelay(a);
    expect(total).toBeGreaterThanOrEqual(3_600_000);
  });
});

describe("alert webhook delivery", () => {
  it("POSTs each alert as JSON with a signature that verifies, once, from the flush (not from the request)", async () => {
    const key = newKey();
    const c = await createClient({ rate_limit: 1 });
    await patchAuthorityEnv(c.id, { ALERT_WEBHOOK_URL: hook(key), ALERT_WEBHOOK_SECRET: SECRET });
    await raiseRateAlert(c);
    await sleep(100);
    expect(await received(key)).toEqual([]); // nothing on the request's path
    const before = Math.floor(Date.now() / 1000);
    expect(await flushUsage(c.id)).toBe(true);
    const after = Math.ceil(Date.now() / 1000);

    const got = await received(key);
    expect(got).toHaveLength(1);
    const [delivery] = got;
    expect(delivery!.method).toBe("POST");
    expect(delivery!.headers["content-type"]).toMatch(/^application\/json/);
    const [alert] = await alertsOf(c.id);
    expect(JSON.parse(delivery!.body)).toEqual({
      id: alert.id,
      type: "rate_limit_approaching",
      client_id: c.id,
      message: alert.message,
      triggered_at: alert.triggered_at,
      details: alert.details,
    });
    const check = await verifies(delivery!.headers["x-nafsi-signature"], delivery!.body, SECRET);
    expect(check.ok, delivery!.headers["x-nafsi-signature"]).toBe(true);
    expect(check.t).toBeGreaterThanOrEqual(before);
    expect(check.t).toBeLessThanOrEqual(after);
    expect((await verifies(delivery!.headers["x-nafsi-signature"], delivery!.body, "another-secret")).ok).toBe(false);
    expect(delivery!.body).not.toContain(c.secret);

    // Delivered: nothing pending, and later flushes do not send it again.
    expect(await outbox(c.id)).toEqual([]);
    await runInDurableObject(authority(c.id), (_i, state) => state.storage.setAlarm(Date.now() + 60_000));
    expect(await runDurableObjectAlarm(authority(c.id))).toBe(true);
    expect(await received(key)).toHaveLength(1);
  });

  it("a failing receiver (500) is retried later with growing delays, until it accepts", async () => {
    const key = newKey();
    const c = await createClient({ rate_limit: 1 });
    await patchAuthorityEnv(c.id, { ALERT_WEBHOOK_URL: hook(key, "?status=500"), ALERT_WEBHOOK_SECRET: SECRET });
    await raiseRateAlert(c);
    await sleep(50);
    let now = Date.now();
    expect(await flushUsage(c.id)).toBe(true);
    expect(await received(key)).toHaveLength(1);
    // The alert itself is stored even though the webhook failed.
    expect(await alertsOf(c.id)).toHaveLength(1);
    let [row] = await outbox(c.id);
    expect(row).toMatchObject({ attempts: 1, delivered: 0 });
    const firstDelay = row!.next_attempt_at - now;
    expect(firstDelay).toBeGreaterThan(5_000);
    expect(firstDelay).toBeLessThan(3_600_000);
    // The next alarm is set for the retry.
    const alarm = await alarmAt(c.id);
    expect(alarm).not.toBeNull();
    expect(Math.abs(alarm! - row!.next_attempt_at)).toBeLessThanOrEqual(1_500);

    // Before the retry is due, an alarm sends nothing.
    expect(await runDurableObjectAlarm(authority(c.id))).toBe(true);
    expect(await received(key)).toHaveLength(1);
    expect((await outbox(c.id))[0]).toMatchObject({ attempts: 1 });

    // Due: attempted again, still failing, and the delay grows.
    await backoffElapsed(c.id);
    now = Date.now();
    expect(await runDurableObjectAlarm(authority(c.id))).toBe(true);
    expect(await received(key)).toHaveLength(2);
    [row] = await outbox(c.id);
    expect(row).toMatchObject({ attempts: 2, delivered: 0 });
    expect(row!.next_attempt_at - now).toBeGreaterThan(firstDelay);
    expect(await alarmAt(c.id)).not.toBeNull();

    // The receiver recovers: the next attempt delivers, and nothing is pending afterwards.
    await patchAuthorityEnv(c.id, { ALERT_WEBHOOK_URL: hook(key), ALERT_WEBHOOK_SECRET: SECRET });
    await backoffElapsed(c.id);
    expect(await runDurableObjectAlarm(authority(c.id))).toBe(true);
    const got = await received(key);
    expect(got).toHaveLength(3);
    expect(await outbox(c.id)).toEqual([]);
    expect(await alarmAt(c.id)).toBeNull();
    // Every attempt carried the same alert, each with a signature that verifies.
    expect(new Set(got.map((g) => g.body)).size).toBe(1);
    for (const g of got) expect((await verifies(g.headers["x-nafsi-signature"], g.body, SECRET)).ok).toBe(true);
    expect(await alertsOf(c.id)).toHaveLength(1);
  });
});

describe("a failing webhook's backoff never delays the usage flush", () => {
  it("traffic counted while a delivery is failing is still flushed within 60 s, whatever the backoff", async () => {
    const key = newKey();
    const c = await createClient({ rate_limit: 1 });
    await patchAuthorityEnv(c.id, {
      ALERT_WEBHOOK_URL: hook(key, "?status=500&delay_ms=1500"),
      ALERT_WEBHOOK_SECRET: SECRET,
    });
    await raiseRateAlert(c);
    await sleep(50);
    expect(await flushUsage(c.id)).toBe(true); // first attempt fails
    // As if it had failed several times already: the next retry is many minutes away once this one fails.
    await runInDurableObject(authority(c.id), (_i, state) => {
      state.storage.sql.exec(
        "UPDATE alert_outbox SET attempts = 5, next_attempt_at = ? WHERE delivered = 0",
        Date.now() - 1,
      );
    });
    const alarm = runDurableObjectAlarm(authority(c.id));
    for (let i = 0; i < 200 && (await received(key)).length < 2; i++) await sleep(20);
    expect(await received(key)).toHaveLength(2); // the retry is in flight
    // Requests counted meanwhile (and after).
    expect(await statusOf(withSecret(c.id, c.secret))).toBe(429);
    expect(await alarm).toBe(true);
    expect(await statusOf(withSecret(c.id, await unrelatedSecret()))).toBe(401);
    await sleep(100);
    const [row] = await outbox(c.id);
    expect(row!.next_attempt_at - Date.now()).toBeGreaterThan(5 * 60_000); // the webhook backs off...
    const at = await alarmAt(c.id);
    expect(at).not.toBeNull();
    expect(at! - Date.now()).toBeLessThanOrEqual(60_000); // ...but the usage flush does not wait for it
  });
});

interface Answer {
  status: number;
  code: string | null;
  limit: string | null;
  remaining: string | null;
  retryAfter: number | null;
  contentType: string | null;
  headerNames: string;
}

async function answer(res: Promise<Response>): Promise<Answer> {
  const r = await res;
  const body = (await r.json()) as { error?: { code: string } };
  return {
    status: r.status,
    code: body.error?.code ?? null,
    limit: r.headers.get("X-RateLimit-Limit"),
    remaining: r.headers.get("X-RateLimit-Remaining"),
    retryAfter: r.headers.has("Retry-After") ? Number(r.headers.get("Retry-After")) : null,
    contentType: r.headers.get("Content-Type"),
    headerNames: [...r.headers.keys()].sort().join(","),
  };
}

/**
 * 3 admitted at a limit of 3 (an alert), then, while the object's alarm delivers that alert, a
 * 429, a wrong secret and a call without credentials. Returns the answers and how long the second
 * part took.
 */
async function scenario(
  webhookUrl: string | null,
): Promise<{ answers: Answer[]; duringMs: number; alarmStillRunning: boolean }> {
  const c = await createClient({ rate_limit: 3 });
  const key = webhookUrl ? new URL(webhookUrl).pathname.split("/")[2]! : null;
  if (webhookUrl) await patchAuthorityEnv(c.id, { ALERT_WEBHOOK_URL: webhookUrl, ALERT_WEBHOOK_SECRET: SECRET });
  const answers: Answer[] = [];
  for (let i = 0; i < 3; i++) answers.push(await answer(withSecret(c.id, c.secret)));
  await sleep(50);
  let alarmDone = false;
  const alarm = runDurableObjectAlarm(authority(c.id)).then((ran) => {
    alarmDone = true;
    return ran;
  });
  // With a receiver, wait until the delivery is in flight (the receiver has it and is answering slowly).
  if (key && webhookUrl!.includes("delay_ms")) {
    for (let i = 0; i < 200 && (await received(key)).length === 0; i++) await sleep(20);
    expect(await received(key)).toHaveLength(1);
  }
  const started = Date.now();
  answers.push(await answer(withSecret(c.id, c.secret)));
  answers.push(await answer(withSecret(c.id, await unrelatedSecret())));
  answers.push(await answer(call("/v1/verify", { headers: { "X-Client-ID": c.id } })));
  answers.push(await answer(withSecret(c.id, c.secret, "/v1/other", { method: "POST", body: "{}" })));
  const duringMs = Date.now() - started;
  const alarmStillRunning = !alarmDone;
  expect(await alarm).toBe(true);
  return { answers, duringMs, alarmStillRunning };
}

function comparable(answers: Answer[]) {
  return answers.map(({ retryAfter, ...rest }) => ({ ...rest, retryAfter: retryAfter === null ? null : "present" }));
}

describe("a failing or slow webhook never changes a data-plane answer", () => {
  it("same statuses, codes and headers with no webhook, a slow failing one, and an unreachable one", async () => {
    const slowKey = newKey();
    const plain = await scenario(null);
    const slow = await scenario(hook(slowKey, "?status=500&delay_ms=6000"));
    const down = await scenario("http://unreachable.test/hook");

    expect(plain.answers.map((a) => a.status)).toEqual([200, 200, 200, 429, 401, 401, 429]);
    expect(comparable(slow.answers)).toEqual(comparable(plain.answers));
    expect(comparable(down.answers)).toEqual(comparable(plain.answers));
    for (const run of [slow, down]) {
      run.answers.forEach((a, i) => {
        if (a.retryAfter !== null)
          expect(Math.abs(a.retryAfter - plain.answers[i]!.retryAfter!)).toBeLessThanOrEqual(2);
      });
    }
    // The slow receiver held its delivery for 6 s; the requests made meanwhile were not held.
    expect(slow.alarmStillRunning).toBe(true);
    expect(slow.duringMs).toBeLessThan(3_000);
    expect(await received(slowKey)).toHaveLength(1);
  });
});
