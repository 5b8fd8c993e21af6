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

/** What a webhook endpoint receives (Standard Webhooks): the event, with the alert as `data`. */
export interface WebhookEvent<T = Alert> {
  type: string;
  timestamp: string;
  data: T;
}

/**
 * A delivery's headers: a `Headers`, or a plain object of header names (any case) to values, as
 * Node's `req.headers` gives them (a value may be a string array).
 */
export type WebhookHeaders = Headers | Record<string, string | readonly string[] | undefined>;

const encoder = new TextEncoder();

/**
 * Checks a webhook delivery over the raw body exactly as received and resolves with the parsed body.
 *
 * - Standard Webhooks (a webhook endpoint's `whsec_…` secret): `webhook-id`, `webhook-timestamp`
 *   and `webhook-signature: v1,<base64 HMAC-SHA256(key, "<id>.<timestamp>.<body>")>`, where the key
 *   is the base64-decoded part of the secret after `whsec_`. Several space-separated signatures are
 *   allowed (the old and the new secret's, for a day after a rotation); any one may match.
 * - The alert webhook of `ALERT_WEBHOOK_URL`: `X-Nafsi-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret,
 *   "<t>.<body>")>`, given as that header's value (a string) or among the headers.
 *
 * Headers that carry any `webhook-*` header are checked as Standard Webhooks, headers with an
 * `X-Nafsi-Signature` the other way; with neither, a `whsec_` secret expects Standard Webhooks. The
 * comparison is WebCrypto's own HMAC verify, which is constant time.
 */
export async function verifyWebhook<T = Alert>(
  rawBody: string | Uint8Array | ArrayBuffer,
  signatureHeader: string | null | undefined,
  secret: string,
  options?: VerifyWebhookOptions,
): Promise<T>;
export async function verifyWebhook<T = WebhookEvent | Alert>(
  rawBody: string | Uint8Array | ArrayBuffer,
  headers: WebhookHeaders,
  secret: string,
  options?: VerifyWebhookOptions,
): Promise<T>;
export async function verifyWebhook(
  rawBody: string | Uint8Array | ArrayBuffer,
  headers: WebhookHeaders | string | null | undefined,
  secret: string,
  options: VerifyWebhookOptions = {},
): Promise<unknown> {
  const tolerance = options.toleranceSeconds ?? 300;
  // Checked before anything else: NaN would make the timestamp check always pass (every comparison
  // with NaN is false), and an empty secret is a key that anyone can sign with.
  if (typeof tolerance !== "number" || !Number.isFinite(tolerance) || tolerance <= 0)
    throw invalid("toleranceSeconds must be a positive, finite number of seconds.");
  if (typeof secret !== "string" || secret.length === 0) throw invalid("The webhook secret is empty.");
  const body = typeof rawBody === "string" ? encoder.encode(rawBody) : new Uint8Array(rawBody);
  const now = (options.now ?? Date.now)() / 1000;

  if (headers === null || headers === undefined || typeof headers === "string")
    return verifyNafsiSignature(body, headers, secret, tolerance, now);
  if (typeof headers !== "object") throw invalid("The webhook headers are missing.");
  const read = headerReader(headers);
  const standard = ["webhook-id", "webhook-timestamp", "webhook-signature"].some((name) => read(name) !== undefined);
  if (standard || (read("x-nafsi-signature") === undefined && secret.startsWith("whsec_")))
    return verifyStandardWebhook(body, read, secret, tolerance, now);
  return verifyNafsiSignature(body, single(read("x-nafsi-signature")), secret, tolerance, now);
}

async function verifyStandardWebhook(
  body: Uint8Array,
  read: (name: string) => string[] | undefined,
  secret: string,
  tolerance: number,
  now: number,
): Promise<unknown> {
  const id = single(read("webhook-id"));
  const timestamp = single(read("webhook-timestamp"));
  const signatureValues = read("webhook-signature");
  if (!id || !timestamp || !/^\d{1,15}$/.test(timestamp) || !signatureValues)
    throw invalid("The webhook-id, webhook-timestamp or webhook-signature header is missing or malformed.");
  checkTimestamp(timestamp, tolerance, now);
  const keyBytes = base64Bytes(secret.startsWith("whsec_") ? secret.slice("whsec_".length) : secret);
  if (!keyBytes || keyBytes.length === 0) throw invalid("The webhook secret is not a whsec_ secret.");
  const signatures: Uint8Array<ArrayBuffer>[] = [];
  // "v1,<base64>" pairs, space separated; a repeated header arrives joined with ", " (by Headers and
  // by Node), so commas and spaces both split. Base64 has neither; other versions are skipped.
  const tokens = signatureValues
    .join(" ")
    .split(/[\s,]+/)
    .filter(Boolean);
  for (let i = 0; i + 1 < tokens.length; i++) {
    if (tokens[i] !== "v1") continue;
    const bytes = base64Bytes(tokens[i + 1]!);
    if (bytes && bytes.length === 32) signatures.push(bytes);
  }
  if (signatures.length === 0) throw invalid("The webhook-signature header has no v1 signature.");
  return verified(body, `${id}.${timestamp}.`, keyBytes, signatures);
}

async function verifyNafsiSignature(
  body: Uint8Array,
  header: string | null | undefined,
  secret: string,
  tolerance: number,
  now: number,
): Promise<unknown> {
  let timestamp: string | undefined;
  const signatures: Uint8Array<ArrayBuffer>[] = [];
  for (const part of (header ?? "").split(",")) {
    const [key, value = ""] = part.trim().split("=", 2) as [string, string?];
    if (key === "t" && /^\d+$/.test(value)) timestamp = value;
    else if (key === "v1" && /^[0-9a-f]{64}$/i.test(value)) signatures.push(hexBytes(value));
  }
  if (timestamp === undefined || signatures.length === 0)
    throw invalid("The signature header is missing or malformed.");
  checkTimestamp(timestamp, tolerance, now);
  return verified(body, `${timestamp}.`, encoder.encode(secret), signatures);
}

/** The parsed body when any signature is HMAC-SHA256(key, prefix + body); otherwise a rejection. */
async function verified(
  body: Uint8Array,
  prefix: string,
  keyBytes: Uint8Array<ArrayBuffer>,
  signatures: Uint8Array<ArrayBuffer>[],
): Promise<unknown> {
  const key = await crypto.subtle.importKey("raw", keyBytes, { name: "HMAC", hash: "SHA-256" }, false, ["verify"]);
  // Over the bytes as received: decoding first would let invalid UTF-8 verify as something else.
  const head = encoder.encode(prefix);
  const signed = new Uint8Array(head.length + body.length);
  signed.set(head);
  signed.set(body, head.length);
  for (const signature of signatures) {
    if (await crypto.subtle.verify("HMAC", key, signature, signed)) {
      try {
        return JSON.parse(new TextDecoder().decode(body)) as unknown;
      } catch {
        throw invalid("The signed body is not JSON.");
      }
    }
  }
  throw invalid("The signature does not match the body.");
}

function checkTimestamp(timestamp: string, tolerance: number, now: number): void {
  if (Math.abs(now - Number(timestamp)) > tolerance)
    throw invalid("The signature's timestamp is outside the tolerance.");
}

/** A case-insensitive reader of either kind of headers: a header's values, or undefined when absent. */
function headerReader(headers: WebhookHeaders): (name: string) => string[] | undefined {
  if (typeof Headers !== "undefined" && headers instanceof Headers) {
    return (name) => {
      const value = headers.get(name);
      return value === null ? undefined : [value];
    };
  }
  const lowered = new Map<string, string[]>();
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || value === null) continue;
    const values = (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === "string");
    lowered.set(name.toLowerCase(), [...(lowered.get(name.toLowerCase()) ?? []), ...values]);
  }
  return (name) => lowered.get(name);
}

/** A header that must appear once: two different values are as good as none. */
const single = (values: string[] | undefined): string | undefined =>
  values && values.length === 1 ? values[0]!.trim() : undefined;

const invalid = (message: string) => new NafsiError({ code: "invalid_signature", message });

function hexBytes(hex: string): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}

/** Standard base64 (padding optional), or null: `atob` alone accepts whitespace and other slack. */
function base64Bytes(text: string): Uint8Array<ArrayBuffer> | null {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 === 1) return null;
  try {
    const binary = atob(text);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes;
  } catch {
    return null;
  }
}
