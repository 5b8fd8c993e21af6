/**
 * Organizations and their plans (contract: "Organizations"), as pure rules: what a plan allows a
 * client to have. Storage and the concurrent-create guarantee are in src/storage/organizations.ts.
 */
import type { Environment } from "./credentials";
import { type Refusal, refuse } from "../lib/result";

/** Where every client created before organizations existed lives, and the unbound default. */
export const DEFAULT_ORGANIZATION_ID = "org_default";
export const DEFAULT_MAX_RATE_LIMIT = 100;
export const DEFAULT_MAX_CLIENTS = 50;
export const MAX_RATE_LIMIT_CEILING = 1000;
export const MAX_CLIENTS_CEILING = 10_000;

export type PlanLimit = "max_rate_limit" | "max_clients";

export interface Plan {
  maxRateLimit: number;
  maxClients: number;
}

/** The contract's 403: which limit, its value, and who can raise it. */
export function planLimitRefusal(limit: PlanLimit, max: number): Refusal {
  const what = limit === "max_rate_limit" ? `a rate limit of at most ${max} requests/minute` : `at most ${max} clients`;
  return refuse(
    "plan_limit_exceeded",
    `This organization's plan allows ${what}. Ask the gateway's operator for a higher limit.`,
    undefined,
    { limit, max },
  );
}

/**
 * A production client's rate limit must fit the plan (on create and on PATCH); sandbox clients are
 * fixed at 10/min whatever the plan. Lowering a plan later changes no existing client.
 */
export function rateLimitRefusal(plan: Plan, environment: Environment, rateLimit: number | undefined): Refusal | null {
  if (environment !== "production" || rateLimit === undefined || rateLimit <= plan.maxRateLimit) return null;
  return planLimitRefusal("max_rate_limit", plan.maxRateLimit);
}
