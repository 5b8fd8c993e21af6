/**
 * Every management route is defined through `adminRoute`, which makes it declare the permission it
 * needs: the route gets the one permission check (its first middleware, before validation), the
 * OpenAPI operation states it (`x-permission`, a line in its description, the 403 answer), and
 * `undeclaredRoutes` finds any /admin route registered some other way, so that the management API
 * refuses to start (and the suite fails) rather than serve a call that nobody checks.
 */
import { type RouteConfig, createRoute } from "@hono/zod-openapi";
import { createMiddleware } from "hono/factory";
import type { MiddlewareHandler } from "hono";
import { ApiError } from "../lib/errors";
import { ErrorSchema, json } from "../lib/openapi";
import type { AdminEnv } from "./context";
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

function permissionLine(permission: RoutePermission): string {
  return permission === ANY_VALID_TOKEN
    ? "Permission: none (any valid admin token)."
    : `Permission: \`${permission}\` (or \`*\`).`;
}

/** createRoute for a management call, with the permission it needs. */
export function adminRoute<
  P extends string,
  R extends Omit<RouteConfig, "path" | "middleware" | "security"> & { path: P },
>(permission: RoutePermission, config: R) {
  const description = [config.description, permissionLine(permission)].filter(Boolean).join("\n\n");
  return createRoute({
    ...config,
    description,
    security: [{ adminBearer: [] }],
    "x-permission": permission,
    // A route that can also answer another 403 (plan_limit_exceeded) describes its own.
    responses: permission === ANY_VALID_TOKEN ? config.responses : { 403: FORBIDDEN, ...config.responses },
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
