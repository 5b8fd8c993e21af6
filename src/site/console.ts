import { Hono } from "hono";
import type { BaseEnv } from "../lib/context";
import { ApiError } from "../lib/errors";
import { SECURITY_HEADERS } from "./security-headers";

/**
 * The admin console: a static page whose script and stylesheet come from this Worker only
 * (console/build.mjs builds them into the ASSETS directory). It holds no secret and sets no
 * cookie; the page calls the management API with the admin token the user types in.
 */
export const consoleRoutes = new Hono<BaseEnv>();

const SHELL = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>Nafsi Gateway console</title>
    <link rel="icon" href="data:,">
    <link rel="stylesheet" href="/console/app.css">
    <script type="module" src="/console/app.js"></script>
  </head>
  <body>
    <div id="app"><noscript>The console needs JavaScript.</noscript></div>
  </body>
</html>
`;

const FILES: Record<string, string> = {
  "app.js": "text/javascript; charset=utf-8",
  "app.css": "text/css; charset=utf-8",
};

consoleRoutes.get("/console", (c) => c.html(SHELL, 200, SECURITY_HEADERS));
consoleRoutes.get("/console/", (c) => c.redirect("/console", 301));

consoleRoutes.get("/console/:file", async (c) => {
  const file = c.req.param("file");
  const type = FILES[file];
  if (!type) throw new ApiError("not_found", `No route for GET ${c.req.path}.`);
  const etag = c.req.header("If-None-Match");
  const asset = await c.env.ASSETS.fetch(
    new URL(`/console/${file}`, c.req.url),
    etag ? { headers: { "If-None-Match": etag } } : undefined,
  );
  if (asset.status === 404) {
    throw new ApiError("service_unavailable", "The console is not built: run `npm run build`.");
  }
  const headers = new Headers(asset.headers);
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) headers.set(name, value);
  headers.set("Content-Type", type);
  return new Response(asset.body, { status: asset.status, headers });
});
