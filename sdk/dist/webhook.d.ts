import type { Alert } from "./types.js";
export interface VerifyWebhookOptions {
    /** How far the signature's timestamp may be from now (default 300 s), against replays. */
    toleranceSeconds?: number;
}
/**
 * Checks an alert webhook's `X-Nafsi-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`
 * over the raw body exactly as received, and resolves with the parsed alert. The comparison is
 * WebCrypto's own HMAC verify, which is constant time. Any v1 may match (several are allowed so that
 * a sender can sign with an old and a new secret during a rotation).
 */
export declare function verifyWebhook(rawBody: string | Uint8Array | ArrayBuffer, signatureHeader: string | null | undefined, secret: string, options?: VerifyWebhookOptions): Promise<Alert>;
