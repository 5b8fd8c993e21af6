/**
 * Client IDs, client secrets and workflow IDs: `<prefix><22 base62 random><6 base62 checksum>`.
 *
 * 22 base62 characters carry 130.9 bits from crypto.getRandomValues. The checksum is CRC32 of
 * everything before it (as GitHub's token format does), so a mistyped or random value is refused
 * at the edge without touching storage; it is not a security control, the random part is.
 */
export type Environment = "production" | "sandbox";

const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const RANDOM_LENGTH = 22;
const CHECKSUM_LENGTH = 6;

export const PREFIX = {
  clientId: { production: "nafsi_live_", sandbox: "nafsi_test_" },
  secret: { production: "sk_live_", sandbox: "sk_test_" },
  workflowId: "wf_",
} as const;

const BODY = new RegExp(`^[0-9A-Za-z]{${RANDOM_LENGTH + CHECKSUM_LENGTH}}$`);

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(text: string): number {
  let crc = 0xffffffff;
  for (let i = 0; i < text.length; i++) {
    // Inputs are ASCII only (checked by the callers), so a char code is a byte.
    crc = CRC_TABLE[(crc ^ text.charCodeAt(i)) & 0xff]! ^ (crc >>> 8);
  }
  return (crc ^ 0xffffffff) >>> 0;
}

function checksum(text: string): string {
  let value = crc32(text);
  let out = "";
  for (let i = 0; i < CHECKSUM_LENGTH; i++) {
    out = ALPHABET[value % 62]! + out;
    value = Math.floor(value / 62);
  }
  return out;
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

function mint(prefix: string): string {
  const head = prefix + randomBase62(RANDOM_LENGTH);
  return head + checksum(head);
}

function wellFormed(value: string, prefix: string): boolean {
  if (!value.startsWith(prefix)) return false;
  const body = value.slice(prefix.length);
  if (!BODY.test(body)) return false;
  const head = value.slice(0, value.length - CHECKSUM_LENGTH);
  return checksum(head) === value.slice(-CHECKSUM_LENGTH);
}

export const newClientId = (env: Environment): string => mint(PREFIX.clientId[env]);
export const newClientSecret = (env: Environment): string => mint(PREFIX.secret[env]);
export const newWorkflowId = (): string => mint(PREFIX.workflowId);
export const newOpaqueId = (prefix: string): string => prefix + randomBase62(RANDOM_LENGTH);

/** The environment a well-formed client ID belongs to, or null when it is not one of ours. */
export function clientIdEnvironment(value: string): Environment | null {
  if (value.length > 64) return null;
  if (wellFormed(value, PREFIX.clientId.production)) return "production";
  if (wellFormed(value, PREFIX.clientId.sandbox)) return "sandbox";
  return null;
}

/** The environment a well-formed secret belongs to, or null when it cannot be one of ours. */
export function secretEnvironment(value: string): Environment | null {
  if (value.length > 64) return null;
  if (wellFormed(value, PREFIX.secret.production)) return "production";
  if (wellFormed(value, PREFIX.secret.sandbox)) return "sandbox";
  return null;
}

export const isWorkflowId = (value: string): boolean => value.length <= 64 && wellFormed(value, PREFIX.workflowId);

export const lastFour = (secret: string): string => secret.slice(-4);
