import { OpenAPIHono, createRoute, z } from "@hono/zod-openapi";
import { type SettingProblem, settingProblems } from "../domain/gateway-settings";
import { logConfigProblem } from "../lib/config-refusal";
import type { BaseEnv } from "../lib/context";
import { json } from "../lib/openapi";

/** A check of a setting that lives with its user above this layer (e.g. the partner endpoints'). */
export type SettingCheck = (env: Env) => SettingProblem | null;

const Healthy = z.object({ status: z.literal("ok") });
const Misconfigured = z.object({
  status: z.literal("misconfigured"),
  missing: z.array(z.string()).openapi({
    description:
      "The name of each required secret (ADMIN_TOKEN, TOKEN_SIGNING_KEY, CREDENTIAL_TAG_KEY) that is unset or too short, and of each invalid variable. Never a value.",
    example: ["CREDENTIAL_TAG_KEY"],
  }),
});

/**
 * GET /healthz: 200 only when the gateway can serve, so that a deploy's health check fails over a
 * gateway that would answer 503 to everyone. The answer names each setting at fault, never its
 * value; the log says why (once per isolate).
 */
export function healthRoutes(checks: readonly SettingCheck[] = []) {
  const routes = new OpenAPIHono<BaseEnv>();
  routes.openapi(
    createRoute({
      method: "get",
      path: "/healthz",
      tags: ["Health"],
      summary: "Health check (no credentials)",
      // Its 503 is a health answer, not an error body.
      "x-error-codes": [],
      "x-codeSamples": [{ lang: "shell", label: "curl", source: "curl -s http://localhost:8787/healthz" }],
      description:
        "200 when the gateway is fully configured; otherwise 503 naming (never showing) each required secret that is unset or unusable and each invalid variable.",
      responses: {
        200: json(Healthy, "The gateway is configured and up", { status: "ok" }),
        503: json(Misconfigured, "The gateway is misconfigured: every other call would fail until this is fixed", {
          status: "misconfigured",
          missing: ["CREDENTIAL_TAG_KEY"],
        }),
      },
    }),
    (c) => {
      const problems = [...settingProblems(c.env), ...checks.map((check) => check(c.env))].filter(
        (p): p is SettingProblem => p !== null,
      );
      if (problems.length === 0) return c.json({ status: "ok" as const }, 200);
      for (const { problem } of problems) logConfigProblem(problem);
      return c.json({ status: "misconfigured" as const, missing: problems.map((p) => p.variable) }, 503);
    },
  );
  return routes;
}
