import type { Context } from "hono";

/**
 * Work that must finish after the answer is sent. Hono throws when a handler runs without an
 * execution context (an app called directly), in which case the work is awaited instead.
 */
export function afterResponse(c: Context, work: Promise<unknown>): void {
  let ctx: ExecutionContext | undefined;
  try {
    ctx = c.executionCtx;
  } catch {
    ctx = undefined;
  }
  if (ctx) ctx.waitUntil(work);
  else void work;
}

export function executionContext(c: Context): ExecutionContext | undefined {
  try {
    return c.executionCtx;
  } catch {
    return undefined;
  }
}
