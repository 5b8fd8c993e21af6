import { z } from "@hono/zod-openapi";

export { ErrorSchema, errorResponses, json } from "../../lib/openapi";

export const IsoTime = z.string().datetime().nullable().openapi({ example: "2026-01-28T12:00:00.000Z" });

export const Limit = z.coerce
  .number()
  .int()
  .min(1)
  .max(100)
  .default(50)
  .openapi({ description: "Page size (1..100)." });
export const Cursor = z.string().max(200).optional().openapi({ description: "next_cursor of the previous page." });
