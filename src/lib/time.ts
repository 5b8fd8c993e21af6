/** Stored times are epoch milliseconds; the API speaks ISO 8601 UTC or null. */
export const iso = (ms: number | null | undefined): string | null =>
  ms === null || ms === undefined ? null : new Date(ms).toISOString();
