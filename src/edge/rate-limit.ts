import { createMiddleware } from "hono/factory";
import { rememberWrong } from "./wrong-secrets";
import type { AdmitResult } from "../object/protocol";
import { BatchFailed, admitCoalesced } from "./coalesce";
import type { Credential, EdgeEnv } from "./context";
import { clockNow } from "../lib/clock";
import { ApiError, errorResponse } from "../lib/errors";
import { executionContext } from "../lib/execution-context";
import { type RateLimitState, rateLimitHeaders, retryAfterSeconds } from "../domain/rate-limit-headers";
import { queueCompletion } from "./completions";
import { invalidCredentials, workflowProof } from "./authenticate";
import { storageUnavailable } from "./fail-closed";
import { recalledRefusal, rememberRefusal } from "./refusal-memory";
import { recordEdgeFailure } from "./edge-failures";

const DENIAL_MESSAGES = {
  invalid_credentials: "Invalid client credentials.",
  client_inactive: "This client is inactive.",
  client_revoked: "This client has been revoked.",
  workflow_inactive: "This workflow is inactive.",
  workflow_token_invalidated:
    "This workflow's token was minted from a secret that is no longer valid; re-key the workflow with the current secret.",
  origin_not_allowed: "This origin is not allowed for this workflow.",
} as const;

/** The decision for this request: from a call it makes or one it shares with its client's concurrent requests. */
async function ask(env: Env, ctx: ExecutionContext | undefined, credential: Credential): Promise<AdmitResult> {
  try {
    return await admitCoalesced(env, ctx, credential.clientId, credential.proof);
  } catch (err) {
    throw storageUnavailable(err instanceof BatchFailed ? err.cause : err);
  }
}

/** The contract's 429 for a window in this state. */
export function tooManyRequests(state: RateLimitState, requestId: string): Response {
  const retryAfter = retryAfterSeconds(state);
  return errorResponse(
    "rate_limit_exceeded",
    `Rate limit of ${state.limit} requests/minute exceeded`,
    {
      extra: { retry_after: retryAfter },
      headers: { ...rateLimitHeaders(state), "Retry-After": String(retryAfter) },
    },
    { "X-Request-Id": requestId },
  );
}

/**
 * The one call to the client's Durable Object (shared with the client's concurrent requests): it confirms the proof against the client's current
 * state (status, secret versions, workflow) and, only if that holds, counts the request in the
 * exact sliding window. Refused requests, at either step, are not counted in the window.
 */
export const rateLimit = () =>
  createMiddleware<EdgeEnv>(async (c, next) => {
    const startedAt = clockNow();
    let credential = c.get("credential");
    const ctx = executionContext(c);
    // A 429 this credential got from its object less than a second ago (and before its reset) is
    // repeated without a call, and counted in this isolate's batch. Nothing here ever admits.
    const refused = ctx ? recalledRefusal(credential.clientId, credential.proof) : null;
    if (refused) {
      recordEdgeFailure(c.env, ctx!, credential.clientId, "rate_limit_exceeded", credential.workflowId);
      return tooManyRequests(refused, c.get("requestId"));
    }
    let result = await ask(c.env, ctx, credential);
    if (result.outcome === "stale_token" && credential.proof.kind !== "secret") {
      // KV (or this isolate) lagged behind a re-key or a creation: D1's primary has the current token.
      const proof = credential.proof;
      credential = {
        ...credential,
        proof: await workflowProof(c.env, credential.clientId, proof.workflowId, proof.origin, true),
      };
      c.set("credential", credential);
      result = await ask(c.env, ctx, credential);
    }
    if (result.outcome === "stale_token") throw invalidCredentials();
    if (result.outcome === "denied") {
      if (result.wrongSecret && credential.proof.kind === "secret")
        rememberWrong(credential.clientId, credential.proof.secretHash);
      throw ApiError.shared(result.code, DENIAL_MESSAGES[result.code]);
    }
    const state = { limit: result.limit, remaining: result.remaining, resetAt: result.resetAt, now: result.now };
    // Returned, not thrown: the same answer as a thrown ApiError, without building an Error per 429.
    if (!result.admitted) {
      rememberRefusal(credential.clientId, credential.proof, state, startedAt);
      return tooManyRequests(state, c.get("requestId"));
    }
    c.set("rateLimit", state);
    c.set("organizationId", result.organizationId);
    await next();
    // After the answer: the client's object learns how it went (success, units, response time).
    queueCompletion(c.env, ctx, credential.clientId, {
      admittedAt: result.now,
      workflowId: credential.workflowId,
      status: c.res.status,
      responseMs: clockNow() - startedAt,
      code: c.error instanceof ApiError ? c.error.wireCode : undefined,
    });
  });
