import { WINDOW_MS } from "./sliding-window";

export interface RateLimitState {
  limit: number;
  remaining: number;
  resetAt: number;
  now: number;
}

/**
 * The rate-limit headers of the contract (X-RateLimit-*) and of the IETF draft
 * draft-ietf-httpapi-ratelimit-headers: `RateLimit-Policy` describes the quota (q requests per
 * w seconds) and `RateLimit` the current state (r remaining, t seconds until it grows), both as
 * Structured Field lists naming the policy.
 */
export function rateLimitHeaders(state: RateLimitState): Record<string, string> {
  const resetSeconds = Math.ceil(state.resetAt / 1000);
  const untilReset = Math.max(0, Math.ceil((state.resetAt - state.now) / 1000));
  return {
    "X-RateLimit-Limit": String(state.limit),
    "X-RateLimit-Remaining": String(state.remaining),
    "X-RateLimit-Reset": String(resetSeconds),
    "RateLimit-Policy": `"per-client";q=${state.limit};w=${WINDOW_MS / 1000}`,
    RateLimit: `"per-client";r=${state.remaining};t=${untilReset}`,
  };
}

/** Seconds until a request would be admitted again; at least 1, rounded up so a retry then succeeds. */
export const retryAfterSeconds = (state: RateLimitState): number =>
  Math.max(1, Math.ceil((state.resetAt - state.now) / 1000));
