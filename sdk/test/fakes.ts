import type { Runtime } from "../src/runtime.js";

export interface Sent {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: unknown;
}

type Step = Response | Error | (() => Response | Error);

/**
 * A scripted network and a fake clock: `fetch` answers with the next step (an Error is a network
 * failure), `sleep` records the wait and advances the clock at once, `random` returns `randomValue`.
 */
export function fakeRuntime(steps: Step[], start = Date.UTC(2026, 0, 28, 12)) {
  const sent: Sent[] = [];
  const waits: number[] = [];
  const state = { now: start, randomValue: 0.5 };
  const fetch = (async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const headers: Record<string, string> = {};
    new Headers(init.headers).forEach((value, name) => {
      headers[name] = value;
    });
    sent.push({
      url: String(input),
      method: init.method ?? "GET",
      headers,
      body: typeof init.body === "string" ? JSON.parse(init.body) : init.body,
    });
    const step = steps.shift();
    if (step === undefined) throw new Error("fake fetch: no answer scripted");
    const outcome = typeof step === "function" ? step() : step;
    if (outcome instanceof Error) throw outcome;
    return outcome;
  }) as typeof globalThis.fetch;
  const runtime: Partial<Omit<Runtime, "fetch">> = {
    now: () => state.now,
    random: () => state.randomValue,
    sleep: async (ms: number, signal?: AbortSignal) => {
      signal?.throwIfAborted();
      waits.push(ms);
      state.now += ms;
    },
  };
  return { fetch, runtime, sent, waits, state, steps };
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "Content-Type": "application/json", "X-Request-Id": `req-${status}`, ...headers },
  });
}

export const rateLimited = (headers: Record<string, string>) =>
  json(
    429,
    { error: { code: "rate_limit_exceeded", message: "Rate limit of 10 requests/minute exceeded", retry_after: 7 } },
    headers,
  );
