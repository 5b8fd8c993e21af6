import { isBrowserContext } from "./browser.js";
import { NafsiError } from "./errors.js";
import type { RetryOptions } from "./retry.js";
import { type Runtime, type RuntimeOptions, runtimeFrom } from "./runtime.js";
import { send } from "./transport.js";

export interface NafsiOptions extends RetryOptions, RuntimeOptions {
  clientId: string;
  /** Browsers: the workflow authenticates, no secret travels. */
  workflowId?: string;
  /** Servers only: refused in a page and in a dedicated, shared or service worker (`secret_in_browser`). */
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
export class Nafsi {
  /** From the last answer's rate-limit headers; null before the first answer or when it had none. */
  rateLimit: RateLimitInfo | null = null;
  readonly #baseUrl: string;
  readonly #credentials: Record<string, string>;
  readonly #defaults: RetryOptions;
  readonly #rt: Runtime;

  private constructor(options: NafsiOptions, credentials: Record<string, string>) {
    this.#baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.#credentials = credentials;
    this.#defaults = {
      maxRetries: options.maxRetries,
      maxRetryDelayMs: options.maxRetryDelayMs,
      onRetry: options.onRetry,
    };
    this.#rt = runtimeFrom(options);
  }

  static init(options: NafsiOptions): Nafsi {
    const { clientId, workflowId, clientSecret, baseUrl } = options ?? ({} as NafsiOptions);
    if (clientSecret !== undefined && isBrowserContext()) {
      throw new NafsiError({
        code: "secret_in_browser",
        message:
          "A client secret must never reach a browser, where every visitor can read it. Use a workflow ID (Nafsi.init({clientId, workflowId, baseUrl})) and keep the secret on your server.",
      });
    }
    if (!clientId || !baseUrl || (workflowId === undefined) === (clientSecret === undefined)) {
      throw new NafsiError({
        code: "invalid_options",
        message:
          "Nafsi.init needs clientId, baseUrl and exactly one of workflowId (browsers) or clientSecret (servers).",
      });
    }
    return new Nafsi(
      options,
      workflowId === undefined
        ? { "X-Client-ID": clientId, "X-Client-Secret": clientSecret! }
        : { "X-Client-ID": clientId, "X-Workflow-ID": workflowId },
    );
  }

  /** Calls `path` (e.g. "/v1/verify") on the gateway; resolves with the parsed JSON of a 2xx answer. */
  request<T = unknown>(path: string, options: RequestOptions = {}): Promise<T> {
    const url = this.#baseUrl + (path.startsWith("/") ? path : `/${path}`);
    return send(
      this.#rt,
      url,
      {
        maxRetries: options.maxRetries ?? this.#defaults.maxRetries,
        maxRetryDelayMs: options.maxRetryDelayMs ?? this.#defaults.maxRetryDelayMs,
        onRetry: options.onRetry ?? this.#defaults.onRetry,
        method: (options.method ?? "GET").toUpperCase(),
        headers: { ...options.headers, ...this.#credentials },
        body: options.body,
        signal: options.signal,
      },
      (res) => {
        this.rateLimit = rateLimitFrom(res.headers);
      },
    ) as Promise<T>;
  }
}

function rateLimitFrom(headers: Headers): RateLimitInfo | null {
  const limit = headers.get("X-RateLimit-Limit");
  const remaining = headers.get("X-RateLimit-Remaining");
  const reset = headers.get("X-RateLimit-Reset");
  if (limit === null || remaining === null || reset === null) return null;
  return { limit: Number(limit), remaining: Number(remaining), reset: Number(reset) };
}
