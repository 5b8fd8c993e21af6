/**
 * The one source of time. Production code asks a Clock instead of calling Date.now(), so that
 * tests of windows, grace periods, alerts and the edge's deadlines move time forward instead of
 * sleeping.
 */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/**
 * The isolate's clock: the edge, the admin plane and every client's object (unless a test gives
 * one its own) read it. Tests replace `isolateClock.current`; the app under test runs in their
 * isolate and shares this module. Timers still run in real time: a deadline is checked against
 * this clock when a timer fires.
 */
export const isolateClock: { current: Clock } = { current: systemClock };

export const clockNow = (): number => isolateClock.current.now();
