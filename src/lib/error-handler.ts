import type { ErrorHandler, NotFoundHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import type { BaseEnv } from "./context";
import { ApiError } from "./errors";
import { describeError, log } from "./log";

/**
 * The ApiError `err` is or was caused by: a library between a route and a binding may wrap the
 * binding guard's 503 (drizzle reports a failed query as "Failed query: …" with it as `cause`).
 */
function apiErrorOf(err: unknown): ApiError | null {
  for (let e = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (e instanceof ApiError) return e;
  }
  return null;
}

/** Every failure leaves as the contract's JSON error; nothing else reaches the client. */
export const handleError: ErrorHandler<BaseEnv> = (err, c) => {
  const requestId = c.get("requestId") ?? "";
  const headers = { "X-Request-Id": requestId };
  const apiError = apiErrorOf(err);
  if (apiError) return apiError.toResponse(headers);
  if (err instanceof HTTPException && err.status < 500) {
    // Hono's own 4xx (malformed JSON from the validator, the body limit): same shape as ours.
    return ApiError.invalidRequest([{ field: "body", message: err.message }], err.message).toResponse(headers);
  }
  log("error", "unhandled_error", {
    request_id: requestId,
    method: c.req.method,
    path: c.req.path,
    ...describeError(err),
  });
  return new ApiError("internal_error", "Something went wrong on our side. Quote the request_id when reporting it.", {
    extra: { request_id: requestId },
  }).toResponse(headers);
};

export const handleNotFound: NotFoundHandler<BaseEnv> = (c) =>
  new ApiError("not_found", `No route for ${c.req.method} ${c.req.path}.`).toResponse({
    "X-Request-Id": c.get("requestId") ?? "",
  });
