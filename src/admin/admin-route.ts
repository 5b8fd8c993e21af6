/**
 * Every management route is defined through `adminRoute`, which makes it declare the permission it
 * needs: the route gets the one permission check (its first middleware, before validation), the
 * OpenAPI operation states it (`x-permission`, a line in its description, and the 403 among its
 * error codes, below), and `undeclaredRoutes` finds any /admin route
 * registered some other way, so that the management API refuses to start (and the suite fails)
 * rather than serve a call that nobody checks.
 */
import { type RouteConfig, createRoute } from "@hono/zod-openapi";
import { createMiddleware } from "hono/factory";
import type { MiddlewareHandler } from "hono";
import { ApiError } from "../lib/errors";
import type { ErrorCode } from "../lib/errors";
import { errorResponses, wireCodes } from "../lib/openapi";
import type { AdminEnv } from "./context";
import { IDEMPOTENCY_KEY_HEADER } from "./idempotency";
import { ANY_VALID_TOKEN, type RoutePermission, holds } from "./permissions";

const PERMISSION = Symbol("admin route permission");

type PermissionCheck = MiddlewareHandler<AdminEnv> & { [PERMISSION]: RoutePermission };

/** The check itself: the caller's principal must hold the route's permission. */
export function requirePermission(permission: RoutePermission): PermissionCheck {
  const check = createMiddleware<AdminEnv>(async (c, next) => {
    const principal = c.get("principal");
    // Fails closed should a route ever be mounted outside admin authentication.
    if (!principal) throw new ApiError("unauthorized", "A valid admin bearer token is required.");
    if (
      permission !== ANY_VALID_TOKEN &&
      !holds(principal.permissions, permission, principal.organizationId !== null)
    ) {
      throw new ApiError("forbidden", `This admin token does not have the ${permission} permission.`, {
        extra: { missing_permission: permission },
      });
    }
    await next();
  });
  return Object.assign(check, { [PERMISSION]: permission });
}

export const permissionOf = (handler: unknown): RoutePermission | undefined =>
  typeof handler === "function" ? (handler as Partial<PermissionCheck>)[PERMISSION] : undefined;

function permissionLine(permission: RoutePermission): string {
  return permission === ANY_VALID_TOKEN
    ? "Permission: none (any valid admin token)."
    : `Permission: \`${permission}\` (or \`*\`).`;
}

/**
 * What every POST documents for the idempotency middleware (idempotency.ts), which serves every
 * admin POST: a plain parameter object rather than a zod header schema, because the middleware
 * has already checked the header before any route runs.
 */
const IDEMPOTENCY_KEY_PARAMETER = {
  name: IDEMPOTENCY_KEY_HEADER,
  in: "header",
  required: false,
  description:
    "1..255 printable ASCII characters (a random UUID, say). The answer is kept for 24 hours for this token; the same request again with the same key gets it again, with `Idempotent-Replayed: true`, and changes nothing. An answer that showed a secret is not kept, and neither is a 5xx.",
  schema: { type: "string", minLength: 1, maxLength: 255, pattern: "^[\\x20-\\x7E]+$" },
} as const;

/**
 * The error codes that the middleware in front of every management route (api.ts) can give, from
 * what the route is: authentication (401) and storage (503) for all; the permission check (403)
 * unless any token may call it; validation (400) when it takes input; the body limit (413) when
 * it takes a body; the idempotency keys (400 for a bad key, 409) on every POST.
 */
function middlewareErrors(permission: RoutePermission, config: RouteConfig): ErrorCode[] {
  const { params, query, body } = config.request ?? {};
  const post = config.method === "post";
  const carriesBody = post || config.method === "patch" || config.method === "put";
  return [
    "unauthorized",
    "service_unavailable",
    ...(permission === ANY_VALID_TOKEN ? [] : (["forbidden"] as const)),
    ...(params || query || body || post ? (["invalid_request"] as const) : []),
    ...(carriesBody ? (["payload_too_large"] as const) : []),
    ...(post ? (["idempotency_key_mismatch", "request_in_progress"] as const) : []),
  ];
}

/** An example request as a shell command, from the operation's own path and example body. */
function curlSample(config: RouteConfig): { lang: string; label: string; source: string } {
  const path = config.path.replace(/\{(\w+)\}/g, (_, name: string) => `$${name.toUpperCase()}`);
  const body = config.request?.body?.content?.["application/json"];
  const example = body && "example" in body ? body.example : undefined;
  const lines = [
    `curl -s${config.method === "get" ? "" : ` -X ${config.method.toUpperCase()}`} "http://localhost:8787${path}"`,
    `-H "Authorization: Bearer $ADMIN_TOKEN"`,
    ...(example === undefined ? [] : [`-H "Content-Type: application/json"`, `-d '${JSON.stringify(example)}'`]),
  ];
  return { lang: "shell", label: "curl", source: lines.join(" \\\n  ") };
}

/**
 * createRoute for a management call, with the permission it needs and the error codes that its
 * own handler can give (`errors`: not_found, immutable_field, …). The codes of the middleware in
 * front of it are added here (middlewareErrors), and the error answers, their descriptions and
 * examples are made from the codes: so the document lists what this call can answer and nothing
 * else. A new route states its handler's own refusals in `errors` (`[]` when it has none);
 * test/node/openapi.test.ts fails on an operation without declared codes, and
 * test/site/openapi-error-codes.test.ts on a code answered but not declared.
 */
export function adminRoute<
  P extends string,
  R extends Omit<RouteConfig, "path" | "middleware" | "security"> & { path: P; errors: readonly ErrorCode[] },
>(permission: RoutePermission, { errors, ...config }: R) {
  const description = [config.description, permissionLine(permission)].filter(Boolean).join("\n\n");
  const post = config.method === "post";
  const codes = [...middlewareErrors(permission, config as RouteConfig), ...(errors ?? [])];
  return createRoute({
    ...config,
    description,
    security: [{ adminBearer: [] }],
    "x-permission": permission,
    // A route without `errors` (a type error already) still starts; test/node/openapi.test.ts fails.
    ...(errors ? { "x-error-codes": wireCodes(codes) } : {}),
    "x-codeSamples": [curlSample(config as RouteConfig)],
    ...(post
      ? { parameters: [...(config.parameters ?? []), IDEMPOTENCY_KEY_PARAMETER] as RouteConfig["parameters"] }
      : {}),
    responses: { ...config.responses, ...errorResponses(codes) },
    middleware: [requirePermission(permission)],
  });
}

/** "METHOD /path" of every /admin route whose handlers include no permission check. */
export function undeclaredRoutes(routes: readonly { method: string; path: string; handler: unknown }[]): string[] {
  const declared = new Set<string>();
  const seen = new Set<string>();
  for (const { method, path, handler } of routes) {
    if (method === "ALL" || !path.startsWith("/admin")) continue;
    const key = `${method} ${path}`;
    seen.add(key);
    if (permissionOf(handler) !== undefined) declared.add(key);
  }
  return [...seen].filter((key) => !declared.has(key));
}
