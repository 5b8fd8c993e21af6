import { OpenAPIHono, createRoute, z } from "@hono/zod-openapi";
import type { BaseEnv } from "../lib/context";
import { json } from "../lib/openapi";

export const healthRoutes = new OpenAPIHono<BaseEnv>();

healthRoutes.openapi(
  createRoute({
    method: "get",
    path: "/healthz",
    tags: ["Health"],
    summary: "Liveness check (no credentials)",
    responses: { 200: json(z.object({ status: z.literal("ok") }), "The gateway is up") },
  }),
  (c) => c.json({ status: "ok" as const }, 200),
);
