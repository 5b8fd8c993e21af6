import { Hono } from "hono";
import type { AppEnv } from "../context";
import { authenticate } from "../middleware/authenticate";
import { cors } from "../middleware/cors";
import { forward } from "../middleware/forward";
import { rateLimit } from "../middleware/rate-limit";

/**
 * The hot path, top to bottom: (request id, set app-wide) → CORS for browsers → authenticate at the
 * edge → one call to the client's authority that confirms and rate-limits → forward.
 */
export const dataPlane = new Hono<AppEnv>();

dataPlane.use("/v1/*", cors(), authenticate(), rateLimit());
dataPlane.all("/v1/*", forward());
