/**
 * GET /sdk/nafsi.js: the SDK's <script>-tag build (sdk/dist/nafsi.global.js, window.Nafsi).
 *
 * Served from a bundled module rather than Workers static assets: the script is one small file
 * (about 2 KB gzip) that `npm run build -w sdk` emits as a string with its content hash
 * (dist/nafsi.global.module.js), so the Worker bundles it like any other import. That needs no
 * [assets] directory or _headers file in wrangler.toml, lets this route set its own caching headers
 * and X-Request-Id like every other answer, and is tested in the Workers runtime with the rest of
 * the suite. Static assets would pay off only for many or large files.
 *
 * Caching: the URL carries no version, so a page always gets the SDK of the gateway it talks to.
 * Browsers and CDNs keep it a day and may serve it stale for a week while they revalidate, which is
 * cheap: the ETag is the script's content hash, so an unchanged script answers 304 without a body.
 */
import { Hono } from "hono";
import type { BaseEnv } from "../lib/context";
import { etag, source } from "../../sdk/dist/nafsi.global.module.js";

const CACHE_CONTROL = "public, max-age=86400, stale-while-revalidate=604800";

export const sdkScriptRoutes = new Hono<BaseEnv>();

sdkScriptRoutes.get("/sdk/nafsi.js", (c) => {
  const headers = {
    "Cache-Control": CACHE_CONTROL,
    ETag: etag,
    // Public code: any page may load it, including with <script crossorigin> and integrity checks.
    "Access-Control-Allow-Origin": "*",
    "X-Content-Type-Options": "nosniff",
  };
  if (matches(c.req.header("If-None-Match"), etag)) return c.body(null, 304, headers);
  return c.body(source, 200, { ...headers, "Content-Type": "text/javascript; charset=utf-8" });
});

/** If-None-Match uses weak comparison (RFC 9110 13.1.2): W/ prefixes are ignored; `*` matches. */
function matches(ifNoneMatch: string | undefined, current: string): boolean {
  if (!ifNoneMatch) return false;
  const strip = (tag: string) => tag.trim().replace(/^W\//, "");
  return ifNoneMatch.split(",").some((tag) => tag.trim() === "*" || strip(tag) === strip(current));
}
