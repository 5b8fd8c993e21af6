/**
 * The `idempotency_keys` table (docs/storage.md): claiming a key, keeping or releasing its answer,
 * and the daily purge. What the rows mean for a request is decided in src/admin/idempotency.ts.
 */
import { and, eq, sql } from "drizzle-orm";
import { database } from "./database";
import { idempotencyKeys } from "./schema";

export type IdempotencyRow = typeof idempotencyKeys.$inferSelect;

/** Answers are kept this long from the first request (the contract's 24 hours). */
export const IDEMPOTENCY_TTL_MS = 24 * 3_600_000;

/**
 * How long a claim holds while its request runs. An admin call takes well under a second; a claim
 * older than this belongs to a request whose isolate died before it could keep or release it, and
 * the same request may then take the key over (otherwise the key would answer
 * request_in_progress for 24 hours).
 */
export const CLAIM_TTL_MS = 60_000;

/** The request a key was first used for; a later use must match it exactly. */
export interface Fingerprint {
  method: string;
  path: string;
  bodyHash: string;
}

const BATCH_ROWS = 500;
const MAX_BATCHES = 200;

/**
 * Claims (actor, key) for this request in ONE statement, so that of any number of concurrent
 * requests exactly one gets the claim: the primary key decides, not a read followed by a write.
 * The insert also takes over a row that is past its 24 hours but not yet purged, and a claim that
 * outlived CLAIM_TTL_MS if it was made for the same request. Returns whether this request holds
 * the key now.
 */
export async function claimKey(
  db: D1Database,
  actor: string,
  key: string,
  request: Fingerprint,
  claimId: string,
  now: number,
): Promise<boolean> {
  const t = idempotencyKeys;
  const taken = await database(db)
    .insert(t)
    .values({ actor, key, ...request, createdAt: now, state: "in_progress", claimId, lockedUntil: now + CLAIM_TTL_MS })
    .onConflictDoUpdate({
      target: [t.actor, t.key],
      set: {
        method: sql`excluded.method`,
        path: sql`excluded.path`,
        bodyHash: sql`excluded.body_hash`,
        createdAt: sql`excluded.created_at`,
        state: "in_progress",
        claimId: sql`excluded.claim_id`,
        lockedUntil: sql`excluded.locked_until`,
        status: null,
        contentType: null,
        body: null,
        resourceId: null,
        renewal: null,
      },
      setWhere: sql`${t.createdAt} <= ${now - IDEMPOTENCY_TTL_MS}
        OR (${t.state} = 'in_progress' AND ${t.lockedUntil} <= ${now}
            AND ${t.method} = ${request.method} AND ${t.path} = ${request.path} AND ${t.bodyHash} = ${request.bodyHash})`,
    })
    .returning({ claimId: t.claimId })
    .get();
  return taken?.claimId === claimId;
}

/** The key's row, if it is still within its 24 hours. */
export async function keyRow(db: D1Database, actor: string, key: string, now: number) {
  const t = idempotencyKeys;
  const row = await database(db)
    .select()
    .from(t)
    .where(and(eq(t.actor, actor), eq(t.key, key)))
    .get();
  return row && row.createdAt > now - IDEMPOTENCY_TTL_MS ? row : undefined;
}

const held = (actor: string, key: string, claimId: string) =>
  and(eq(idempotencyKeys.actor, actor), eq(idempotencyKeys.key, key), eq(idempotencyKeys.claimId, claimId));

/** Keeps the answer for replays (only while this request still holds the claim). */
export async function keepAnswer(
  db: D1Database,
  actor: string,
  key: string,
  claimId: string,
  answer: { status: number; contentType: string | null; body: string },
): Promise<void> {
  await database(db)
    .update(idempotencyKeys)
    .set({ state: "answered", claimId: null, lockedUntil: null, ...answer })
    .where(held(actor, key, claimId));
}

/** Keeps only the id of the object whose secret the answer showed: the answer itself is gone. */
export async function keepSecretShown(
  db: D1Database,
  actor: string,
  key: string,
  claimId: string,
  shown: { resourceId: string; renewal: string },
): Promise<void> {
  await database(db)
    .update(idempotencyKeys)
    .set({ state: "secret_shown", claimId: null, lockedUntil: null, ...shown })
    .where(held(actor, key, claimId));
}

/** Gives the key back (the answer was not kept), so that the same request may be sent again. */
export async function releaseKey(db: D1Database, actor: string, key: string, claimId: string): Promise<void> {
  await database(db)
    .delete(idempotencyKeys)
    .where(held(actor, key, claimId));
}

/** The daily purge: rows older than 24 hours, in bounded batches. Returns how many went. */
export async function purgeIdempotencyKeys(db: D1Database, now: number): Promise<number> {
  let purged = 0;
  for (let i = 0; i < MAX_BATCHES; i++) {
    const { meta } = await db
      .prepare(
        `DELETE FROM idempotency_keys WHERE rowid IN (
           SELECT rowid FROM idempotency_keys WHERE created_at <= ?1 LIMIT ${BATCH_ROWS})`,
      )
      .bind(now - IDEMPOTENCY_TTL_MS)
      .run();
    purged += meta.changes;
    if (meta.changes < BATCH_ROWS) break;
  }
  return purged;
}
