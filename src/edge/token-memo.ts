/**
 * Per-isolate memory for workflow calls, so that one costs about what a secret call costs.
 *
 * - Verified refresh tokens, keyed by the exact token string (and the signing keys): the same string
 *   verified with the same keys gives the same claims, so this cannot change an answer. A forged or
 *   replaced token is a different string and misses. Bounded, least recently used forgotten first.
 * - The KV value of a workflow, held for a minute. It decides nothing: the client's Durable
 *   Object compares the token's ID with the workflow's current one and answers "stale" otherwise,
 *   after which the edge reads D1's primary (and holds that token instead).
 */
import { type RefreshClaims, SigningKeyMissing, verifyRefreshToken } from "../domain/refresh-token";
import { clockNow } from "../lib/clock";
import { Lru } from "../lib/lru";
import { cachedToken } from "../storage/token-cache";

const MAX_TOKENS = 2_000;
const MAX_HELD = 10_000;
/**
 * How long an isolate keeps KV's value for a workflow before reading KV again. It decides nothing
 * (the object answers "stale" for a token that is not the workflow's current one, and the edge then
 * reads D1's primary and holds that), so holding it longer costs at most one such round trip per
 * isolate after a re-key; reading it every few seconds cost a KV read (billed, and far dearer in
 * CPU than a memory hit) per workflow every few seconds of traffic.
 */
export const HOLD_MS = 60_000;

const verifiedByKeys = new Map<string, Lru<string, RefreshClaims | null>>();
/** The keys of the last call and their memo: the same two strings on every request of an isolate. */
let last: { current: string; previous: string; verified: Lru<string, RefreshClaims | null> } | null = null;

/** The memo for these keys, without joining them into a new string (and hashing it) per request. */
function verifiedFor(current: string, previous: string): Lru<string, RefreshClaims | null> {
  if (last?.current === current && last.previous === previous) return last.verified;
  const keys = `${current}\n${previous}`;
  let verified = verifiedByKeys.get(keys);
  if (!verified) verifiedByKeys.set(keys, (verified = new Lru(MAX_TOKENS)));
  last = { current, previous, verified };
  return verified;
}

/** The token's claims (null when it does not verify), verified once per isolate and key pair. */
export async function verifiedClaims(
  env: Pick<Env, "TOKEN_SIGNING_KEY" | "TOKEN_SIGNING_KEY_PREVIOUS">,
  token: string,
): Promise<RefreshClaims | null> {
  if (!env.TOKEN_SIGNING_KEY) throw new SigningKeyMissing();
  const verified = verifiedFor(env.TOKEN_SIGNING_KEY, env.TOKEN_SIGNING_KEY_PREVIOUS ?? "");
  const known = verified.get(token);
  if (known !== undefined) return known;
  return verified.set(token, await verifyRefreshToken(env, token));
}

interface Held {
  value: string | null;
  until: number;
}

/** Per KV binding, so that an isolate serving several configurations never mixes them. */
let heldByBinding = new WeakMap<object, Lru<string, Held>>();

function heldOf(env: Env): Lru<string, Held> {
  let held = heldByBinding.get(env.TOKEN_CACHE);
  if (!held) heldByBinding.set(env.TOKEN_CACHE, (held = new Lru(MAX_HELD)));
  return held;
}

/** KV's value for the workflow (see cachedToken), from this isolate when read in the last seconds. */
export async function heldToken(env: Env, workflowId: string): Promise<string | null | undefined> {
  const held = heldOf(env);
  const entry = held.get(workflowId);
  const now = clockNow();
  if (entry && entry.until > now) return entry.value;
  const value = await cachedToken(env, workflowId);
  if (value !== undefined) held.set(workflowId, { value, until: now + HOLD_MS });
  else held.delete(workflowId);
  return value;
}

/** The token D1's primary gave after a "stale": the current one, held in place of KV's. */
export function holdCurrentToken(env: Env, workflowId: string, token: string | null): void {
  heldOf(env).set(workflowId, { value: token, until: clockNow() + HOLD_MS });
}

/**
 * Forgets every held KV value, of every binding (tests that write KV directly, as a lagging or
 * poisoned cache would; the app holds values per guarded binding, not per the test's own).
 */
export function forgetHeldTokens(): void {
  heldByBinding = new WeakMap();
}
