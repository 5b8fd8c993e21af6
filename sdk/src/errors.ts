/** One field the gateway refused, as in the contract's `invalid_request` details. */
export interface NafsiErrorDetail {
  field: string;
  message: string;
}

export interface NafsiErrorInit {
  status?: number;
  code: string;
  message: string;
  requestId?: string | null;
  retryAfter?: number | null;
  details?: NafsiErrorDetail[];
  body?: unknown;
  cause?: unknown;
}

/**
 * Every failure the SDK reports. `status` is the HTTP status, or 0 when no answer was read
 * (network failure, a refused option, `secret_in_browser`). `code` is the gateway's error code
 * (`invalid_credentials`, `rate_limit_exceeded`, ...), `http_<status>` when the answer had no
 * contract error body, or one of the SDK's own: `network_error`, `secret_in_browser`,
 * `invalid_options`, `invalid_signature`.
 */
export class NafsiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly requestId: string | null;
  /** Seconds the gateway asked to wait (`Retry-After`), or null. */
  readonly retryAfter: number | null;
  readonly details: NafsiErrorDetail[] | undefined;
  /** The answer's parsed body (e.g. `error.missing_permission` of a 403), or undefined. */
  readonly body: unknown;

  constructor(init: NafsiErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = "NafsiError";
    this.status = init.status ?? 0;
    this.code = init.code;
    this.requestId = init.requestId ?? null;
    this.retryAfter = init.retryAfter ?? null;
    this.details = init.details;
    this.body = init.body;
  }
}
