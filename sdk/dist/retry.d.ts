/**
 * The retry policy of the contract, as pure functions of what was observed (so that it is tested
 * on a fake clock): 429 and 503 wait what the server asked (Retry-After, else the IETF `RateLimit`
 * header's t=) plus up to 10 % jitter, so that callers refused together do not return together;
 * network errors back off exponentially with full jitter, on idempotent methods only, because a
 * POST that failed in flight may have been processed.
 */
export interface RetryOptions {
    /** Retries after the first attempt (default 3; 0 disables retrying). */
    maxRetries?: number;
    /** The longest single wait (default 60 000 ms). A longer Retry-After throws at once instead. */
    maxRetryDelayMs?: number;
}
export declare const DEFAULT_MAX_RETRIES = 3;
export declare const DEFAULT_MAX_RETRY_DELAY_MS = 60000;
export declare const BACKOFF_BASE_MS = 500;
export declare const BACKOFF_CAP_MS = 8000;
export declare const JITTER = 0.1;
/**
 * Seconds the server asked to wait: `Retry-After` as delta-seconds or as an HTTP date (relative to
 * `now`, ms), else the `t=` of the IETF `RateLimit` header; null when the answer says nothing.
 */
export declare function serverDelaySeconds(headers: Headers, now: number): number | null;
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
}
/** Milliseconds to wait before retrying, or null to give up (and report the last outcome). */
export declare function retryDelayMs(a: Attempt): number | null;
