import { Hono } from "hono";
import type { AppEnv } from "../context";
import { authenticate } from "../middleware/authenticate";
import { forward } from "../middleware/forward";
import { rateLimit } from "../middleware/rate-limit";

/**
 * The hot path, top to bottom: (request id, set app-wide) → authenticate at the edge → one call to
 * the client's authority that confirms and rate-limits → forward.
 */
export const dataPlane = new Hono<AppEnv>();

dataPlane.use("/v1/*", authenticate(), rateLimit());
dataPlane.all("/v1/*", forward());
