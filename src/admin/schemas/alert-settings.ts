import { z } from "@hono/zod-openapi";
import { ALERT_SETTING_RANGES as R, DEFAULT_ALERT_SETTINGS as D } from "../../domain/alert-settings";

/**
 * `alert_settings` in and out. Input is deep-partial (create: what is not named takes the defaults;
 * PATCH: only what is named changes) and strict at both levels, so a misspelt type or field is a
 * 400 rather than a setting silently not taken. `secret_leaked` has no entry: it is always on.
 */
const Enabled = z.boolean();
const between = ([min, max]: readonly [number, number], integer: boolean) =>
  (integer ? z.number().int() : z.number()).min(min).max(max);

const RateLimitPercent = between(R.rate_limit_threshold_percent, false);
const ErrorPercent = between(R.error_threshold_percent, false);
const MinRequests = between(R.min_requests, true);
const FailedAuthThreshold = between(R.failed_auth_threshold, true);
const Factor = between(R.factor, false);

const shapes = {
  rate_limit_approaching: { enabled: Enabled, threshold_percent: RateLimitPercent },
  high_error_rate: { enabled: Enabled, threshold_percent: ErrorPercent, min_requests: MinRequests },
  failed_authentication: { enabled: Enabled, threshold: FailedAuthThreshold },
  unusual_usage: { enabled: Enabled, factor: Factor, min_requests: MinRequests },
  secret_rotation_due: { enabled: Enabled },
};

const described = {
  rate_limit_approaching: `Share of the rate limit used inside one window (threshold_percent ${R.rate_limit_threshold_percent.join("..")}).`,
  high_error_rate: `Share of unsuccessful requests in the last 5 minutes, once there are min_requests (threshold_percent ${R.error_threshold_percent.join("..")}, min_requests ${R.min_requests.join("..")}).`,
  failed_authentication: `Failed authentications within a minute (threshold ${R.failed_auth_threshold.join("..")}).`,
  unusual_usage: `The last hour's requests over factor × the trailing 7-day hourly mean, and at least min_requests (factor ${R.factor.join("..")}, min_requests ${R.min_requests.join("..")}).`,
  secret_rotation_due: "The daily reminder that the client's secret is past its maximum age.",
};

export const AlertSettingsSchema = z
  .object({
    rate_limit_approaching: z
      .object(shapes.rate_limit_approaching)
      .openapi({ description: described.rate_limit_approaching }),
    high_error_rate: z.object(shapes.high_error_rate).openapi({ description: described.high_error_rate }),
    failed_authentication: z
      .object(shapes.failed_authentication)
      .openapi({ description: described.failed_authentication }),
    unusual_usage: z.object(shapes.unusual_usage).openapi({ description: described.unusual_usage }),
    secret_rotation_due: z.object(shapes.secret_rotation_due).openapi({ description: described.secret_rotation_due }),
  })
  .openapi("AlertSettings", {
    description: "Which alerts the client raises and at which thresholds. secret_leaked is always on.",
    example: D,
  });

export const AlertSettingsInput = z
  .strictObject({
    rate_limit_approaching: z.strictObject(shapes.rate_limit_approaching).partial().optional(),
    high_error_rate: z.strictObject(shapes.high_error_rate).partial().optional(),
    failed_authentication: z.strictObject(shapes.failed_authentication).partial().optional(),
    unusual_usage: z.strictObject(shapes.unusual_usage).partial().optional(),
    secret_rotation_due: z.strictObject(shapes.secret_rotation_due).partial().optional(),
  })
  .openapi("AlertSettingsInput", {
    description:
      "Any of the alert types, each with any of its fields; what is not named keeps its value (on create: the default).",
    example: { rate_limit_approaching: { threshold_percent: 75 }, unusual_usage: { enabled: false } },
  });
