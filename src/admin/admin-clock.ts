import { type Clock, systemClock } from "../lib/clock";

/**
 * The admin plane's time (token expiry, last use, creation and revocation times). Tests replace
 * `adminClock.clock` to move time forward instead of sleeping.
 */
export const adminClock: { clock: Clock } = { clock: systemClock };

export const adminNow = (): number => adminClock.clock.now();
