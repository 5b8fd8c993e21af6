import { NafsiError } from "./errors.js";
import {
  DEFAULT_MAX_RETRIES,
  DEFAULT_MAX_RETRY_DELAY_MS,
  type RetryOptions,
  retryDelayMs,
  serverDelaySeconds,
} from "./retry.js";
import type { Runtime } from "./runtime.js";

export interface SendOptions extends RetryOptions {
  method: string;
  headers: Record<string, string>;
  body?: unknown;
  signal?: AbortSignal;
}

/**
 * One logical call: JSON out, parsed JSON back on 2xx, a NafsiError otherwise, retrying as
 * retry.ts decides. `observe` sees every answer (the data plane reads its rate-limit headers).
 * An `Idempotency-Key` among the headers is sent unchanged on every retry, which makes the call
 * safe to repeat after a network error whatever its method.
 */
export async function send(
  rt: Runtime,
  url: string,
  options: SendOptions,
  observe?: (res: Response) => void,
): Promise<unknown> {
  const { method, signal } = options;
  const headers: Record<string, string> = { Accept: "application/json", ...options.headers };
  if (options.body !== undefined) headers["Content-Type"] = "application/json";
  const init: RequestInit = {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    signal,
  };
  const policy = {
    method,
    maxRetries: options.maxRetries ?? DEFAULT_MAX_RETRIES,
    maxRetryDelayMs: options.maxRetryDelayMs ?? DEFAULT_MAX_RETRY_DELAY_MS,
    random: rt.random,
    keyed: Object.keys(headers).some((name) => name.toLowerCase() === "idempotency-key"),
  };
  for (let retries = 0; ; retries++) {
    let res: Response;
    try {
      res = await rt.fetch(url, init);
    } catch (error) {
      if (signal?.aborted) throw signal.reason ?? error;
      const failure = new NafsiError({
        code: "network_error",
        message: `${method} ${url} failed before an answer arrived: ${(error as Error)?.message ?? error}`,
        cause: error,
      });
      const wait = retryDelayMs({ ...policy, retries, status: null, serverDelay: null });
      if (wait === null) throw failure;
      options.onRetry?.({ attempt: retries + 1, delayMs: wait, error: failure });
      await rt.sleep(wait, signal);
      continue;
    }
    observe?.(res);
    if (res.ok) return readBody(res);
    const serverDelay = serverDelaySeconds(res.headers, rt.now());
    const failure = await errorFrom(res, serverDelay);
    // Of the 409s, only request_in_progress is retried; its code is in the body.
    const inProgress = res.status === 409 && failure.code === "request_in_progress";
    const wait = retryDelayMs({ ...policy, retries, status: res.status, serverDelay, inProgress });
    if (wait === null) throw failure;
    options.onRetry?.({ attempt: retries + 1, delayMs: wait, error: failure });
    await rt.sleep(wait, signal);
  }
}

async function readBody(res: Response): Promise<unknown> {
  const text = await res.text();
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

interface ErrorBody {
  error?: {
    code?: string;
    message?: string;
    details?: NafsiError["details"];
    retry_after?: number;
    request_id?: string;
  };
}

async function errorFrom(res: Response, serverDelay: number | null): Promise<NafsiError> {
  const body = (await readBody(res).catch(() => null)) as ErrorBody | string | null;
  const error = typeof body === "object" && body?.error && typeof body.error.code === "string" ? body.error : null;
  return new NafsiError({
    status: res.status,
    code: error?.code ?? `http_${res.status}`,
    message: error?.message ?? `HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ""}`,
    requestId: res.headers.get("X-Request-Id") ?? error?.request_id ?? null,
    retryAfter: serverDelay ?? error?.retry_after ?? null,
    details: error?.details,
    body: body ?? undefined,
  });
}
