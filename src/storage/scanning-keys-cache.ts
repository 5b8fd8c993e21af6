/**
 * GitHub's secret-scanning public key document, cached in KV for a day (in the TOKEN_CACHE
 * namespace, under a key no workflow ID can take: those are `wf:<id>`).
 */
export const SCANNING_KEYS_KV_KEY = "leaks:github:public-keys";
export const SCANNING_KEYS_TTL_MS = 24 * 60 * 60 * 1000;

export interface CachedKeyDocument {
  /** When it was fetched from GitHub (epoch ms). */
  fetchedAt: number;
  /** The document as GitHub published it (JSON text). */
  document: string;
}

export async function cachedKeyDocument(kv: KVNamespace): Promise<CachedKeyDocument | null> {
  const value = await kv.get<CachedKeyDocument>(SCANNING_KEYS_KV_KEY, "json");
  return value && typeof value.fetchedAt === "number" && typeof value.document === "string" ? value : null;
}

export async function cacheKeyDocument(kv: KVNamespace, entry: CachedKeyDocument): Promise<void> {
  // Kept past its day, so that a GitHub outage falls back to yesterday's keys rather than to none.
  await kv.put(SCANNING_KEYS_KV_KEY, JSON.stringify(entry), { expirationTtl: 7 * 24 * 60 * 60 });
}
