import { bodyLimit } from "hono/body-limit";
import { every } from "hono/combine";
import { createMiddleware } from "hono/factory";
import type { AdminEnv } from "./context";
import { ApiError } from "../lib/errors";

export const MAX_ADMIN_BODY_BYTES = 64 * 1024;

const JSON_TYPE = /^application\/([\w.-]+\+)?json$/i;

/**
 * Admin bodies are small JSON documents: anything over 64 KiB is refused before it is read whole.
 * (The route validators refuse other media types.)
 */
export const jsonBody = () =>
  every(
    bodyLimit({
      maxSize: MAX_ADMIN_BODY_BYTES,
      onError: () => {
        throw ApiError.invalidRequest(
          [{ field: "body", message: `Bodies are limited to ${MAX_ADMIN_BODY_BYTES} bytes.` }],
          "Request body too large.",
        );
      },
    }),
    createMiddleware<AdminEnv>(async (c, next) => {
      const type = (c.req.header("Content-Type") ?? "").split(";")[0]!.trim();
      // An empty body with a JSON type (curl -X POST -H 'Content-Type: application/json') means {}.
      if (JSON_TYPE.test(type) && c.req.header("Content-Length") === "0") c.req.bodyCache.json = Promise.resolve({});
      await next();
    }),
  );
