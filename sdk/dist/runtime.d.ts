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
}
/** setTimeout that an AbortSignal cuts short (rejecting with the signal's reason). */
export declare function sleep(ms: number, signal?: AbortSignal): Promise<void>;
export declare function runtimeFrom(options: RuntimeOptions): Runtime;
