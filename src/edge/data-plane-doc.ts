import { type OpenAPIHono, type RouteConfig, z } from "@hono/zod-openapi";
import type { ErrorCode } from "../lib/errors";
import { RETRY_AFTER, errorResponses, header, json, wireCodes } from "../lib/openapi";

/**
 * The data plane (`/v1/*`, pipeline.ts) in the OpenAPI document. Its routes are plain Hono, for the
 * hot path's sake, so they are described here, next to the pipeline, rather than by the zod route
 * definitions of the management API; the codes below are those its steps can answer
 * (authenticate.ts, rate-limit.ts, forward.ts, fail-closed.ts).
 */
const DATA_PLANE_ERRORS: readonly ErrorCode[] = [
  "invalid_request", // X-Client-Secret and X-Workflow-ID together, or a header sent twice or over 256 characters
  "missing_credentials",
  "invalid_credentials",
  "client_inactive",
  "client_revoked",
  "workflow_inactive",
  "workflow_token_invalidated",
  "origin_not_allowed",
  "rate_limit_exceeded",
  "upstream_unavailable",
  "service_unavailable",
];

/** The methods the gateway forwards (cors.ts answers the OPTIONS preflight of each). */
const METHODS = ["get", "post", "put", "patch", "delete"] as const;

/** Sent on every admitted answer and on every 429 (src/domain/rate-limit-headers.ts). */
const RATE_LIMIT_HEADERS = {
  "X-RateLimit-Limit": header("The client's rate limit, requests per 60-second window."),
  "X-RateLimit-Remaining": header("Requests the client may still make in the window now."),
  "X-RateLimit-Reset": header(
    "Unix seconds (rounded up) of the next moment Remaining grows; on a 429, when a request will be admitted again.",
  ),
  "RateLimit-Policy": header('The quota as the IETF draft writes it: `"per-client";q=100;w=60`.', "string"),
  RateLimit: header('The state as the IETF draft writes it: `"per-client";r=87;t=42`.', "string"),
  "X-Request-Id": header("The gateway's ID for this request (also on every error).", "string"),
};

export const SECURITY_SCHEMES = {
  clientId: {
    type: "apiKey",
    in: "header",
    name: "X-Client-ID",
    description: "The client's ID (`nafsi_live_…` or `nafsi_test_…`), with one of the two below.",
  },
  clientSecret: {
    type: "apiKey",
    in: "header",
    name: "X-Client-Secret",
    description: "Backends: the client's secret (`sk_live_…`, `sk_test_…`). Never send it from a browser.",
  },
  workflowId: {
    type: "apiKey",
    in: "header",
    name: "X-Workflow-ID",
    description:
      "Frontends (browser SDKs): a workflow of that client (`wf_…`); its refresh token is checked at the edge and no secret travels. With `allowed_origins`, only those `Origin`s are accepted.",
  },
} as const;

const Echo = z
  .object({
    authenticated: z.literal(true),
    client_id: z.string(),
    environment: z.enum(["production", "sandbox"]),
    organization_id: z.string(),
    workflow_id: z.string().nullable(),
    method: z.string(),
    path: z.string(),
  })
  .openapi("Echo", {
    description: "The gateway's own answer when no upstream is configured for the client's environment.",
  });

const ECHO_EXAMPLE = {
  authenticated: true as const,
  client_id: "nafsi_test_7kVq2ZbN4xRm9TcW1pLd3Hs",
  environment: "sandbox" as const,
  organization_id: "org_default",
  workflow_id: null,
  method: "POST",
  path: "/v1/verify",
};

const CURL = [
  'curl -s -X POST "http://localhost:8787/v1/verify"',
  '-H "X-Client-ID: $CLIENT_ID"',
  '-H "X-Client-Secret: $CLIENT_SECRET"',
  '-H "Content-Type: application/json"',
  `-d '{"document":"passport"}'`,
].join(" \\\n  ");

function operation(method: (typeof METHODS)[number]): RouteConfig {
  const carriesBody = method !== "get" && method !== "delete";
  return {
    method,
    path: "/v1/{path}",
    tags: ["Data plane"],
    operationId: `dataPlane${method[0]!.toUpperCase()}${method.slice(1)}`,
    summary: `${method.toUpperCase()} a path of your API through the gateway`,
    description:
      "Authenticated at the edge, then rate-limited per client over an exact sliding 60-second window, then forwarded to the environment's upstream (method, path, query and body unchanged; `X-Client-Secret` removed; `X-Nafsi-Client-Id`, `X-Nafsi-Environment`, `X-Nafsi-Workflow-Id` and `X-Request-Id` added). The upstream's answer is passed on as it is, with the rate-limit headers. With no upstream configured, the gateway answers with the echo below. Requests refused before the limiter do not count against it.",
    security: [
      { clientId: [], clientSecret: [] },
      { clientId: [], workflowId: [] },
    ],
    request: {
      params: z.object({
        path: z.string().openapi({
          param: { name: "path", in: "path" },
          description: "Any path below /v1/ (slashes included), with any query string.",
          example: "verify",
        }),
      }),
      ...(carriesBody
        ? {
            body: {
              description: "Forwarded to the upstream unchanged (any media type).",
              content: { "application/json": { schema: z.unknown(), example: { document: "passport" } } },
            },
          }
        : {}),
    },
    "x-error-codes": wireCodes(DATA_PLANE_ERRORS),
    "x-codeSamples": [{ lang: "shell", label: "curl", source: CURL }],
    responses: {
      200: {
        ...json(
          Echo,
          "Admitted: the upstream's answer (its status, headers and body), or with no upstream configured this echo",
          { ...ECHO_EXAMPLE, method: method.toUpperCase() },
        ),
        headers: RATE_LIMIT_HEADERS,
      },
      ...errorResponses(DATA_PLANE_ERRORS, { 429: { ...RATE_LIMIT_HEADERS, "Retry-After": RETRY_AFTER } }),
    },
  };
}

/** Adds the data plane's operations and credential schemes to an app's OpenAPI document. */
export function documentDataPlane(app: OpenAPIHono<never>) {
  for (const [name, scheme] of Object.entries(SECURITY_SCHEMES)) {
    app.openAPIRegistry.registerComponent("securitySchemes", name, scheme);
  }
  for (const method of METHODS) app.openAPIRegistry.registerPath(operation(method));
}
