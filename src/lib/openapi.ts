import { z } from "@hono/zod-openapi";
import { ERROR_STATUS, type ErrorCode, wireCode } from "./errors";

/** The contract's error body, as every route documents it. */
export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: "invalid_request" }),
      message: z.string(),
      details: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
      retry_after: z.number().int().optional(),
      request_id: z.string().optional(),
      resource_id: z.string().optional().openapi({
        description: "On a 409 `secret_already_shown`: the ID of the object the first answer created or changed.",
      }),
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

/** A JSON response described once for every route, with an example answer when given. */
export const json = <T extends z.ZodTypeAny>(schema: T, description: string, example?: z.input<T>) => ({
  content: { "application/json": example === undefined ? { schema } : { schema, example } },
  description,
});

/**
 * What each error code means to the caller, in the words the OpenAPI document and /docs show, and
 * the example answer of each. Keyed by ErrorCode, so that a new code in errors.ts cannot go
 * undocumented (the type checker says so).
 */
const MEANING: Record<ErrorCode, string> = {
  invalid_request: "a field, query parameter, header or body is not valid (`details` names each)",
  immutable_field: "the body names a field that can never change (`field`)",
  sandbox_rate_limit_fixed: "a sandbox client's rate limit is fixed at 10",
  invalid_client_secret: "the client secret is not the client's current one",
  unauthorized: "no admin bearer token, or not a valid one",
  missing_credentials: "no X-Client-ID, or neither X-Client-Secret nor X-Workflow-ID",
  invalid_credentials: "an unknown client ID, a wrong secret, an unknown workflow or a workflow of another client",
  client_inactive: "the client is inactive",
  client_revoked: "the client is revoked",
  workflow_inactive: "the workflow is inactive",
  workflow_token_invalidated: "the workflow's refresh token was minted from a replaced secret: re-key the workflow",
  invalid_signature: "the signature does not verify",
  forbidden: "the admin token lacks the permission named in `missing_permission`, or the call is outside its scope",
  origin_not_allowed: "the request's `Origin` is not in the workflow's `allowed_origins`",
  plan_limit_exceeded: "the organization's plan limit (`limit`, `max`) would be exceeded",
  not_found: "no such object, or not one this admin token can see",
  payload_too_large: "the body is over the limit (64 KiB for the management API, 1 MiB for a leak report)",
  client_revoked_conflict: "the client is revoked and can no longer be changed",
  client_inactive_conflict: "the client is inactive: reactivate it first",
  idempotency_key_mismatch: "the `Idempotency-Key` was used for another method, path or body",
  request_in_progress: "the first request with this `Idempotency-Key` is still running (`Retry-After: 1`)",
  secret_already_shown:
    "the first answer with this `Idempotency-Key` showed a secret, which is not kept (`resource_id` names the object)",
  rate_limit_exceeded: "the client's rate limit is used up: retry after `Retry-After` seconds",
  internal_error: "an unexpected failure",
  upstream_unavailable: "the upstream did not answer, or not in time",
  service_unavailable: "storage or the client's Durable Object did not answer, or the gateway is not configured",
};

/** Example bodies as the gateway sends them, where a code's body carries more than its message. */
const EXAMPLE_BODY: Partial<Record<ErrorCode, Record<string, unknown>>> = {
  invalid_request: {
    message: "The request is not valid.",
    details: [{ field: "rate_limit", message: "Too big: expected number to be <=1000" }],
  },
  immutable_field: { message: "environment cannot be changed.", field: "environment" },
  forbidden: {
    message: "This admin token does not have the clients:write permission.",
    missing_permission: "clients:write",
  },
  plan_limit_exceeded: {
    message: "This organization's plan allows at most 100 clients. Ask the gateway's operator for a higher limit.",
    limit: "max_clients",
    max: 100,
  },
  secret_already_shown: {
    message:
      "This request was already processed, and its answer showed a secret: a secret is shown only in the first answer and is not kept. To get a new one, regenerate it: POST /admin/clients/nafsi_live_3Vq0cJm2xWb8PnKf5TzR1a0Nt9Zq/regenerate-secret.",
    resource_id: "nafsi_live_3Vq0cJm2xWb8PnKf5TzR1a0Nt9Zq",
  },
  rate_limit_exceeded: { message: "Rate limit of 100 requests/minute exceeded", retry_after: 42 },
};

const STATUS_TITLE: Record<number, string> = {
  400: "Invalid request",
  401: "Not authenticated",
  403: "Forbidden",
  404: "Not found",
  409: "Conflict",
  413: "Payload too large",
  429: "Too many requests",
  500: "Internal error",
  502: "Bad gateway",
  503: "Service unavailable",
};

/** A header of an answer, for `headers` of an OpenAPI response. */
export const header = (description: string, type: "integer" | "string" = "integer") => ({
  description,
  schema: { type },
});
export const RETRY_AFTER = header("Seconds to wait before trying again.");

/**
 * The error answers of an operation, from the codes it can give: one response per status, whose
 * description names each code and its meaning and whose examples show each code's body. `headers`
 * adds headers to one status's answer (429's rate-limit headers, say). Codes that never occur on
 * this operation are not listed: that is the point of declaring them per operation.
 */
export function errorResponses(
  codes: readonly ErrorCode[],
  headers: Partial<Record<number, Record<string, ReturnType<typeof header>>>> = {},
) {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of new Set(codes)) {
    const status = ERROR_STATUS[code];
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  const statuses = [...byStatus.keys()].sort((a, b) => a - b);
  return Object.fromEntries(
    statuses.map((status) => {
      const these = byStatus.get(status)!;
      const lines = these.map((code) => `\`${wireCode(code)}\`: ${MEANING[code]}`);
      const examples = Object.fromEntries(
        these.map((code) => [
          wireCode(code),
          {
            summary: MEANING[code],
            value: { error: { code: wireCode(code), message: exampleMessage(code), ...EXAMPLE_BODY[code] } },
          },
        ]),
      );
      const withRetry = these.some((c) => c === "request_in_progress" || c === "service_unavailable");
      const statusHeaders = { ...(withRetry ? { "Retry-After": RETRY_AFTER } : {}), ...headers[status] };
      return [
        status,
        {
          description: `${STATUS_TITLE[status] ?? "Error"}. ${lines.join("; ")}.`,
          content: { "application/json": { schema: ErrorSchema, examples } },
          ...(Object.keys(statusHeaders).length ? { headers: statusHeaders } : {}),
        },
      ];
    }),
  );
}

/** The codes as the wire names them (client_revoked_conflict is `client_revoked`), for `x-error-codes`. */
export const wireCodes = (codes: readonly ErrorCode[]): string[] => [...new Set(codes.map(wireCode))].sort();

function exampleMessage(code: ErrorCode): string {
  const meaning = MEANING[code].replace(/ \(.*?\)/g, "").replace(/`/g, "");
  return meaning.charAt(0).toUpperCase() + meaning.slice(1) + ".";
}

/** A JSON request body with the example that the operation's example request sends. */
export const jsonRequest = <T extends z.ZodTypeAny>(schema: T, example: z.input<T>, required = true) => ({
  content: { "application/json": { schema, example } },
  required,
});
