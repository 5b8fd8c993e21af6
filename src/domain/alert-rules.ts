/**
 * When each alert type fires (shared/contract.md "Usage, alerts and audit"), at the thresholds of
 * the client's alert settings. Pure: the client's Durable Object supplies the figures, skips a
 * disabled type, and enforces "at most once per hour per client and type".
 */
import type { AlertSettings } from "./alert-settings";

export type AlertType =
  | "rate_limit_approaching"
  | "high_error_rate"
  | "failed_authentication"
  | "unusual_usage"
  | "secret_rotation_due"
  | "secret_leaked";

export const ALERT_COOLDOWN_MS = 3_600_000;
export const FAILED_AUTH_WINDOW_MS = 60_000;
export const ERROR_RATE_WINDOW_MS = 5 * 60_000;

export interface Alert {
  type: AlertType;
  message: string;
  details: Record<string, unknown>;
}

/** threshold_percent (default 90 %) of the limit used inside one window (counted after the admission that reached it). */
export function rateLimitApproaching(
  inWindow: number,
  limit: number,
  { threshold_percent }: AlertSettings["rate_limit_approaching"],
): Alert | null {
  if (inWindow * 100 < limit * threshold_percent) return null;
  return {
    type: "rate_limit_approaching",
    message: `${inWindow} of ${limit} requests/minute used in the last 60 seconds.`,
    details: { requests_in_window: inWindow, rate_limit: limit, threshold: threshold_percent / 100 },
  };
}

/** Over threshold_percent (default 5 %) of at least min_requests (20) in the last 5 minutes were not successful. */
export function highErrorRate(
  requests: number,
  failed: number,
  { threshold_percent, min_requests }: AlertSettings["high_error_rate"],
): Alert | null {
  if (requests < min_requests || failed * 100 <= requests * threshold_percent) return null;
  return {
    type: "high_error_rate",
    message: `${failed} of ${requests} requests in the last 5 minutes were not successful.`,
    details: {
      requests,
      failed,
      error_rate: Math.round((failed / requests) * 10_000) / 10_000,
      threshold: threshold_percent / 100,
    },
  };
}

/** threshold (default 5) or more failed authentications within one minute. */
export function failedAuthentications(
  countInMinute: number,
  { threshold }: AlertSettings["failed_authentication"],
): Alert | null {
  if (countInMinute < threshold) return null;
  return {
    type: "failed_authentication",
    message: `${countInMinute} failed authentications in the last minute.`,
    details: { failed_authentications: countInMinute, threshold },
  };
}

/** The last hour's requests exceed factor (default 3) × the trailing 7-day hourly mean, and at least min_requests (100). */
export function unusualUsage(
  lastHour: number,
  hourlyMean: number,
  { factor, min_requests }: AlertSettings["unusual_usage"],
): Alert | null {
  if (lastHour < min_requests || lastHour <= factor * hourlyMean) return null;
  return {
    type: "unusual_usage",
    message: `${lastHour} requests in the last hour, over ${factor}× the 7-day hourly mean of ${hourlyMean.toFixed(1)}.`,
    details: { last_hour_requests: lastHour, trailing_hourly_mean: Math.round(hourlyMean * 100) / 100, factor },
  };
}
