import { OpenAPIHono } from "@hono/zod-openapi";
import { requestId } from "hono/request-id";
import type { AppEnv } from "./context";
import { adminAuth } from "./middleware/admin-auth";
import { handleError, handleNotFound } from "./middleware/error-handler";
import { jsonBody } from "./middleware/json-body";
import { clientRoutes } from "./routes/admin/clients";
import { observabilityRoutes } from "./routes/admin/observability";
import { workflowRoutes } from "./routes/admin/workflows";
import { dataPlane } from "./routes/data-plane";
import { renderDocs } from "./routes/docs";
import { healthRoutes } from "./routes/health";
import { consoleRoutes } from "./site/console";
import { validationHook } from "./lib/validation";

const OPENAPI_CONFIG = {
  openapi: "3.1.0",
  info: {
    title: "Nafsi Gateway",
    version: "1.0.0",
    description:
      "API-key management and edge gateway. Admin calls take `Authorization: Bearer <ADMIN_TOKEN>`; data-plane calls under /v1/ take X-Client-ID with X-Client-Secret (backends) or X-Workflow-ID (SDKs).",
  },
};

export function createApp() {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  app.use("*", requestId());
  app.onError(handleError);
  app.notFound(handleNotFound);

  app.route("/", healthRoutes);
  app.route("/", consoleRoutes);
  app.use("/admin/*", adminAuth(), jsonBody());
  app.route("/", clientRoutes);
  app.route("/", workflowRoutes);
  app.route("/", observabilityRoutes);
  app.route("/", dataPlane);

  app.openAPIRegistry.registerComponent("securitySchemes", "adminBearer", { type: "http", scheme: "bearer" });
  app.doc31("/openapi.json", OPENAPI_CONFIG);
  app.get("/docs", (c) => c.html(renderDocs(app.getOpenAPI31Document(OPENAPI_CONFIG) as never)));
  return app;
}
