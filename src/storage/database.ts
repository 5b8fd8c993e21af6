import { drizzle } from "drizzle-orm/d1";

export const database = (db: D1Database) => drizzle(db);

/**
 * Reads that must see the latest write (a workflow created or re-keyed a moment ago) go to D1's
 * primary, never to a read replica. drizzle only calls prepare/batch, which a session has too.
 */
export const primaryDatabase = (db: D1Database) => drizzle(db.withSession("first-primary") as unknown as D1Database);
