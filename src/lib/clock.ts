/**
 * The one source of time. Production code asks a Clock instead of calling Date.now(), so that
 * tests of windows, grace periods and alerts move time forward instead of sleeping.
 */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
