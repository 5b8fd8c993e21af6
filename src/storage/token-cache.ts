/**
 * The edge's path to a workflow's refresh token: KV first (a cache), D1's primary on a miss.
 * KV is eventually consistent (a write can take 60 s to be seen everywhere), so nothing read here
 * decides a request by itself: the client's Durable Object confirms that the token is the
 * workflow's current one, and says "stale" when it is not, which sends us back to D1.
 */
import { eq } from "drizzle-orm";
import { primaryDatabase } from "./database";
import { workflows } from "./schema";

export const TOKEN_TTL_SECONDS = 24 * 60 * 60;
/** KV's minimum TTL; an absent marker only saves D1 reads for IDs that do not exist. */
export const ABSENT_TTL_SECONDS = 60;
const ABSENT = "-";

export const tokenKey = (workflowId: string) => `wf:${workflowId}`;

/** The cached token, null when KV remembers the workflow as absent, undefined on a miss. */
export async function cachedToken(env: Env, workflowId: string): Promise<string | null | undefined> {
  const value = await env.TOKEN_CACHE.get(tokenKey(workflowId), { cacheTtl: 60 });
  if (value === null) return undefined;
  return value === ABSENT ? null : value;
}

/**
 * Reads D1's primary (never a lagging replica); with `cache`, a real KV miss, it stores what it
 * found (the token, or that there is none) so that the next request does not come here.
 */
export async function tokenFromDatabase(
  env: Env,
  workflowId: string,
  options: { cache: boolean },
): Promise<string | null> {
  const db = primaryDatabase(env.DB);
  const row = await db
    .select({ token: workflows.refreshToken })
    .from(workflows)
    .where(eq(workflows.id, workflowId))
    .get();
  const token = row?.token ?? null;
  if (options.cache) await cacheToken(env, workflowId, token);
  return token;
}

export async function cacheToken(env: Env, workflowId: string, token: string | null): Promise<void> {
  await env.TOKEN_CACHE.put(tokenKey(workflowId), token ?? ABSENT, {
    expirationTtl: token ? TOKEN_TTL_SECONDS : ABSENT_TTL_SECONDS,
  });
}
