/**
 * Alert webhooks, signed as Stripe signs its events: `X-Nafsi-Signature: t=<unix>,v1=<hex>` where
 * v1 = HMAC-SHA256(ALERT_WEBHOOK_SECRET, "<t>.<raw body>"). Receivers recompute it over the raw
 * body, compare in constant time, and reject stale timestamps (README "Alert webhooks").
 */
import { toHex } from "../domain/hash";

const encoder = new TextEncoder();
const DELIVERY_TIMEOUT_MS = 10_000;
/** 30 s, doubling, capped at 30 min: ten attempts span about 2.5 hours. */
const FIRST_RETRY_MS = 30_000;
const MAX_RETRY_MS = 30 * 60_000;
export const MAX_ATTEMPTS = 10;

export async function signature(secret: string, timestamp: number, body: string): Promise<string> {
  const key = await crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, [
    "sign",
  ]);
  const mac = await crypto.subtle.sign("HMAC", key, encoder.encode(`${timestamp}.${body}`));
  return `t=${timestamp},v1=${toHex(new Uint8Array(mac))}`;
}

export const retryDelay = (attempts: number): number =>
  Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** Math.max(0, attempts - 1));

/** One delivery attempt; true on a 2xx. Never throws. */
export async function deliver(url: string, secret: string, body: string, now: number): Promise<boolean> {
  try {
    const timestamp = Math.floor(now / 1000);
    const res = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Nafsi-Signature": await signature(secret, timestamp, body) },
      body,
      signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
    });
    await res.body?.cancel();
    return res.ok;
  } catch {
    return false;
  }
}
