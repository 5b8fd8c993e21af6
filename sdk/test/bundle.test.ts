import { build } from "esbuild";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";

/** What a user's bundler keeps of the package for a given import (esbuild, minified, tree-shaken). */
async function bundle(entry: string, format: "esm" | "iife" = "esm") {
  const result = await build({
    stdin: { contents: entry, resolveDir: new URL("../src", import.meta.url).pathname, loader: "ts" },
    bundle: true,
    write: false,
    format,
    minify: true,
    target: "es2022",
    logLevel: "silent",
  });
  const text = result.outputFiles[0]!.text;
  return { text, gzip: gzipSync(text, { level: 9 }).length };
}

describe("bundle size", () => {
  it("leaves the admin client and webhook verification out of a bundle that imports only Nafsi", async () => {
    const dataPlane = await bundle(`import { Nafsi } from "./index.js"; globalThis.x = Nafsi;`);
    expect(dataPlane.text).toContain("secret_in_browser");
    expect(dataPlane.text).not.toContain("/admin/");
    expect(dataPlane.text).not.toContain("invalid_signature");
    const everything = await bundle(
      `import { Nafsi, NafsiAdmin, verifyWebhook } from "./index.js"; globalThis.x = [Nafsi, NafsiAdmin, verifyWebhook];`,
    );
    expect(everything.text).toContain("/admin/");
    expect(dataPlane.gzip).toBeLessThan(everything.gzip);
  });

  it("keeps the <script>-tag build within 6 KB gzip", async () => {
    const global = await bundle(`import "./global.js";`, "iife");
    expect(global.gzip).toBeLessThanOrEqual(6 * 1024);
  });
});
