/** Traffic that raises alerts, and reading them back (the alert tests' shared steps; not a test file). */
import {
  createExecutionContext,
  createScheduledController,
  runInDurableObject,
  waitOnExecutionContext,
} from "cloudflare:test";
import { expect } from "vitest";
import worker from "../../src/index";
import { manualClock, setObjectClock } from "./clock";
import {
  alertsOf,
  authority,
  env,
  flushUsage,
  forceFlush,
  sleep,
  statusOf,
  unrelatedSecret,
  withSecret,
} from "./helpers";

const HOUR_MS = 3_600_000;

/**
 * Flushes and lists the client's alerts of a type. The flush alarm must have been pending, so a test
 * of "nothing raised" is not vacuous; but a raised alert schedules its flush within a second, which
 * on a slow machine may already have run by itself: then its alerts are in D1, and a forced flush
 * (which always runs) stands in for it.
 */
export async function flushAndList(clientId: string, type: string, settleMs = 100): Promise<any[]> {
  await sleep(settleMs);
  if (!(await flushUsage(clientId))) {
    expect(await alertsOf(clientId), "no pending flush, and no alert that flushed itself").not.toEqual([]);
    await forceFlush(clientId);
  }
  return alertsOf(clientId, type);
}

export async function admitted(clientId: string, secret: string, n: number): Promise<void> {
  for (let i = 0; i < n; i++) expect(await statusOf(withSecret(clientId, secret))).toBe(200);
}

/**
 * Failed authentications the client's object decides (a well-formed secret that is not the
 * client's): a new secret each time, since one the edge has seen refused it may refuse from memory.
 */
export async function objectFailures(clientId: string, n: number): Promise<void> {
  for (let i = 0; i < n; i++) expect(await statusOf(withSecret(clientId, await unrelatedSecret()))).toBe(401);
}

/**
 * The object's clock, stopped in the middle of an hour, so a test's traffic shares one hour bucket.
 * Never in the past: the flush alarm is set on this clock, and a past alarm would fire on its own.
 */
export function midHour(clientId: string) {
  const now = Date.now();
  let at = Math.floor(now / HOUR_MS) * HOUR_MS + HOUR_MS / 2;
  if (at < now + 60_000) at += HOUR_MS;
  return manualClock(clientId, at);
}

/** The daily cron at `t`, through the Worker's scheduled handler (purge and reminders), with the object's clock at `t`. */
export async function cronAt(clientId: string, t: number, overrides: Record<string, unknown> = {}): Promise<void> {
  await setObjectClock(clientId, t);
  const ctx = createExecutionContext();
  await worker.scheduled(
    createScheduledController({ scheduledTime: new Date(t), cron: "17 3 * * *" }),
    { ...env, ...overrides } as Env,
    ctx,
  );
  await waitOnExecutionContext(ctx);
}

/**
 * The object's own hourly history, what its flushes keep for the unusual-usage baseline:
 * `requests` in each of the 168 hours before the hour of `now`, and any `older` rows (hours back,
 * requests) beside them.
 */
export async function storeHourlyHistory(
  clientId: string,
  now: number,
  requests: number,
  older: [hoursBack: number, requests: number][] = [],
): Promise<void> {
  await runInDurableObject(authority(clientId), (_instance, state: DurableObjectState) => {
    const currentHour = Math.floor(now / HOUR_MS) * HOUR_MS;
    const rows: [number, number][] = [
      ...Array.from({ length: 168 }, (_, i) => [i + 1, requests] as [number, number]),
      ...older,
    ];
    for (const [back, n] of rows)
      state.storage.sql.exec(
        "INSERT OR REPLACE INTO usage_hours (hour, requests) VALUES (?, ?)",
        currentHour - back * HOUR_MS,
        n,
      );
  });
}
