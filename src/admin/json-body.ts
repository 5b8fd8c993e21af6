import { createMiddleware } from "hono/factory";
import type { AdminEnv } from "./context";
import { readCappedBody } from "../lib/capped-body";

export const MAX_ADMIN_BODY_BYTES = 64 * 1024;

const JSON_TYPE = /^application\/([\w.-]+\+)?json$/i;

/**
 * Admin bodies are small JSON documents: anything over 64 KiB is 413 payload_too_large, whether
 * announced or streamed, and no more than that is kept (src/lib/capped-body.ts says what happens to
 * the rest and why). The route validators refuse other media types.
 */
export const jsonBody = () =>
  createMiddleware<AdminEnv>(async (c, next) => {
    let size = 0;
    if (c.req.raw.body) {
      const body = await readCappedBody(c.req.raw, MAX_ADMIN_BODY_BYTES);
      c.req.raw = new Request(c.req.raw, { body });
      size = body.byteLength;
    }
    const type = (c.req.header("Content-Type") ?? "").split(";")[0]!.trim();
    // An empty body with a JSON type (curl -X POST -H 'Content-Type: application/json') means {}.
    if (JSON_TYPE.test(type) && size === 0) c.req.bodyCache.json = Promise.resolve({});
    await next();
  });
