import { Hono } from "hono";
import type { EdgeEnv } from "./context";
import { authenticate } from "./authenticate";
import { cors } from "./cors";
import { forward } from "./forward";
import { rateLimit } from "./rate-limit";

/**
 * The hot path, top to bottom: (request id, set app-wide) → CORS for browsers → authenticate at the
 * edge → one call to the client's authority that confirms and rate-limits → forward.
 */
export const dataPlane = new Hono<EdgeEnv>();

dataPlane.use("/v1/*", cors(), authenticate(), rateLimit());
dataPlane.all("/v1/*", forward());
