/**
 * Client IDs, client secrets, workflow IDs and admin token secrets:
 * `<prefix><22 base62 random><8 base62 tag>`.
 *
 * 22 base62 characters carry 130.9 bits from crypto.getRandomValues. The tag is a truncated
 * HMAC-SHA256 (48 bits, shown as 8 base62 characters, ≥ 47 bits) of everything before it, under
 * CREDENTIAL_TAG_KEY, which only the gateway holds. A mistyped, random or forged value is refused at
 * the edge without any storage lookup; a public checksum (CRC32) would not do that, since anyone
 * can compute it and make up IDs that reach storage. CREDENTIAL_TAG_KEY_PREVIOUS keeps values
 * minted under the previous key valid during a key rotation. The random part is the secret; the
 * tag only decides whether a value is worth looking up.
 */
import { timingSafeEqualHex } from "./hash";
import { PREFIX } from "../lib/credential-prefixes";

export type Environment = "production" | "sandbox";

const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const RANDOM_LENGTH = 22;
const TAG_LENGTH = 8;
const TAG_BYTES = 6;
const MAX_LENGTH = 64;

export { PREFIX };

const BODY = new RegExp(`^[0-9A-Za-z]{${RANDOM_LENGTH + TAG_LENGTH}}$`);
const encoder = new TextEncoder();

/** Neither CREDENTIAL_TAG_KEY nor a previous key is configured: nothing can be minted or trusted. */
export class TagKeyMissing extends Error {
  constructor() {
    super("CREDENTIAL_TAG_KEY is not set.");
    this.name = "TagKeyMissing";
  }
}

/** Unbiased base62: bytes ≥ 248 (= 4 × 62) are rejected rather than folded onto the alphabet. */
function randomBase62(length: number): string {
  let out = "";
  while (out.length < length) {
    const bytes = crypto.getRandomValues(new Uint8Array(length * 2));
    for (const byte of bytes) {
      if (byte < 248 && out.length < length) out += ALPHABET[byte % 62];
    }
  }
  return out;
}

function base62(bytes: Uint8Array, length: number): string {
  let value = 0;
  for (const b of bytes) value = value * 256 + b; // 48 bits: exact in a double
  let out = "";
  for (let i = 0; i < length; i++) {
    out = ALPHABET[value % 62]! + out;
    value = Math.floor(value / 62);
  }
  return out;
}

/** An opaque row ID (audit entries, alerts): random, untagged, never a credential. */
export const newOpaqueId = (prefix: string): string => prefix + randomBase62(RANDOM_LENGTH);

export const lastFour = (secret: string): string => secret.slice(-4);

/** The environment a value's prefix and shape (not its tag) say it belongs to: for messages only. */
export function secretShapeEnvironment(value: string): Environment | null {
  for (const environment of ["production", "sandbox"] as const) {
    const prefix = PREFIX.secret[environment];
    if (value.startsWith(prefix) && BODY.test(value.slice(prefix.length))) return environment;
  }
  return null;
}

/** The environment an ID read from our own storage belongs to (its prefix; no tag check needed). */
export function storedClientIdEnvironment(value: string): Environment {
  return value.startsWith(PREFIX.clientId.sandbox) ? "sandbox" : "production";
}

/** Mints and checks tagged values under one set of keys (the current one first). */
export class Credentials {
  private constructor(private readonly keys: readonly CryptoKey[]) {}

  static async fromKeys(secrets: readonly string[]): Promise<Credentials> {
    const keys = await Promise.all(
      secrets.map((secret) =>
        crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]),
      ),
    );
    return new Credentials(keys);
  }

  newClientId = (environment: Environment) => this.mint(PREFIX.clientId[environment]);
  newClientSecret = (environment: Environment) => this.mint(PREFIX.secret[environment]);
  newWorkflowId = () => this.mint(PREFIX.workflowId);
  newAdminSecret = () => this.mint(PREFIX.adminSecret);

  /** The environment of one of our client IDs, or null (wrong shape, prefix or tag). */
  async clientIdEnvironment(value: string): Promise<Environment | null> {
    for (const environment of ["production", "sandbox"] as const) {
      if (await this.tagged(value, PREFIX.clientId[environment])) return environment;
    }
    return null;
  }

  /** The environment of one of our client secrets, or null (wrong shape, prefix or tag). */
  async secretEnvironment(value: string): Promise<Environment | null> {
    const environment = secretShapeEnvironment(value);
    return environment !== null && (await this.tagged(value, PREFIX.secret[environment])) ? environment : null;
  }

  isWorkflowId = (value: string): Promise<boolean> => this.tagged(value, PREFIX.workflowId);
  isAdminSecret = (value: string): Promise<boolean> => this.tagged(value, PREFIX.adminSecret);

  private async mint(prefix: string): Promise<string> {
    const head = prefix + randomBase62(RANDOM_LENGTH);
    return head + (await this.tag(this.keys[0]!, head));
  }

  private async tagged(value: string, prefix: string): Promise<boolean> {
    if (value.length > MAX_LENGTH || !value.startsWith(prefix) || !BODY.test(value.slice(prefix.length))) return false;
    const head = value.slice(0, -TAG_LENGTH);
    const tag = value.slice(-TAG_LENGTH);
    for (const key of this.keys) {
      if (timingSafeEqualHex(await this.tag(key, head), tag)) return true;
    }
    return false;
  }

  private async tag(key: CryptoKey, head: string): Promise<string> {
    const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, encoder.encode(head)));
    return base62(mac.subarray(0, TAG_BYTES), TAG_LENGTH);
  }
}

export interface TagKeyConfig {
  CREDENTIAL_TAG_KEY?: string;
  CREDENTIAL_TAG_KEY_PREVIOUS?: string;
}

// Importing a key costs more than a tag: one Credentials per isolate and key pair.
const cache = new Map<string, Promise<Credentials>>();
let last: { current: string; previous: string | undefined; credentials: Promise<Credentials> } | undefined;

/** The Credentials of a configuration; rejects with TagKeyMissing when no current key is set. */
export function credentialsOf(config: TagKeyConfig): Promise<Credentials> {
  const current = config.CREDENTIAL_TAG_KEY;
  // Every request asks with the same two strings: answered without building the cache key.
  if (last && last.current === current && last.previous === config.CREDENTIAL_TAG_KEY_PREVIOUS) return last.credentials;
  if (!current) return Promise.reject(new TagKeyMissing());
  const secrets = config.CREDENTIAL_TAG_KEY_PREVIOUS ? [current, config.CREDENTIAL_TAG_KEY_PREVIOUS] : [current];
  const id = JSON.stringify(secrets);
  let credentials = cache.get(id);
  if (!credentials) {
    credentials = Credentials.fromKeys(secrets);
    cache.set(id, credentials);
  }
  last = { current, previous: config.CREDENTIAL_TAG_KEY_PREVIOUS, credentials };
  return credentials;
}
