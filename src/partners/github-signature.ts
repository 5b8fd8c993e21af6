/**
 * GitHub's signature on a secret-scanning report: ECDSA P-256 with SHA-256 over the raw body, sent
 * as base64 DER (`Github-Public-Key-Signature`) with the signing key's ID
 * (`Github-Public-Key-Identifier`). WebCrypto verifies the raw r||s form (IEEE P1363), so the DER
 * sequence is unpacked here; nothing else is hand-made.
 */
import { z } from "@hono/zod-openapi";

const KeyDocument = z.object({
  public_keys: z.array(z.object({ key_identifier: z.string(), key: z.string(), is_current: z.boolean().optional() })),
});

export interface PublicKey {
  id: string;
  pem: string;
}

/** The keys of GitHub's key document (JSON text), or null when it is not one. */
export function parseKeyDocument(text: string): PublicKey[] | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  const parsed = KeyDocument.safeParse(value);
  return parsed.success ? parsed.data.public_keys.map((k) => ({ id: k.key_identifier, pem: k.key })) : null;
}

function base64Bytes(text: string): Uint8Array | null {
  try {
    const binary = atob(text.replace(/\s+/g, ""));
    return Uint8Array.from(binary, (c) => c.charCodeAt(0));
  } catch {
    return null;
  }
}

// One import per key and isolate: the PEM text is the cache key.
const imported = new Map<string, Promise<CryptoKey | null>>();

function importKey(pem: string): Promise<CryptoKey | null> {
  let key = imported.get(pem);
  if (!key) {
    const der = base64Bytes(pem.replace(/-----(BEGIN|END) PUBLIC KEY-----/g, ""));
    key = der
      ? crypto.subtle
          .importKey("spki", der, { name: "ECDSA", namedCurve: "P-256" }, false, ["verify"])
          .catch(() => null)
      : Promise.resolve(null);
    imported.set(pem, key);
  }
  return key;
}

/**
 * One DER INTEGER at `at`, as exactly 32 big-endian bytes; null unless it is the one encoding DER
 * allows for a value in 1..2^256-1: a short-form length, no 0x00 in front that the next byte does
 * not need (non-minimal), no top bit set without it (negative), and at most 32 bytes of value.
 */
function derInteger(der: Uint8Array, at: number): { value: Uint8Array; next: number } | null {
  if (der[at] !== 0x02) return null;
  const length = der[at + 1];
  if (length === undefined || length === 0 || length > 33 || at + 2 + length > der.length) return null;
  let bytes = der.subarray(at + 2, at + 2 + length);
  if (bytes[0]! & 0x80) return null;
  if (bytes[0] === 0) {
    if (bytes.length === 1 || !(bytes[1]! & 0x80)) return null;
    bytes = bytes.subarray(1);
  }
  if (bytes.length > 32) return null;
  const value = new Uint8Array(32);
  value.set(bytes, 32 - bytes.length);
  return { value, next: at + 2 + length };
}

/**
 * ECDSA-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER } → r||s (64 bytes), or null. Strict DER, as
 * GitHub's signer emits it: one encoding per signature, so that no second spelling of a signature
 * is taken. The sequence holds at most 2 × 35 bytes, so its length is always short form, and
 * nothing may follow it.
 */
export function derToRaw(der: Uint8Array): Uint8Array | null {
  if (der.length < 2 || der[0] !== 0x30 || der[1]! > 0x7f || 2 + der[1]! !== der.length) return null;
  const r = derInteger(der, 2);
  const s = r && derInteger(der, r.next);
  if (!r || !s || s.next !== der.length) return null;
  const raw = new Uint8Array(64);
  raw.set(r.value, 0);
  raw.set(s.value, 32);
  return raw;
}

/** True when `signature` (base64 DER) is a valid signature of `body` by one of `keys`. */
export async function verifySignature(
  keys: readonly PublicKey[],
  signature: string,
  body: Uint8Array,
): Promise<boolean> {
  const der = base64Bytes(signature);
  const raw = der && derToRaw(der);
  if (!raw) return false;
  for (const { pem } of keys) {
    const key = await importKey(pem);
    if (key && (await crypto.subtle.verify({ name: "ECDSA", hash: "SHA-256" }, key, raw, body))) return true;
  }
  return false;
}
