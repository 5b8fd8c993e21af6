import { OpenAPIHono } from "@hono/zod-openapi";
import { validationHook } from "../lib/validation";
import { adminAuth } from "./admin-auth";
import type { AdminEnv } from "./context";
import { requireHygieneConfig } from "./hygiene-config";
import { jsonBody } from "./json-body";
import { clientRoutes } from "./routes/clients";
import { observabilityRoutes } from "./routes/observability";
import { workflowRoutes } from "./routes/workflows";

/** The management API: every /admin call is authenticated first, then its JSON body checked. */
export const adminApi = new OpenAPIHono<AdminEnv>({ defaultHook: validationHook });

adminApi.use("/admin/*", requireHygieneConfig(), adminAuth(), jsonBody());
adminApi.route("/", clientRoutes);
adminApi.route("/", workflowRoutes);
adminApi.route("/", observabilityRoutes);
