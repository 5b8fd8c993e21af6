import { z } from "@hono/zod-openapi";

/** The contract's error body, as every route documents it. */
export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: "invalid_request" }),
      message: z.string(),
      details: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
      retry_after: z.number().int().optional(),
      request_id: z.string().optional(),
      missing_permission: z
        .string()
        .optional()
        .openapi({ description: "On a 403 `forbidden`: the permission the admin token lacks." }),
      limit: z
        .enum(["max_rate_limit", "max_clients"])
        .optional()
        .openapi({ description: "On a 403 `plan_limit_exceeded`: the organization's limit the call would exceed." }),
      max: z.number().int().optional().openapi({ description: "On a 403 `plan_limit_exceeded`: that limit's value." }),
    }),
  })
  .openapi("Error");

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
  403: "Forbidden (`forbidden`: the admin token lacks a permission or the client scope; `origin_not_allowed` on the data plane)",
  404: "Not found",
  409: "The client's state forbids the change (`client_revoked`, `client_inactive`)",
  413: "The request body is over the limit (`payload_too_large`)",
  429: "Rate limit exceeded",
  502: "Upstream unavailable",
  503: "Service unavailable",
};
