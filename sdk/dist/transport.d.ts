import { type RetryOptions } from "./retry.js";
import type { Runtime } from "./runtime.js";
export interface SendOptions extends RetryOptions {
    method: string;
    headers: Record<string, string>;
    body?: unknown;
    signal?: AbortSignal;
}
/**
 * One logical call: JSON out, parsed JSON back on 2xx, a NafsiError otherwise, retrying as
 * retry.ts decides. `observe` sees every answer (the data plane reads its rate-limit headers).
 * No Idempotency-Key is sent: the gateway does not honour one.
 */
export declare function send(rt: Runtime, url: string, options: SendOptions, observe?: (res: Response) => void): Promise<unknown>;
