/**
 * When each alert type fires (shared/contract.md "Usage, alerts and audit"). Pure: the client's
 * Durable Object supplies the figures and enforces "at most once per hour per client and type".
 */
export type AlertType =
  | "rate_limit_approaching"
  | "high_error_rate"
  | "failed_authentication"
  | "unusual_usage"
  | "secret_rotation_due"
  | "secret_leaked";

export const ALERT_COOLDOWN_MS = 3_600_000;
export const FAILED_AUTH_THRESHOLD = 5;
export const FAILED_AUTH_WINDOW_MS = 60_000;
export const ERROR_RATE_WINDOW_MS = 5 * 60_000;
export const ERROR_RATE_MIN_REQUESTS = 20;
export const UNUSUAL_MIN_REQUESTS = 100;

export interface Alert {
  type: AlertType;
  message: string;
  details: Record<string, unknown>;
}

/** 90 % of the limit used inside one window (counted after the admission that reached it). */
export function rateLimitApproaching(inWindow: number, limit: number): Alert | null {
  if (inWindow * 10 < limit * 9) return null;
  return {
    type: "rate_limit_approaching",
    message: `${inWindow} of ${limit} requests/minute used in the last 60 seconds.`,
    details: { requests_in_window: inWindow, rate_limit: limit, threshold: 0.9 },
  };
}

/** Over 5 % of at least 20 requests in the last 5 minutes were not successful. */
export function highErrorRate(requests: number, failed: number): Alert | null {
  if (requests < ERROR_RATE_MIN_REQUESTS || failed * 20 <= requests) return null;
  return {
    type: "high_error_rate",
    message: `${failed} of ${requests} requests in the last 5 minutes were not successful.`,
    details: { requests, failed, error_rate: Math.round((failed / requests) * 10_000) / 10_000, threshold: 0.05 },
  };
}

/** 5 or more failed authentications within one minute. */
export function failedAuthentications(countInMinute: number): Alert | null {
  if (countInMinute < FAILED_AUTH_THRESHOLD) return null;
  return {
    type: "failed_authentication",
    message: `${countInMinute} failed authentications in the last minute.`,
    details: { failed_authentications: countInMinute, threshold: FAILED_AUTH_THRESHOLD },
  };
}

/** The last hour's requests exceed 3× the trailing 7-day hourly mean, and at least 100. */
export function unusualUsage(lastHour: number, hourlyMean: number): Alert | null {
  if (lastHour < UNUSUAL_MIN_REQUESTS || lastHour <= 3 * hourlyMean) return null;
  return {
    type: "unusual_usage",
    message: `${lastHour} requests in the last hour, over 3× the 7-day hourly mean of ${hourlyMean.toFixed(1)}.`,
    details: { last_hour_requests: lastHour, trailing_hourly_mean: Math.round(hourlyMean * 100) / 100, factor: 3 },
  };
}
