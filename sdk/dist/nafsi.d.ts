import type { RetryOptions } from "./retry.js";
import { type RuntimeOptions } from "./runtime.js";
export interface NafsiOptions extends RetryOptions, RuntimeOptions {
    clientId: string;
    /** Browsers: the workflow authenticates, no secret travels. */
    workflowId?: string;
    /** Servers only: refused where `document` exists. */
    clientSecret?: string;
    /** The gateway, e.g. "https://api.example.com" or "http://localhost:8787". */
    baseUrl: string;
}
export interface RequestOptions extends RetryOptions {
    method?: string;
    /** Sent as JSON. */
    body?: unknown;
    headers?: Record<string, string>;
    /** Aborts the request and any wait between retries. */
    signal?: AbortSignal;
}
/** The last answer's X-RateLimit-* headers; `reset` is Unix seconds. */
export interface RateLimitInfo {
    limit: number;
    remaining: number;
    reset: number;
}
/** A data-plane caller: one client ID with either a workflow ID (browsers) or a secret (servers). */
export declare class Nafsi {
    #private;
    /** From the last answer's rate-limit headers; null before the first answer or when it had none. */
    rateLimit: RateLimitInfo | null;
    private constructor();
    static init(options: NafsiOptions): Nafsi;
    /** Calls `path` (e.g. "/v1/verify") on the gateway; resolves with the parsed JSON of a 2xx answer. */
    request<T = unknown>(path: string, options?: RequestOptions): Promise<T>;
}
