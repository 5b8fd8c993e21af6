/**
 * Every management route is defined through `adminRoute`, which makes it declare the permission it
 * needs: the route gets the one permission check (its first middleware, before validation), the
 * OpenAPI operation states it (`x-permission`, a line in its description, the 403 answer, and the
 * 503 that every management call can give), and `undeclaredRoutes` finds any /admin route
 * registered some other way, so that the management API refuses to start (and the suite fails)
 * rather than serve a call that nobody checks.
 */
import { type RouteConfig, createRoute } from "@hono/zod-openapi";
import { createMiddleware } from "hono/factory";
import type { MiddlewareHandler } from "hono";
import { ApiError } from "../lib/errors";
import { ErrorSchema, errorResponses, json } from "../lib/openapi";
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

const FORBIDDEN = json(
  ErrorSchema,
  "Forbidden (`forbidden`): the admin token lacks the permission named in `missing_permission`, or the call is outside its client scope",
);

/** Every management call can meet a binding that cannot answer (src/lib/binding-guard.ts). */
const UNAVAILABLE = json(
  ErrorSchema,
  "Service unavailable (`service_unavailable`, with `Retry-After`): storage or the client's Durable Object did not answer, or the gateway is not configured; a change either happened whole or not at all",
);

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

const IDEMPOTENCY_CONFLICTS =
  "`Idempotency-Key`: `idempotency_key_mismatch` (used for another method, path or body), `request_in_progress` (its first request is still running; `Retry-After: 1`), `secret_already_shown` (its answer showed a secret, which is not kept; `resource_id` names the object)";

function withIdempotency(responses: RouteConfig["responses"]): RouteConfig["responses"] {
  const conflict = responses[409];
  const earlier = conflict && "description" in conflict ? `${conflict.description}; ` : "";
  return { ...responses, 409: json(ErrorSchema, `${earlier}${IDEMPOTENCY_CONFLICTS}`) };
}

/** createRoute for a management call, with the permission it needs. */
export function adminRoute<
  P extends string,
  R extends Omit<RouteConfig, "path" | "middleware" | "security"> & { path: P },
>(permission: RoutePermission, config: R) {
  const description = [config.description, permissionLine(permission)].filter(Boolean).join("\n\n");
  const post = config.method === "post";
  const responses = post ? withIdempotency(config.responses) : config.responses;
  return createRoute({
    ...config,
    description,
    security: [{ adminBearer: [] }],
    "x-permission": permission,
    ...(post
      ? { parameters: [...(config.parameters ?? []), IDEMPOTENCY_KEY_PARAMETER] as RouteConfig["parameters"] }
      : {}),
    responses: {
      ...(permission === ANY_VALID_TOKEN ? {} : { 403: FORBIDDEN }),
      // A route that can also answer another 403 (plan_limit_exceeded) describes its own.
      ...responses,
      // Every admin body goes through jsonBody(): over 64 KiB is 413.
      ...(config.request?.body ? errorResponses(413) : {}),
      503: UNAVAILABLE,
    },
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
