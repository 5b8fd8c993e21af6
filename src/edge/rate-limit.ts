import { createMiddleware } from "hono/factory";
import { rememberWrong } from "./wrong-secrets";
import type { AdmitRequest, AdmitResult } from "../object/protocol";
import { authorityFor } from "../object/stub";
import type { Credential, EdgeEnv } from "./context";
import { ApiError } from "../lib/errors";
import { executionContext } from "../lib/execution-context";
import { rateLimitHeaders, retryAfterSeconds } from "../domain/rate-limit-headers";
import { queueCompletion, takeCompletions } from "./completions";
import { invalidCredentials, workflowProof } from "./authenticate";
import { storageUnavailable } from "./fail-closed";

const DENIAL_MESSAGES = {
  invalid_credentials: "Invalid client credentials.",
  client_inactive: "This client is inactive.",
  client_revoked: "This client has been revoked.",
  workflow_inactive: "This workflow is inactive.",
  workflow_token_invalidated:
    "This workflow's token was minted from a secret that is no longer valid; re-key the workflow with the current secret.",
  origin_not_allowed: "This origin is not allowed for this workflow.",
} as const;

/**
 * Concurrent requests are not coalesced into one call: workerd refuses to let one request resolve
 * a promise another request waits on ("Cannot perform I/O on behalf of a different request"), so
 * every request makes its own call. What does ride along is the client's queued usage reports.
 */
async function ask(env: Env, credential: Credential): Promise<AdmitResult> {
  const request: AdmitRequest = {
    clientId: credential.clientId,
    proof: credential.proof,
    completions: takeCompletions(env, credential.clientId),
  };
  try {
    return await authorityFor(env, credential.clientId).admit(request);
  } catch (err) {
    throw storageUnavailable(err);
  }
}

/**
 * The one call to the client's Durable Object: it confirms the proof against the client's current
 * state (status, secret versions, workflow) and, only if that holds, counts the request in the
 * exact sliding window. Refused requests, at either step, are not counted in the window.
 */
export const rateLimit = () =>
  createMiddleware<EdgeEnv>(async (c, next) => {
    const startedAt = Date.now();
    let credential = c.get("credential");
    let result = await ask(c.env, credential);
    if (result.outcome === "stale_token" && credential.proof.kind !== "secret") {
      // KV (or this isolate) lagged behind a re-key or a creation: D1's primary has the current token.
      const proof = credential.proof;
      credential = {
        ...credential,
        proof: await workflowProof(c.env, credential.clientId, proof.workflowId, proof.origin, true),
      };
      c.set("credential", credential);
      result = await ask(c.env, credential);
    }
    if (result.outcome === "stale_token") throw invalidCredentials();
    if (result.outcome === "denied") {
      if (result.wrongSecret && credential.proof.kind === "secret")
        rememberWrong(credential.clientId, credential.proof.secretHash);
      throw new ApiError(result.code, DENIAL_MESSAGES[result.code]);
    }
    const state = { limit: result.limit, remaining: result.remaining, resetAt: result.resetAt, now: result.now };
    if (!result.admitted) {
      const retryAfter = retryAfterSeconds(state);
      throw new ApiError("rate_limit_exceeded", `Rate limit of ${state.limit} requests/minute exceeded`, {
        extra: { retry_after: retryAfter },
        headers: { ...rateLimitHeaders(state), "Retry-After": String(retryAfter) },
      });
    }
    c.set("rateLimit", state);
    await next();
    // After the answer: the client's object learns how it went (success, units, response time).
    queueCompletion(c.env, executionContext(c), credential.clientId, {
      admittedAt: result.now,
      workflowId: credential.workflowId,
      status: c.res.status,
      responseMs: Date.now() - startedAt,
      code: c.error instanceof ApiError ? c.error.wireCode : undefined,
    });
  });
