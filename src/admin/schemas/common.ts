import { z } from "@hono/zod-openapi";

export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: "invalid_request" }),
      message: z.string(),
      details: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
      retry_after: z.number().int().optional(),
      request_id: z.string().optional(),
    }),
  })
  .openapi("Error");

export const IsoTime = z.string().datetime().nullable().openapi({ example: "2026-01-28T12:00:00.000Z" });

export const Limit = z.coerce
  .number()
  .int()
  .min(1)
  .max(100)
  .default(50)
  .openapi({ description: "Page size (1..100)." });
export const Cursor = z.string().max(200).optional().openapi({ description: "next_cursor of the previous page." });

/** A JSON response, or an error response, described once for every route. */
export const json = <T extends z.ZodTypeAny>(schema: T, description: string) => ({
  content: { "application/json": { schema } },
  description,
});

export const errorResponses = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((s) => [s, json(ErrorSchema, ERROR_DESCRIPTIONS[s] ?? "Error")]));

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: "Invalid request (`invalid_request`, `immutable_field`, `sandbox_rate_limit_fixed`, `invalid_client_secret`)",
  401: "Missing or wrong credentials",
  403: "Origin not allowed",
  404: "Not found",
  409: "The client's state forbids the change (`client_revoked`, `client_inactive`)",
  429: "Rate limit exceeded",
  502: "Upstream unavailable",
  503: "Service unavailable",
};
