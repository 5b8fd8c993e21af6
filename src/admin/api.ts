import { OpenAPIHono } from "@hono/zod-openapi";
import { validationHook } from "../lib/validation";
import { adminAuth } from "./admin-auth";
import { undeclaredRoutes } from "./admin-route";
import type { AdminEnv } from "./context";
import { requireHygieneConfig } from "./hygiene-config";
import { idempotency } from "./idempotency";
import { jsonBody } from "./json-body";
import { clientRoutes } from "./routes/clients";
import { observabilityRoutes } from "./routes/observability";
import { organizationRoutes } from "./routes/organizations";
import { usageOverviewRoutes } from "./routes/usage-overview";
import { tokenRoutes } from "./routes/tokens";
import { webhookEndpointRoutes } from "./routes/webhook-endpoints";
import { workflowRoutes } from "./routes/workflows";

/**
 * The management API: every /admin call is authenticated first, then checked against the one
 * permission its route declares (see admin-route.ts), then its JSON body checked. A POST with an
 * Idempotency-Key is answered from its kept answer when it is a repeat (idempotency.ts): after
 * authentication, since keys are kept per token, and after the body limit, since the body's hash
 * is part of the request it must match.
 */
export const adminApi = new OpenAPIHono<AdminEnv>({ defaultHook: validationHook });

adminApi.use("/admin/*", requireHygieneConfig(), adminAuth(), jsonBody(), idempotency());
adminApi.route("/", clientRoutes);
adminApi.route("/", workflowRoutes);
adminApi.route("/", observabilityRoutes);
adminApi.route("/", tokenRoutes);
adminApi.route("/", organizationRoutes);
adminApi.route("/", usageOverviewRoutes);
adminApi.route("/", webhookEndpointRoutes);

// A route that declares no permission would be served to every valid token: refuse to start instead.
const undeclared = undeclaredRoutes(adminApi.routes);
if (undeclared.length) throw new Error(`Admin routes without a declared permission: ${undeclared.join(", ")}`);
