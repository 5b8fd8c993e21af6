import { afterEach, describe, expect, it } from "vitest";
import { Nafsi, NafsiError } from "../src/index.js";
import { isBrowserContext } from "../src/browser.js";
import { fakeRuntime, json } from "./fakes.js";

// The globals each runtime defines, as far as the check looks at them. Cloudflare Workers' were
// read from workerd (compatibility dates 2021-11-01 and 2026-04-26): WorkerGlobalScope and
// ServiceWorkerGlobalScope exist, but `self` is an instance of neither.
class WorkerGlobalScope {}
class DedicatedWorkerGlobalScope extends WorkerGlobalScope {}
class SharedWorkerGlobalScope extends WorkerGlobalScope {}
class ServiceWorkerGlobalScope extends WorkerGlobalScope {}
const scopes = { WorkerGlobalScope, DedicatedWorkerGlobalScope, SharedWorkerGlobalScope, ServiceWorkerGlobalScope };
const chrome = { userAgent: "Mozilla/5.0 (X11; Linux x86_64) Chrome/140.0.0.0 Safari/537.36" };

const browsers: [string, Record<string, unknown>][] = [
  ["a page", { window: {}, document: {}, self: {}, navigator: chrome }],
  ["a dedicated worker", { ...scopes, self: new DedicatedWorkerGlobalScope(), navigator: chrome }],
  ["a shared worker", { ...scopes, self: new SharedWorkerGlobalScope(), navigator: chrome }],
  ["a service worker", { ...scopes, self: new ServiceWorkerGlobalScope(), navigator: chrome }],
  ["a worker of a browser that names only WorkerGlobalScope", { WorkerGlobalScope, self: new WorkerGlobalScope() }],
];

const servers: [string, Record<string, unknown>][] = [
  ["Node", {}],
  ["Node 21+ (navigator)", { navigator: { userAgent: "Node.js/22" } }],
  [
    "Cloudflare Workers",
    {
      WorkerGlobalScope,
      ServiceWorkerGlobalScope,
      self: {},
      navigator: { userAgent: "Cloudflare-Workers" },
      WebSocketPair: class {},
    },
  ],
  [
    "Cloudflare Workers before navigator",
    { WorkerGlobalScope, ServiceWorkerGlobalScope, self: {}, WebSocketPair: class {} },
  ],
  [
    "Cloudflare Workers, even if self were a scope",
    { ...scopes, self: new ServiceWorkerGlobalScope(), navigator: { userAgent: "Cloudflare-Workers" } },
  ],
  ["Deno 1.x main (window)", { Deno: {}, window: {}, self: {}, navigator: { userAgent: "Deno/1.46.3" } }],
  ["a Deno worker", { Deno: {}, ...scopes, self: new DedicatedWorkerGlobalScope() }],
  ["Bun", { Bun: {}, self: {}, navigator: { userAgent: "Bun/1.2.0" } }],
];

describe("isBrowserContext", () => {
  it.each(browsers)("%s is a browser", (_, globals) => {
    expect(isBrowserContext(globals)).toBe(true);
  });

  it.each(servers)("%s is not", (_, globals) => {
    expect(isBrowserContext(globals)).toBe(false);
  });

  it("this test's own Node is not", () => {
    expect(isBrowserContext()).toBe(false);
  });
});

describe("Nafsi.init with a secret in a dedicated worker (simulated on globalThis)", () => {
  const g = globalThis as Record<string, unknown>;
  afterEach(() => {
    for (const name of [...Object.keys(scopes), "self"]) delete g[name];
  });

  it("throws secret_in_browser and sends nothing; a workflow ID is fine", async () => {
    Object.assign(g, scopes, { self: new DedicatedWorkerGlobalScope() });
    const net = fakeRuntime([json(200, {})]);
    const init = () =>
      Nafsi.init({
        clientId: "nafsi_live_a",
        clientSecret: "sk_live_b",
        baseUrl: "http://gateway.test",
        fetch: net.fetch,
      });
    expect(init).toThrow(NafsiError);
    expect(init).toThrow(expect.objectContaining({ code: "secret_in_browser", status: 0 }));
    expect(net.sent).toHaveLength(0);
    const nafsi = Nafsi.init({
      clientId: "nafsi_live_a",
      workflowId: "wf_b",
      baseUrl: "http://gateway.test",
      fetch: net.fetch,
    });
    await nafsi.request("/v1/verify");
    expect(net.sent[0]!.headers["x-client-secret"]).toBeUndefined();
  });
});
