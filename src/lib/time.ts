/** Stored times are epoch milliseconds; the API speaks ISO 8601 UTC or null. */
export const iso = (ms: number | null | undefined): string | null =>
  ms === null || ms === undefined ? null : new Date(ms).toISOString();

export const SECOND_MS = 1_000;
export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/** The start of the unit (minute, hour, day) that `t` falls in. */
export const floorTo = (t: number, unit: number) => Math.floor(t / unit) * unit;
