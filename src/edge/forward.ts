import type { Context } from "hono";
import type { EdgeEnv } from "./context";
import { ApiError } from "../lib/errors";
import { describeError, log } from "../lib/log";
import { rateLimitHeaders } from "../domain/rate-limit-headers";

const DEFAULT_TIMEOUT_MS = 30_000;
/** Never passed upstream: the secret, and hop-by-hop or platform headers a proxy must not relay. */
const DROPPED_REQUEST_HEADERS = [
  "x-client-secret",
  "host",
  "connection",
  "keep-alive",
  "te",
  "upgrade",
  "proxy-authorization",
  "cf-connecting-ip",
  "cf-ray",
  "cf-visitor",
  "cf-worker",
];

function upstreamFor(env: Env, environment: "production" | "sandbox"): string | undefined {
  return (environment === "production" ? env.UPSTREAM_URL_PRODUCTION : env.UPSTREAM_URL_SANDBOX) || undefined;
}

/** The upstream base's path, then the request's path; the base's query (if any), then the request's. */
function targetUrl(base: string, incoming: URL): string {
  const target = new URL(base);
  target.pathname = target.pathname.replace(/\/+$/, "") + incoming.pathname;
  // The request's query goes on byte for byte (re-encoding would turn %20 into +).
  const query = [target.search.slice(1), incoming.search.slice(1)].filter(Boolean).join("&");
  target.search = query;
  return target.toString();
}

/** The caller's headers as the upstream gets them: no secret, and who the gateway says called. */
function upstreamHeaders(c: Context<EdgeEnv>): Headers {
  const credential = c.get("credential");
  const headers = new Headers(c.req.raw.headers);
  for (const name of DROPPED_REQUEST_HEADERS) headers.delete(name);
  headers.set("X-Nafsi-Client-Id", credential.clientId);
  headers.set("X-Nafsi-Environment", credential.environment);
  headers.set("X-Nafsi-Organization-Id", c.get("organizationId"));
  if (credential.workflowId) headers.set("X-Nafsi-Workflow-Id", credential.workflowId);
  else headers.delete("X-Nafsi-Workflow-Id");
  headers.set("X-Request-Id", c.get("requestId"));
  // The caller's own ID goes on under its own name, only if it passed validation; a caller cannot
  // set this header directly either.
  const callerRequestId = c.get("callerRequestId");
  if (callerRequestId) headers.set("X-Caller-Request-Id", callerRequestId);
  else headers.delete("X-Caller-Request-Id");
  return headers;
}

/**
 * The last step: the admitted request goes to its environment's upstream (method, path, query and
 * body unchanged, streamed both ways), or, with no upstream configured, the built-in echo answers.
 * Either way the answer carries the rate-limit headers.
 */
export const forward = () => async (c: Context<EdgeEnv>) => {
  const credential = c.get("credential");
  const limitHeaders = rateLimitHeaders(c.get("rateLimit"));
  const upstream = upstreamFor(c.env, credential.environment);

  if (!upstream) {
    const echo = {
      authenticated: true,
      client_id: credential.clientId,
      environment: credential.environment,
      organization_id: c.get("organizationId"),
      workflow_id: credential.workflowId,
      method: c.req.method,
      path: c.req.path,
    };
    return c.json(echo, 200, limitHeaders);
  }

  const incoming = new URL(c.req.url);
  const headers = upstreamHeaders(c);

  const timeout = Number(c.env.UPSTREAM_TIMEOUT_MS) || DEFAULT_TIMEOUT_MS;
  // The timeout bounds the wait for the upstream's answer (its status and headers), not the
  // streaming of its body: a slow stream that has started is passed on whole, not cut off.
  const abort = new AbortController();
  const timer = setTimeout(
    () => abort.abort(new DOMException("The upstream did not answer in time.", "TimeoutError")),
    timeout,
  );
  let response: Response;
  try {
    response = await fetch(targetUrl(upstream, incoming), {
      method: c.req.method,
      headers,
      body: c.req.method === "GET" || c.req.method === "HEAD" ? undefined : c.req.raw.body,
      redirect: "manual",
      signal: abort.signal,
    });
  } catch (err) {
    log("warn", "upstream_unavailable", {
      request_id: c.get("requestId"),
      client_id: credential.clientId,
      ...describeError(err),
    });
    // The request was admitted (and counted) before forwarding: its answer carries the limit headers too.
    throw new ApiError("upstream_unavailable", "The upstream service could not be reached.", { headers: limitHeaders });
  } finally {
    clearTimeout(timer);
  }
  // Upstream headers are immutable on a fetched Response; copy them to add ours.
  const out = new Headers(response.headers);
  for (const [name, value] of Object.entries(limitHeaders)) out.set(name, value);
  out.set("X-Request-Id", c.get("requestId"));
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers: out });
};
