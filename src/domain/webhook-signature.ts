/**
 * Standard Webhooks signatures (standardwebhooks.com, "Verifying webhook authenticity"): the
 * signed content is `<webhook-id>.<webhook-timestamp>.<body>`, the signature
 * `v1,<base64 HMAC-SHA256>` keyed with the secret's base64-decoded bytes, and several signatures
 * (during a rotation) are separated by spaces. The reference libraries verify these unchanged.
 */
import { webhookKeyBytes } from "./webhook-secret";

const encoder = new TextEncoder();

async function sign(secret: string, content: string): Promise<string> {
  const key = await crypto.subtle.importKey("raw", webhookKeyBytes(secret), { name: "HMAC", hash: "SHA-256" }, false, [
    "sign",
  ]);
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, encoder.encode(content)));
  return `v1,${btoa(String.fromCharCode(...mac))}`;
}

/** The three headers of one attempt: one signature per secret, the newest first. */
export async function webhookHeaders(
  secrets: readonly string[],
  webhookId: string,
  timestampSeconds: number,
  body: string,
): Promise<Record<string, string>> {
  const content = `${webhookId}.${timestampSeconds}.${body}`;
  const signatures = await Promise.all(secrets.map((s) => sign(s, content)));
  return {
    "webhook-id": webhookId,
    "webhook-timestamp": String(timestampSeconds),
    "webhook-signature": signatures.join(" "),
  };
}
