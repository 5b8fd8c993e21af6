import { createMiddleware } from "hono/factory";
import { timingSafeEqualStrings } from "../domain/hash";
import type { AdminEnv } from "./context";
import { ApiError } from "../lib/errors";

/**
 * `Authorization: Bearer <ADMIN_TOKEN>`. Without a configured token the management API refuses
 * every call (503) rather than running open.
 */
export const adminAuth = () =>
  createMiddleware<AdminEnv>(async (c, next) => {
    const expected = c.env.ADMIN_TOKEN;
    if (!expected) {
      throw new ApiError("service_unavailable", "The management API is not configured (ADMIN_TOKEN is not set).");
    }
    const header = c.req.header("Authorization") ?? "";
    const match = /^Bearer +(\S+)\s*$/i.exec(header);
    if (!match || !(await timingSafeEqualStrings(match[1]!, expected))) {
      throw new ApiError("unauthorized", "A valid admin bearer token is required.", {
        headers: { "WWW-Authenticate": 'Bearer realm="nafsi-admin"' },
      });
    }
    c.set("actor", "admin");
    await next();
  });
