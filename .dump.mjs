import { build } from "esbuild";
const dir = process.argv[2];
await build({ entryPoints: [dir + "/src/app.ts"], bundle: true, platform: "node", format: "esm", outfile: "/tmp/mv/app-" + process.argv[3] + ".mjs", external: ["cloudflare:workers"], logLevel: "error" });
const { createApp } = await import("/tmp/mv/app-" + process.argv[3] + ".mjs");
const app = createApp();
const res = await app.request("/openapi.json");
process.stdout.write(await res.text());
