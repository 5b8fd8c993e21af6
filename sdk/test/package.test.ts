import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { build } from "esbuild";
import { Miniflare } from "miniflare";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * The package as users get it: `npm pack` of sdk/, installed from the tarball into an empty folder,
 * then imported there by Node, type-checked by tsc with Node's own module resolution, and bundled
 * into a Worker that runs in workerd (Miniflare). Needs a built dist/ (`npm run build -w sdk`).
 */
const run = promisify(execFile);
const SDK = fileURLToPath(new URL("..", import.meta.url));
const TSC = fileURLToPath(new URL("../../node_modules/typescript/bin/tsc", import.meta.url));
let dir: string;

beforeAll(async () => {
  if (!existsSync(join(SDK, "dist/index.js"))) throw new Error("sdk/dist is missing: run `npm run build -w sdk` first");
  dir = await mkdtemp(join(tmpdir(), "nafsi-sdk-pack-"));
  await run("npm", ["pack", "--pack-destination", dir], { cwd: SDK });
  const tarball = (await readdir(dir)).find((f) => f.endsWith(".tgz"))!;
  await writeFile(join(dir, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
  await run("npm", ["install", "--offline", "--no-audit", "--no-fund", "--ignore-scripts", `./${tarball}`], {
    cwd: dir,
  });
}, 120_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("the packed package", () => {
  it("ships only dist/, the README and the license, without runtime dependencies", async () => {
    const installed = join(dir, "node_modules/@nafsi/sdk");
    const files = await readdir(installed);
    expect(files.sort()).toEqual(["LICENSE", "README.md", "dist", "package.json"]);
    expect((await readdir(join(dir, "node_modules"))).filter((f) => !f.startsWith("."))).toEqual(["@nafsi"]);
  });

  it("imports in Node", async () => {
    const script = `
      import { Nafsi, NafsiAdmin, NafsiError, verifyWebhook } from "@nafsi/sdk";
      const nafsi = Nafsi.init({ clientId: "nafsi_test_a", clientSecret: "sk_test_b", baseUrl: "http://x",
        fetch: async (url, init) => new Response(JSON.stringify({ url, id: init.headers["X-Client-ID"] }), { status: 200 }) });
      const answer = await nafsi.request("/v1/ping");
      const err = await verifyWebhook("{}", "t=1,v1=" + "0".repeat(64), "s").catch((e) => e);
      console.log(JSON.stringify({ answer, admin: typeof new NafsiAdmin({ baseUrl: "http://x", token: "t" }).clients.list,
        err: err instanceof NafsiError && err.code }));`;
    const { stdout } = await run(process.execPath, ["--input-type=module", "-e", script], { cwd: dir });
    expect(JSON.parse(stdout)).toEqual({
      answer: { url: "http://x/v1/ping", id: "nafsi_test_a" },
      admin: "function",
      err: "invalid_signature",
    });
  });

  // Node 20.19+ and 22.12+ load ESM with require(); the package's "require" condition lets them.
  it("loads with require() in CommonJS", async () => {
    const script = `
      const { Nafsi, NafsiAdmin, NafsiError, verifyWebhook } = require("@nafsi/sdk");
      console.log(JSON.stringify([Nafsi, NafsiAdmin, NafsiError, verifyWebhook].map((x) => typeof x)));`;
    const { stdout } = await run(process.execPath, ["--input-type=commonjs", "-e", script], { cwd: dir });
    expect(JSON.parse(stdout)).toEqual(["function", "function", "function", "function"]);
  });

  it("type-checks with Node's module resolution (nodenext)", async () => {
    await writeFile(
      join(dir, "check.ts"),
      `import { Nafsi, NafsiAdmin, type Client } from "@nafsi/sdk";
       const admin = new NafsiAdmin({ baseUrl: "http://x", token: "t" });
       export async function f(): Promise<Client> {
         const { client, client_secret } = await admin.clients.create({ name: "iOS", environment: "production" });
         for await (const c of admin.clients.list({ status: "active" })) void c.rate_limit;
         Nafsi.init({ clientId: "a", workflowId: "w", baseUrl: "http://x" }).rateLimit?.remaining;
         void client_secret.length;
         // @ts-expect-error -- environment must be production or sandbox
         await admin.clients.create({ name: "x", environment: "staging" });
         return client;
       }`,
    );
    await run(
      process.execPath,
      [
        TSC,
        "--noEmit",
        "--strict",
        "--module",
        "nodenext",
        "--moduleResolution",
        "nodenext",
        "--target",
        "es2022",
        "--lib",
        "es2022,dom",
        "check.ts",
      ],
      { cwd: dir },
    );
  });

  it("bundles into a Worker and runs in workerd", async () => {
    await writeFile(
      join(dir, "worker.js"),
      `import { Nafsi, verifyWebhook } from "@nafsi/sdk";
       export default {
         async fetch() {
           const seen = [];
           const nafsi = Nafsi.init({ clientId: "nafsi_live_a", clientSecret: "sk_live_b", baseUrl: "https://gw.example",
             fetch: async (url, init) => { seen.push(url); return Response.json({ ok: true }, { headers: {
               "X-RateLimit-Limit": "100", "X-RateLimit-Remaining": "99", "X-RateLimit-Reset": "1700000000" } }); } });
           const answer = await nafsi.request("/v1/verify", { method: "POST", body: { a: 1 } });
           const key = await crypto.subtle.importKey("raw", new TextEncoder().encode("whsec"), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
           const t = Math.floor(Date.now() / 1000);
           const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(t + '.{"id":"alt_1"}')));
           const hex = [...mac].map((b) => b.toString(16).padStart(2, "0")).join("");
           const alert = await verifyWebhook('{"id":"alt_1"}', "t=" + t + ",v1=" + hex, "whsec");
           return Response.json({ answer, seen, rateLimit: nafsi.rateLimit, alert });
         },
       };`,
    );
    const bundle = await build({
      entryPoints: [join(dir, "worker.js")],
      absWorkingDir: dir,
      bundle: true,
      write: false,
      format: "esm",
      platform: "neutral",
      conditions: ["workerd", "worker"],
      logLevel: "silent",
    });
    const mf = new Miniflare({ modules: true, script: bundle.outputFiles[0]!.text, compatibilityDate: "2026-04-26" });
    try {
      const res = await mf.dispatchFetch("http://worker.test/");
      expect(await res.json()).toEqual({
        answer: { ok: true },
        seen: ["https://gw.example/v1/verify"],
        rateLimit: { limit: 100, remaining: 99, reset: 1700000000 },
        alert: { id: "alt_1" },
      });
    } finally {
      await mf.dispose();
    }
  });
});
