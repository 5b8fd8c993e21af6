/**
 * Where the keys that sign GitHub's leak reports come from: SECRET_SCANNING_KEYS when set (GitHub's
 * document pasted into a var: no outbound call at all), otherwise GitHub's published list, cached a
 * day in KV. GitHub signs with a new key as soon as it publishes it, so a key ID missing from the
 * cache refetches the list, but at most once per REFETCH_INTERVAL_MS: a stream of made-up key IDs
 * cannot turn into a stream of calls to GitHub.
 */
import { describeError, log } from "../lib/log";
import { SCANNING_KEYS_TTL_MS, cacheKeyDocument, cachedKeyDocument } from "../storage/scanning-keys-cache";
import { type PublicKey, parseKeyDocument } from "./github-signature";

export const GITHUB_KEYS_URL = "https://api.github.com/meta/public_keys/secret_scanning";
export const REFETCH_INTERVAL_MS = 5 * 60_000;
const FETCH_TIMEOUT_MS = 5_000;

export type KeyLookup =
  | { ok: true; keys: PublicKey[] }
  /** No key of that ID (after the one refetch the cache allowed). */
  | { ok: false; reason: "unknown_key" }
  /** SECRET_SCANNING_KEYS is not a key document, or GitHub's list could not be had. */
  | { ok: false; reason: "unavailable"; message: string };

interface Loaded {
  fetchedAt: number;
  keys: PublicKey[];
}

// Concurrent requests of one isolate share one fetch; a failed fetch is not retried for a minute.
let inFlight: Promise<Loaded | null> | null = null;
let failedAt = -Infinity;

async function fetchKeys(env: Env, now: number): Promise<Loaded | null> {
  if (now - failedAt < 60_000) return null;
  inFlight ??= (async () => {
    try {
      const res = await fetch(GITHUB_KEYS_URL, {
        headers: { Accept: "application/json", "User-Agent": "nafsi-gateway" },
        signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
      });
      const document = await res.text();
      const keys = res.ok ? parseKeyDocument(document) : null;
      if (!keys) throw new Error(`GitHub's key list answered ${res.status} without a key document`);
      await cacheKeyDocument(env.TOKEN_CACHE, { fetchedAt: now, document });
      return { fetchedAt: now, keys };
    } catch (err) {
      failedAt = now;
      log("warn", "secret_scanning_keys_fetch_failed", describeError(err));
      return null;
    } finally {
      inFlight = null;
    }
  })();
  return inFlight;
}

async function cached(env: Env): Promise<Loaded | null> {
  const entry = await cachedKeyDocument(env.TOKEN_CACHE);
  const keys = entry && parseKeyDocument(entry.document);
  return entry && keys ? { fetchedAt: entry.fetchedAt, keys } : null;
}

/** SECRET_SCANNING_KEYS, when set, must be GitHub's key document (GET /healthz asks). */
export const scanningKeysProblem = (env: Env) =>
  env.SECRET_SCANNING_KEYS && !parseKeyDocument(env.SECRET_SCANNING_KEYS)
    ? { variable: "SECRET_SCANNING_KEYS", problem: "SECRET_SCANNING_KEYS is not a GitHub key document." }
    : null;

const withId = (keys: PublicKey[], keyId: string) => keys.filter((k) => k.id === keyId);

export async function keysFor(env: Env, keyId: string, now: number): Promise<KeyLookup> {
  if (env.SECRET_SCANNING_KEYS) {
    const keys = parseKeyDocument(env.SECRET_SCANNING_KEYS);
    if (!keys) {
      log("error", "config_invalid", { variable: "SECRET_SCANNING_KEYS", problem: "not a GitHub key document" });
      return { ok: false, reason: "unavailable", message: "SECRET_SCANNING_KEYS is not a valid key document." };
    }
    const matching = withId(keys, keyId);
    return matching.length > 0 ? { ok: true, keys: matching } : { ok: false, reason: "unknown_key" };
  }
  let loaded = await cached(env);
  let fresh = false;
  if (!loaded || now - loaded.fetchedAt >= SCANNING_KEYS_TTL_MS) {
    const fetched = await fetchKeys(env, now);
    fresh = fetched !== null;
    // GitHub unreachable: yesterday's keys still verify yesterday's signers.
    loaded = fetched ?? loaded;
  }
  if (!loaded) return { ok: false, reason: "unavailable", message: "GitHub's public key list is unavailable." };
  let matching = withId(loaded.keys, keyId);
  if (matching.length === 0 && !fresh && now - loaded.fetchedAt >= REFETCH_INTERVAL_MS) {
    const fetched = await fetchKeys(env, now);
    if (fetched) matching = withId(fetched.keys, keyId);
  }
  return matching.length > 0 ? { ok: true, keys: matching } : { ok: false, reason: "unknown_key" };
}
