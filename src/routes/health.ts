import { OpenAPIHono, createRoute, z } from "@hono/zod-openapi";
import type { AppEnv } from "../context";
import { json } from "../schemas/common";

export const healthRoutes = new OpenAPIHono<AppEnv>();

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
