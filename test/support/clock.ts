/**
 * Simulated time for a client's Durable Object: windows, grace periods and alerts are decided by
 * the object's clock, so a test moves it instead of sleeping. The clock lives until the object is
 * restarted (abortAllDurableObjects gives it the system clock again).
 */
import { runInDurableObject } from "cloudflare:test";
import { onTestFinished } from "vitest";
import { type Clock, isolateClock } from "../../src/lib/clock";
import type { ClientAuthority } from "../../src/object/client-authority";
import { authority } from "./helpers";

export class ManualClock implements Clock {
  constructor(private t: number) {}
  now(): number {
    return this.t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
  set(at: number): void {
    this.t = at;
  }
}

/** Gives the client's object a clock that only moves when the test says so. */
export async function manualClock(clientId: string, start = Date.now()): Promise<ManualClock> {
  const clock = new ManualClock(start);
  await runInDurableObject(authority(clientId), (instance: ClientAuthority) => {
    instance.clock = clock;
  });
  return clock;
}

/** Stops the client's object clock at `t` (shorthand when a test only ever sets it). */
export async function setObjectClock(clientId: string, t: number): Promise<void> {
  await manualClock(clientId, t);
}

/**
 * Runs `fn` with the isolate's clock at `clock`: the edge's deadlines, the admin plane, and every
 * object not given a clock of its own (the app under test runs in the test's isolate).
 */
export async function withIsolateClock<T>(clock: Clock, fn: () => Promise<T>): Promise<T> {
  const saved = isolateClock.current;
  isolateClock.current = clock;
  try {
    return await fn();
  } finally {
    isolateClock.current = saved;
  }
}

/** Gives the isolate `clock` until the current test ends (then the clock it had before the test's first change). */
let beforeTest: Clock | null = null;
function setIsolateClockForTest(clock: Clock): void {
  if (beforeTest === null) {
    beforeTest = isolateClock.current;
    onTestFinished(() => {
      isolateClock.current = beforeTest!;
      beforeTest = null;
    });
  }
  isolateClock.current = clock;
}

/**
 * One manual clock for the client's object and the isolate (the edge) alike, until the test ends:
 * for tests whose answers depend on both, such as a refusal the edge repeats from memory until the
 * window's reset that the object computed.
 */
export async function manualClockEverywhere(clientId: string, start = Date.now()): Promise<ManualClock> {
  const clock = await manualClock(clientId, start);
  setIsolateClockForTest(clock);
  return clock;
}

/**
 * Moves the isolate's clock (the edge's, and every object's without a clock of its own) `ms` ahead
 * until the test ends: past the second for which the edge may repeat a refusal from memory, say.
 */
export function shiftIsolateClock(ms: number): void {
  const current = isolateClock.current;
  setIsolateClockForTest({ now: () => current.now() + ms });
}
