/**
 * Whether the SDK runs in a browser context: a page, or a dedicated, shared or service worker of
 * one. Everything there is readable by whoever opens the page, so a client secret must never be
 * given to the SDK in one (contract: `secret_in_browser`).
 *
 * Told apart by globals, because server runtimes define some browser ones too:
 * - Cloudflare Workers define `WorkerGlobalScope` and `ServiceWorkerGlobalScope` (though `self` is an
 *   instance of neither), `navigator.userAgent === "Cloudflare-Workers"` from the 2022-03-21
 *   compatibility date on, and `WebSocketPair` on every date; browsers have no `WebSocketPair`.
 * - Deno defines `window` in its main scope (1.x) and `WorkerGlobalScope` in its workers; `Deno` marks it.
 * - Bun is marked by `Bun`. Node defines none of these (unless a test puts a DOM there, which then
 *   counts as a browser, as it should).
 */

type Globals = Record<string, unknown> & { navigator?: { userAgent?: unknown }; self?: unknown };

const WORKER_SCOPES = [
  "WorkerGlobalScope",
  "DedicatedWorkerGlobalScope",
  "SharedWorkerGlobalScope",
  "ServiceWorkerGlobalScope",
] as const;

export function isBrowserContext(g: Globals = globalThis as unknown as Globals): boolean {
  if (g.Deno !== undefined || g.Bun !== undefined) return false;
  if (g.navigator?.userAgent === "Cloudflare-Workers" || g.WebSocketPair !== undefined) return false;
  if (g.document !== undefined || g.window !== undefined) return true;
  // The scope's constructor alone is not enough (Workers define it); the global must be one.
  return WORKER_SCOPES.some((name) => {
    const scope = g[name];
    return typeof scope === "function" && g.self instanceof scope;
  });
}
