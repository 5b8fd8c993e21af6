import type { Context } from "hono";

/**
 * The request's execution context, for work that must finish after the answer is sent. Hono
 * throws when the app is called without one (directly, as some tests do); then there is none.
 */
export function executionContext(c: Context): ExecutionContext | undefined {
  try {
    return c.executionCtx;
  } catch {
    return undefined;
  }
}
