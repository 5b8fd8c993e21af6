import type { ContentfulStatusCode } from "hono/utils/http-status";

/**
 * Every error code the gateway can answer with, and its HTTP status. This table is the contract's
 * error list (shared/contract.md "Errors"); nothing else decides an error's status.
 */
export const ERROR_STATUS = {
  invalid_request: 400,
  immutable_field: 400,
  sandbox_rate_limit_fixed: 400,
  invalid_client_secret: 400,
  unauthorized: 401,
  missing_credentials: 401,
  invalid_credentials: 401,
  client_inactive: 401,
  client_revoked: 401,
  workflow_inactive: 401,
  workflow_token_invalidated: 401,
  invalid_signature: 401,
  forbidden: 403,
  origin_not_allowed: 403,
  plan_limit_exceeded: 403,
  not_found: 404,
  payload_too_large: 413,
  // A management call on a revoked/inactive client is a conflict with its state, not an auth failure.
  client_revoked_conflict: 409,
  client_inactive_conflict: 409,
  // An Idempotency-Key already used for another request, still in use, or whose answer showed a secret.
  idempotency_key_mismatch: 409,
  request_in_progress: 409,
  secret_already_shown: 409,
  rate_limit_exceeded: 429,
  internal_error: 500,
  upstream_unavailable: 502,
  service_unavailable: 503,
} as const satisfies Record<string, ContentfulStatusCode>;

export type ErrorCode = keyof typeof ERROR_STATUS;

/** Codes that share a wire name but differ in status by plane (401 on the data plane, 409 in admin). */
const WIRE_CODE: Partial<Record<ErrorCode, string>> = {
  client_revoked_conflict: "client_revoked",
  client_inactive_conflict: "client_inactive",
};

/** The code as the answer's body names it. */
export const wireCode = (code: ErrorCode): string => WIRE_CODE[code] ?? code;

export interface FieldIssue {
  field: string;
  message: string;
}

const SHARED = new Map<string, ApiError>();

export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly status: ContentfulStatusCode;
  readonly extra: Record<string, unknown>;
  readonly headers: Record<string, string>;

  constructor(
    code: ErrorCode,
    message: string,
    options: { extra?: Record<string, unknown>; headers?: Record<string, string> } = {},
  ) {
    super(message);
    this.name = "ApiError";
    this.code = code;
    this.status = ERROR_STATUS[code];
    this.extra = options.extra ?? {};
    this.headers = options.headers ?? {};
  }

  get wireCode(): string {
    return wireCode(this.code);
  }

  toResponse(extraHeaders: Record<string, string> = {}): Response {
    return errorResponse(this.code, this.message, { extra: this.extra, headers: this.headers }, extraHeaders);
  }

  /**
   * One frozen instance per (code, message) for refusals that carry nothing per request and come
   * at junk rates (bad credentials): building an Error per refusal was ~10 % of such a request's
   * CPU in the bench's profile. Nothing mutates an ApiError; freezing makes that a rule.
   */
  static shared(code: ErrorCode, message: string): ApiError {
    const key = `${code}\n${message}`;
    let error = SHARED.get(key);
    if (!error) {
      error = new ApiError(code, message);
      Object.freeze(error.extra);
      Object.freeze(error.headers);
      SHARED.set(key, Object.freeze(error));
    }
    return error;
  }

  static invalidRequest(details: FieldIssue[], message = "The request is not valid."): ApiError {
    return new ApiError("invalid_request", message, { extra: { details } });
  }
}

/**
 * The answer an ApiError gives, built without the Error: for a refusal the hot path returns at
 * flood rates (429), where the Error itself (its stack captured through the middleware chain) was
 * a measurable share of the request's CPU.
 */
export function errorResponse(
  code: ErrorCode,
  message: string,
  options: { extra?: Record<string, unknown>; headers?: Record<string, string> },
  extraHeaders: Record<string, string> = {},
): Response {
  const body = { error: { code: WIRE_CODE[code] ?? code, message, ...options.extra } };
  return new Response(JSON.stringify(body), {
    status: ERROR_STATUS[code],
    headers: { "Content-Type": "application/json", ...options.headers, ...extraHeaders },
  });
}

/** Turns a refusal that crossed the Durable Object boundary back into the error it stands for. */
export function fromRefusal(refusal: {
  code: ErrorCode;
  message: string;
  field?: string;
  extra?: Record<string, unknown>;
}): ApiError {
  if (refusal.code === "invalid_request") {
    return ApiError.invalidRequest([{ field: refusal.field ?? "", message: refusal.message }], refusal.message);
  }
  return new ApiError(refusal.code, refusal.message, refusal.extra ? { extra: refusal.extra } : {});
}
