/**
 * What the SDK takes from its platform, injectable so that tests run on a fake clock and a fake
 * network: `fetch`, the time (ms since the epoch), waiting, and randomness for jitter.
 */
export interface Runtime {
  fetch: typeof fetch;
  now: () => number;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  random: () => number;
}

export interface RuntimeOptions {
  /** Defaults to the platform's global `fetch`, looked up at call time (so polyfills and test doubles apply). */
  fetch?: typeof fetch;
  /** @internal Test seam: replaces the clock, sleeping and randomness. */
  runtime?: Partial<Omit<Runtime, "fetch">>;
}

const abortReason = (signal: AbortSignal): unknown =>
  signal.reason ?? new DOMException("This operation was aborted", "AbortError");

/** setTimeout that an AbortSignal cuts short (rejecting with the signal's reason). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortReason(signal));
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortReason(signal!));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

export function runtimeFrom(options: RuntimeOptions): Runtime {
  const custom = options.runtime ?? {};
  return {
    // Bound lazily: some platforms throw "Illegal invocation" when fetch is called off globalThis.
    fetch: options.fetch ?? ((input, init) => globalThis.fetch(input, init)),
    now: custom.now ?? Date.now,
    sleep: custom.sleep ?? sleep,
    random: custom.random ?? Math.random,
  };
}
