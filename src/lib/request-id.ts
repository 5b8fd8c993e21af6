import { createMiddleware } from "hono/factory";

export interface RequestIdVariables {
  /** The gateway's own ID for this request: answers, logs, the audit log and the upstream carry it. */
  requestId: string;
  /** The caller's own X-Request-Id, when it is a safe token (see CALLER_REQUEST_ID); forwarded as X-Caller-Request-Id. */
  callerRequestId: string | undefined;
}

/**
 * What a caller's request ID may be to be passed on: short, and characters that cannot split a
 * header, a log line or a query.
 */
const CALLER_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The caller's X-Request-Id if it is one we pass on, else undefined (dropped, never repaired). */
export function callerRequestIdOf(header: string | undefined): string | undefined {
  return header !== undefined && CALLER_REQUEST_ID.test(header) ? header : undefined;
}

/**
 * Every request gets an ID the gateway made. A caller's X-Request-Id never replaces it (hono's
 * requestId() would take it, letting a caller choose what the audit log records); a valid one is
 * kept aside to forward under its own name.
 */
export const requestId = () =>
  createMiddleware<{ Variables: RequestIdVariables }>(async (c, next) => {
    const id = crypto.randomUUID();
    c.set("requestId", id);
    c.set("callerRequestId", callerRequestIdOf(c.req.header("X-Request-Id")));
    c.header("X-Request-Id", id);
    await next();
  });
