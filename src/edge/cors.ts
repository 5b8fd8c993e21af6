import { createMiddleware } from "hono/factory";
import type { EdgeEnv } from "./context";

const ALLOWED_HEADERS = "X-Client-ID, X-Workflow-ID, Content-Type, X-Request-Id";
const EXPOSED_HEADERS =
  "X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset, RateLimit, RateLimit-Policy, Retry-After, X-Request-Id";
const METHODS = "GET, POST, PUT, PATCH, DELETE, OPTIONS";

/**
 * Browsers on /v1/*. A preflight carries no credentials, so it is answered for any origin (the
 * real request is still checked against the workflow's allowed_origins). X-Client-Secret is
 * deliberately not an allowed header: secrets do not belong in browsers. Every answer to a request
 * with Origin, errors included, carries Access-Control-Allow-Origin for it, so that a browser SDK
 * can read why it was refused (and not retry an invalid_credentials). CORS protects nothing here:
 * what protects a workflow is its allowed_origins, which the gateway enforces itself (403).
 */
export const cors = () =>
  createMiddleware<EdgeEnv>(async (c, next) => {
    const origin = c.req.header("Origin");
    if (c.req.method === "OPTIONS" && origin !== undefined && c.req.header("Access-Control-Request-Method")) {
      return c.body(null, 204, {
        "Access-Control-Allow-Origin": origin,
        "Access-Control-Allow-Methods": METHODS,
        "Access-Control-Allow-Headers": ALLOWED_HEADERS,
        "Access-Control-Max-Age": "600",
        Vary: "Origin, Access-Control-Request-Method, Access-Control-Request-Headers",
      });
    }
    await next();
    if (origin === undefined) return;
    c.res.headers.set("Access-Control-Allow-Origin", origin);
    c.res.headers.set("Access-Control-Expose-Headers", EXPOSED_HEADERS);
    c.res.headers.append("Vary", "Origin");
  });
