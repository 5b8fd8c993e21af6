/**
 * Webhook endpoints' signing secrets: `whsec_` + base64 of 32 random bytes (Standard Webhooks'
 * form). Unlike client secrets and admin tokens, which the gateway only ever compares and so keeps
 * as hashes, these are HMAC keys it must use again for every delivery: a hash would be useless. So
 * D1 holds them encrypted (AES-256-GCM, a fresh 96-bit IV each time, the endpoint's id as
 * additional data so that a ciphertext copied to another row does not decrypt) under a key derived
 * by HKDF-SHA256 from CREDENTIAL_TAG_KEY with its own info label: a copy of the database alone
 * (a backup, an export, a leaked query result) reveals no secret, and the derived key is used for
 * nothing else. After CREDENTIAL_TAG_KEY is rotated, CREDENTIAL_TAG_KEY_PREVIOUS still decrypts
 * what the old key encrypted (docs/storage.md).
 */
import { WEBHOOK_SECRET_PREFIX } from "../lib/credential-prefixes";

const SECRET_BYTES = 32;
const IV_BYTES = 12;
/** The HKDF info label: a key derived for this purpose only. */
const INFO = new TextEncoder().encode("nafsi-gateway webhook endpoint secrets v1");
const VERSION = "v1";

export interface SecretKeyConfig {
  CREDENTIAL_TAG_KEY?: string;
  CREDENTIAL_TAG_KEY_PREVIOUS?: string;
}

const toBase64 = (bytes: Uint8Array): string => btoa(String.fromCharCode(...bytes));
const fromBase64 = (text: string): Uint8Array => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));

export function newWebhookSecret(): string {
  return WEBHOOK_SECRET_PREFIX + toBase64(crypto.getRandomValues(new Uint8Array(SECRET_BYTES)));
}

/** The HMAC key a secret stands for: the base64-decoded part after `whsec_`. */
export const webhookKeyBytes = (secret: string): Uint8Array => fromBase64(secret.slice(WEBHOOK_SECRET_PREFIX.length));

const keyCache = new Map<string, Promise<CryptoKey>>();

function encryptionKey(tagKey: string): Promise<CryptoKey> {
  let key = keyCache.get(tagKey);
  if (!key) {
    key = crypto.subtle
      .importKey("raw", new TextEncoder().encode(tagKey), "HKDF", false, ["deriveKey"])
      .then((ikm) =>
        crypto.subtle.deriveKey(
          { name: "HKDF", hash: "SHA-256", salt: new Uint8Array(0), info: INFO },
          ikm,
          { name: "AES-GCM", length: 256 },
          false,
          ["encrypt", "decrypt"],
        ),
      );
    keyCache.set(tagKey, key);
  }
  return key;
}

export class SecretKeyMissing extends Error {
  constructor() {
    super("CREDENTIAL_TAG_KEY is not set.");
    this.name = "SecretKeyMissing";
  }
}

/** `v1.<base64 of IV ‖ ciphertext>`, bound to `endpointId`. */
export async function encryptWebhookSecret(
  config: SecretKeyConfig,
  endpointId: string,
  secret: string,
): Promise<string> {
  if (!config.CREDENTIAL_TAG_KEY) throw new SecretKeyMissing();
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const sealed = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv, additionalData: new TextEncoder().encode(endpointId) },
    await encryptionKey(config.CREDENTIAL_TAG_KEY),
    new TextEncoder().encode(secret),
  );
  const out = new Uint8Array(IV_BYTES + sealed.byteLength);
  out.set(iv);
  out.set(new Uint8Array(sealed), IV_BYTES);
  return `${VERSION}.${toBase64(out)}`;
}

/** The secret, under the current tag key or the previous one; null when neither opens it. */
export async function decryptWebhookSecret(
  config: SecretKeyConfig,
  endpointId: string,
  stored: string,
): Promise<string | null> {
  const [version, payload] = stored.split(".");
  if (version !== VERSION || !payload) return null;
  const bytes = fromBase64(payload);
  for (const tagKey of [config.CREDENTIAL_TAG_KEY, config.CREDENTIAL_TAG_KEY_PREVIOUS]) {
    if (!tagKey) continue;
    try {
      const plain = await crypto.subtle.decrypt(
        { name: "AES-GCM", iv: bytes.slice(0, IV_BYTES), additionalData: new TextEncoder().encode(endpointId) },
        await encryptionKey(tagKey),
        bytes.slice(IV_BYTES),
      );
      return new TextDecoder().decode(plain);
    } catch {
      // not this key: try the next
    }
  }
  return null;
}
