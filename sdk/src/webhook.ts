import { NafsiError } from "./errors.js";
import type { Alert } from "./types.js";

export interface VerifyWebhookOptions {
  /**
   * How far the signature's timestamp may be from now (default 300 s), against replays. Anything but
   * a positive finite number rejects every delivery (`invalid_signature`).
   */
  toleranceSeconds?: number;
  /** @internal Test seam: the current time in ms. */
  now?: () => number;
}

const encoder = new TextEncoder();

/**
 * Checks an alert webhook's `X-Nafsi-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`
 * over the raw body exactly as received, and resolves with the parsed alert. The comparison is
 * WebCrypto's own HMAC verify, which is constant time. Any v1 may match (several are allowed so that
 * a sender can sign with an old and a new secret during a rotation).
 */
export async function verifyWebhook(
  rawBody: string | Uint8Array | ArrayBuffer,
  signatureHeader: string | null | undefined,
  secret: string,
  options: VerifyWebhookOptions = {},
): Promise<Alert> {
  const tolerance = options.toleranceSeconds ?? 300;
  // Checked before anything else: NaN would make the timestamp check always pass (every comparison
  // with NaN is false), and an empty secret is a key that anyone can sign with.
  if (typeof tolerance !== "number" || !Number.isFinite(tolerance) || tolerance <= 0)
    throw invalid("toleranceSeconds must be a positive, finite number of seconds.");
  if (typeof secret !== "string" || secret.length === 0) throw invalid("The webhook secret is empty.");
  const body = typeof rawBody === "string" ? rawBody : new TextDecoder().decode(rawBody);
  let timestamp: string | undefined;
  const signatures: Uint8Array<ArrayBuffer>[] = [];
  for (const part of (signatureHeader ?? "").split(",")) {
    const [key, value = ""] = part.trim().split("=", 2) as [string, string?];
    if (key === "t" && /^\d+$/.test(value)) timestamp = value;
    else if (key === "v1" && /^[0-9a-f]{64}$/i.test(value)) signatures.push(hexBytes(value));
  }
  if (timestamp === undefined || signatures.length === 0)
    throw invalid("The signature header is missing or malformed.");
  const now = (options.now ?? Date.now)() / 1000;
  if (Math.abs(now - Number(timestamp)) > tolerance)
    throw invalid("The signature's timestamp is outside the tolerance.");

  const key = await crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, [
    "verify",
  ]);
  const signed = encoder.encode(`${timestamp}.${body}`);
  for (const signature of signatures) {
    if (await crypto.subtle.verify("HMAC", key, signature, signed)) {
      try {
        return JSON.parse(body) as Alert;
      } catch {
        throw invalid("The signed body is not JSON.");
      }
    }
  }
  throw invalid("The signature does not match the body.");
}

const invalid = (message: string) => new NafsiError({ code: "invalid_signature", message });

function hexBytes(hex: string): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}
