/**
 * GitHub's side of a secret-scanning report, made in the test: an ECDSA P-256 key pair, its key
 * document (as GitHub publishes it), and reports signed the way GitHub signs them (SHA-256, the
 * signature as base64 DER). The DER encoding here is written independently of src/.
 */
import { callWithEnv } from "./helpers";

export interface ScanningKey {
  id: string;
  pem: string;
  privateKey: CryptoKey;
}

const base64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));

export async function newScanningKey(id = `key-${crypto.randomUUID()}`): Promise<ScanningKey> {
  const pair = (await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, [
    "sign",
    "verify",
  ])) as CryptoKeyPair;
  const spki = new Uint8Array((await crypto.subtle.exportKey("spki", pair.publicKey)) as ArrayBuffer);
  const lines = base64(spki)
    .match(/.{1,64}/g)!
    .join("\n");
  return { id, pem: `-----BEGIN PUBLIC KEY-----\n${lines}\n-----END PUBLIC KEY-----\n`, privateKey: pair.privateKey };
}

/** GitHub's key document: `{"public_keys": [{key_identifier, key, is_current}]}`. */
export const keyDocument = (...keys: ScanningKey[]) =>
  JSON.stringify({ public_keys: keys.map((k, i) => ({ key_identifier: k.id, key: k.pem, is_current: i === 0 })) });

/** One DER INTEGER: minimal, with a 0x00 in front when the top bit is set. */
function derInteger(bytes: Uint8Array): number[] {
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  const body = [...bytes.subarray(i)];
  if (body[0]! & 0x80) body.unshift(0);
  return [0x02, body.length, ...body];
}

/** base64 DER of the ECDSA signature of `body` (WebCrypto gives r||s; GitHub sends DER). */
export async function sign(key: ScanningKey, body: string | Uint8Array): Promise<string> {
  const data = typeof body === "string" ? new TextEncoder().encode(body) : body;
  const raw = new Uint8Array(await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, key.privateKey, data));
  const seq = [...derInteger(raw.subarray(0, 32)), ...derInteger(raw.subarray(32))];
  return base64(Uint8Array.from([0x30, seq.length, ...seq]));
}

export interface ReportedToken {
  token: string;
  type: string;
  url: string;
  source: string;
}

export const reported = (token: string, type = "nafsi_client_secret"): ReportedToken => ({
  token,
  type,
  url: "https://github.com/octo/leaky/blob/0123abcd/config.js",
  source: "content",
});

/** A request to POST /leaks/github, signed by `key` (or with the headers given). */
export async function signedRequest(
  key: ScanningKey,
  body: string,
  headers: Record<string, string> = {},
): Promise<RequestInit> {
  return {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      "Github-Public-Key-Identifier": key.id,
      "Github-Public-Key-Signature": await sign(key, body),
      ...headers,
    },
    body,
  };
}

/**
 * Sends a signed report through a fresh app whose SECRET_SCANNING_KEYS names `key` (plus the
 * overrides given), and waits for its after-response work.
 */
export async function report(
  key: ScanningKey,
  tokens: ReportedToken[] | string,
  overrides: Record<string, unknown> = {},
): Promise<Response> {
  const body = typeof tokens === "string" ? tokens : JSON.stringify(tokens);
  return callWithEnv(
    { SECRET_SCANNING_KEYS: keyDocument(key), ...overrides },
    "/leaks/github",
    await signedRequest(key, body),
  );
}
