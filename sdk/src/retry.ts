/**
 * The retry policy of the contract, as pure functions of what was observed (so that it is tested
 * on a fake clock): 429 and 503 wait what the server asked (Retry-After, else the IETF `RateLimit`
 * header's t=) plus up to 10 % jitter, so that callers refused together do not return together;
 * network errors back off exponentially with full jitter, on idempotent methods only, because a
 * POST that failed in flight may have been processed, unless it carries an Idempotency-Key (the
 * gateway then answers a repeat without doing it twice). A 409 `request_in_progress` (the key's
 * first request still runs) waits its Retry-After like a 429.
 */

import type { NafsiError } from "./errors.js";

/** What `onRetry` is told before each wait. */
export interface RetryInfo {
  /** The retry about to be made: 1 for the first. */
  attempt: number;
  /** How long the SDK will wait before it. */
  delayMs: number;
  /** What went wrong: the answer's error (e.g. `rate_limit_exceeded`) or `network_error`. */
  error: NafsiError;
}

export interface RetryOptions {
  /** Retries after the first attempt (default 3; 0 disables retrying). */
  maxRetries?: number;
  /**
   * The longest single wait (default 60 000 ms; at most 2^31 - 1 ms, the longest timer platforms
   * keep). A longer Retry-After throws at once instead.
   */
  maxRetryDelayMs?: number;
  /**
   * Called before each wait, so that a page can say why it is waiting. If it throws, the call
   * rejects with that error and is not retried.
   */
  onRetry?: (info: RetryInfo) => void;
}

export const DEFAULT_MAX_RETRIES = 3;
export const DEFAULT_MAX_RETRY_DELAY_MS = 60_000;
export const BACKOFF_BASE_MS = 500;
export const BACKOFF_CAP_MS = 8_000;
export const JITTER = 0.1;
/**
 * setTimeout keeps its delay in a signed 32-bit integer: a longer one fires at once (browsers, Node,
 * Deno and Workers alike), which turned a long Retry-After into immediate retries.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;

const IDEMPOTENT = /^(GET|HEAD|OPTIONS|PUT|DELETE)$/;

/**
 * Seconds the server asked to wait: `Retry-After` as delta-seconds or as an HTTP date (relative to
 * `now`, ms), else the `t=` of the IETF `RateLimit` header; null when the answer says nothing.
 */
export function serverDelaySeconds(headers: Headers, now: number): number | null {
  const retryAfter = headers.get("Retry-After")?.trim();
  if (retryAfter) {
    if (/^\d+$/.test(retryAfter)) return Number(retryAfter);
    const at = Date.parse(retryAfter);
    if (!Number.isNaN(at)) return Math.max(0, Math.ceil((at - now) / 1000));
  }
  const t = /(?:^|[;,\s])t=(\d+)/.exec(headers.get("RateLimit") ?? "");
  return t ? Number(t[1]) : null;
}

export interface Attempt {
  /** Retries already made (0 after the first attempt). */
  retries: number;
  method: string;
  /** The answer's status, or null for a network error (no answer). */
  status: number | null;
  /** serverDelaySeconds of the answer. */
  serverDelay: number | null;
  maxRetries: number;
  maxRetryDelayMs: number;
  random: () => number;
  /** The request carries an Idempotency-Key: any method is as safe to repeat as a GET. */
  keyed?: boolean;
  /** The answer was 409 `request_in_progress`: not processed, retried after its Retry-After. */
  inProgress?: boolean;
}

/** Milliseconds to wait before retrying, or null to give up (and report the last outcome). */
export function retryDelayMs(attempt: Attempt): number | null {
  const a = { ...attempt, ...limits(attempt) };
  if (a.retries >= a.maxRetries) return null;
  const idempotent = a.keyed === true || IDEMPOTENT.test(a.method.toUpperCase());
  if (a.status === 429 || a.status === 503 || (a.status === 409 && a.inProgress === true)) {
    if (a.serverDelay !== null) {
      const ms = a.serverDelay * 1000;
      if (ms > a.maxRetryDelayMs) return null;
      return Math.min(a.maxRetryDelayMs, ms * (1 + JITTER * a.random()));
    }
    // No hint from the server: a 429 was not processed, so any method may back off; a bare 503
    // may come from an upstream that did part of the work, so only idempotent methods retry.
    return a.status === 429 || idempotent ? backoffMs(a) : null;
  }
  return a.status === null && idempotent ? backoffMs(a) : null;
}

/** Full jitter: uniform in [0, min(cap, base * 2^retries)). */
const backoffMs = (a: Attempt): number =>
  a.random() * Math.min(BACKOFF_CAP_MS, a.maxRetryDelayMs, BACKOFF_BASE_MS * 2 ** a.retries);

/**
 * The options as the policy can use them: a NaN (every comparison with it false) would retry
 * forever or wait no time at all, so it means the default; no wait exceeds what a timer can hold.
 */
function limits(a: Pick<Attempt, "maxRetries" | "maxRetryDelayMs">) {
  return {
    maxRetries: Number.isNaN(a.maxRetries) ? DEFAULT_MAX_RETRIES : a.maxRetries,
    maxRetryDelayMs: Number.isNaN(a.maxRetryDelayMs)
      ? DEFAULT_MAX_RETRY_DELAY_MS
      : Math.max(0, Math.min(MAX_TIMER_MS, a.maxRetryDelayMs)),
  };
}
