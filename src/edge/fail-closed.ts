import { ApiError } from "../lib/errors";
import { describeError, log } from "../lib/log";

/**
 * When KV, D1 or a client's Durable Object cannot answer, the data plane fails closed: 503 with a
 * short Retry-After, never an admit it could not verify and never a 500. Availability is traded for
 * the guarantee that a revoked or over-limit client is never let through.
 */
export function storageUnavailable(err: unknown): ApiError {
  // The binding guard has logged its own failures (binding_unavailable), with the binding's name.
  if (!(err instanceof ApiError)) log("error", "authority_unavailable", describeError(err));
  return new ApiError("service_unavailable", "The gateway cannot verify credentials right now; retry shortly.", {
    headers: { "Retry-After": "1" },
  });
}
