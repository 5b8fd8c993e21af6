/**
 * What webhook endpoints receive and when a failed delivery is tried again (contract "Alert
 * settings and webhook endpoints"). Pure: the queue consumer applies them.
 */
import { DAY_MS, HOUR_MS, MINUTE_MS } from "../lib/time";
import type { AlertType } from "./alert-rules";

export const WEBHOOK_EVENT_TYPES = [
  "rate_limit_approaching",
  "high_error_rate",
  "failed_authentication",
  "unusual_usage",
  "secret_rotation_due",
  "secret_leaked",
  "webhook.test",
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];
// Every alert type is an event type: an alert type added without its event fails to compile here.
export const everyAlertIsAnEvent: [Exclude<AlertType, WebhookEventType>] extends [never] ? true : false = true;
export const ALL_EVENTS = "*";

/** The waits after attempts 1..7 fail (Standard Webhooks' suggested schedule); attempt 8 is the last. */
export const RETRY_SCHEDULE_MS = [
  5_000,
  5 * MINUTE_MS,
  30 * MINUTE_MS,
  2 * HOUR_MS,
  5 * HOUR_MS,
  10 * HOUR_MS,
  10 * HOUR_MS,
] as const;
export const MAX_DELIVERY_ATTEMPTS = RETRY_SCHEDULE_MS.length + 1;
const JITTER = 0.1;

/**
 * The wait after the `attempts`-th failed attempt, ±10 % so that deliveries that failed together
 * (an endpoint that was down) do not all come back in the same second; null after the last.
 */
export function retryDelayMs(attempts: number, random: () => number = Math.random): number | null {
  const base = RETRY_SCHEDULE_MS[attempts - 1];
  if (base === undefined) return null;
  return Math.round(base * (1 + JITTER * (2 * random() - 1)));
}

/** An attempt waits this long for a 2xx. */
export const ATTEMPT_TIMEOUT_MS = 15_000;
/** An endpoint whose every attempt failed for this long is disabled. */
export const AUTO_DISABLE_AFTER_MS = 5 * DAY_MS;
/** Deliveries (and their events) are kept this long. */
export const DELIVERY_RETENTION_MS = 30 * DAY_MS;
/** After rotate-secret, the old secret still signs for this long. */
export const SECRET_OVERLAP_MS = DAY_MS;

/** Whether an endpoint with these `events` and `client_ids` receives an event of `type` about `clientId`. */
export function endpointWants(
  endpoint: { events: readonly string[]; clientIds: readonly string[] | null },
  type: string,
  clientId: string | null,
): boolean {
  const typeMatches = endpoint.events.includes(ALL_EVENTS) || endpoint.events.includes(type);
  const clientMatches = endpoint.clientIds === null || (clientId !== null && endpoint.clientIds.includes(clientId));
  return typeMatches && clientMatches;
}
