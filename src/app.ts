import { OpenAPIHono } from "@hono/zod-openapi";
import type { BaseEnv } from "./lib/context";
import { handleError, handleNotFound } from "./lib/error-handler";
import { adminApi } from "./admin/api";
import { dataPlane } from "./edge/pipeline";
import { documentDataPlane } from "./edge/data-plane-doc";
import { DOCS_CSS, DOCS_CSS_PATH, renderDocs } from "./site/docs";
import { healthRoutes } from "./site/health";
import { sdkScriptRoutes } from "./site/sdk-script";
import { consoleRoutes } from "./site/console";
import { securityHeaders } from "./site/security-headers";
import { leakRoutes } from "./partners/github-leaks";
import { scanningKeysProblem } from "./partners/github-keys";
import { validationHook } from "./lib/validation";
import { requestId } from "./lib/request-id";
import { guardBindings } from "./lib/binding-guard";

const OPENAPI_CONFIG = {
  openapi: "3.1.0",
  info: {
    title: "Nafsi Gateway",
    version: "1.0.0",
    description:
      "API-key management and edge gateway. Admin calls take `Authorization: Bearer <token>`: the bootstrap ADMIN_TOKEN (every permission) or an admin token (`nafsi_admin_…`, limited to its permissions and clients; each operation names its permission in `x-permission`); data-plane calls under /v1/ take X-Client-ID with X-Client-Secret (backends) or X-Workflow-ID (SDKs).",
  },
};

export function createApp() {
  const app = new OpenAPIHono<BaseEnv>({ defaultHook: validationHook });
  // Every route sees its bindings through the guard: deadlines, and 503 when one cannot answer.
  app.use("*", async (c, next) => {
    c.env = guardBindings(c.env);
    await next();
  });
  app.use("*", requestId());
  app.onError(handleError);
  app.notFound(handleNotFound);

  app.route("/", healthRoutes([scanningKeysProblem]));
  app.route("/", sdkScriptRoutes);
  app.route("/", consoleRoutes);
  app.route("/", adminApi);
  app.route("/", leakRoutes);
  app.route("/", dataPlane);

  app.openAPIRegistry.registerComponent("securitySchemes", "adminBearer", {
    type: "http",
    scheme: "bearer",
    description:
      "Management API: `Authorization: Bearer <token>`, the ADMIN_TOKEN or an admin token (`nafsi_admin_…`).",
  });
  documentDataPlane(app as never);
  // The console's headers: /docs is a page like it, and /openapi.json is what such pages read.
  for (const path of ["/openapi.json", "/docs", DOCS_CSS_PATH]) app.use(path, securityHeaders());
  app.doc31("/openapi.json", OPENAPI_CONFIG);
  app.get("/docs", (c) => c.html(renderDocs(app.getOpenAPI31Document(OPENAPI_CONFIG) as never)));
  app.get(DOCS_CSS_PATH, (c) => c.body(DOCS_CSS, 200, { "Content-Type": "text/css; charset=utf-8" }));
  return app;
}
