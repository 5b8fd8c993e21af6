/**
 * The gateway's OpenAPI document, produced in Node by bundling src/app.ts with esbuild and asking
 * createApp() for GET /openapi.json: the same document the deployed Worker serves, without starting
 * one. The only Workers-only import on that path is `cloudflare:workers` (the Durable Object base
 * class), which no route runs while answering /openapi.json, so it is replaced by an empty class;
 * the SDK's own built script (served at /sdk/nafsi.js) is stubbed too, so this works before a build.
 */
import { build } from "esbuild";
import { Buffer } from "node:buffer";
import { fileURLToPath } from "node:url";

const APP = fileURLToPath(new URL("../../src/app.ts", import.meta.url));

export async function gatewayOpenApi() {
  const result = await build({
    entryPoints: [APP],
    bundle: true,
    write: false,
    format: "esm",
    platform: "neutral",
    mainFields: ["module", "main"],
    conditions: ["workerd", "worker", "import"],
    logLevel: "silent",
    plugins: [
      {
        name: "cloudflare-stub",
        setup(b) {
          b.onResolve({ filter: /^cloudflare:/ }, (args) => ({ path: args.path, namespace: "cloudflare-stub" }));
          b.onLoad({ filter: /.*/, namespace: "cloudflare-stub" }, () => ({
            contents: "export class DurableObject {}",
            loader: "js",
          }));
          b.onResolve({ filter: /nafsi\.global\.module\.js$/ }, (args) => ({
            path: args.path,
            namespace: "script-stub",
          }));
          b.onLoad({ filter: /.*/, namespace: "script-stub" }, () => ({
            contents: 'export const source = ""; export const etag = "";',
            loader: "js",
          }));
        },
      },
    ],
  });
  const source = result.outputFiles[0].text;
  const app = await import(`data:text/javascript;base64,${Buffer.from(source).toString("base64")}`);
  // No bindings: the document needs none (the binding guard wraps an empty env).
  const res = await app.createApp().request("/openapi.json", undefined, {});
  if (!res.ok) throw new Error(`GET /openapi.json answered ${res.status}`);
  return res.json();
}
