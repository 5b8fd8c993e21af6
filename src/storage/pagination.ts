import { type SQL, and, desc, eq, lt, or } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import { ApiError } from "../lib/errors";

/**
 * Keyset pagination, newest first, over (time, id): stable while rows are added, and each page is
 * an index range scan. The cursor is opaque to callers (base64url JSON of the last row's key).
 */
export interface PageKey {
  t: number;
  id: string;
}

export function encodeCursor(key: PageKey): string {
  return btoa(JSON.stringify([key.t, key.id]))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
}

export function decodeCursor(cursor: string | undefined): PageKey | null {
  if (cursor === undefined || cursor === "") return null;
  try {
    const parsed: unknown = JSON.parse(atob(cursor.replace(/-/g, "+").replace(/_/g, "/")));
    if (
      Array.isArray(parsed) &&
      parsed.length === 2 &&
      Number.isSafeInteger(parsed[0]) &&
      typeof parsed[1] === "string"
    ) {
      return { t: parsed[0] as number, id: parsed[1] };
    }
  } catch {
    // fall through to the error below
  }
  throw ApiError.invalidRequest([{ field: "cursor", message: "Not a cursor this API returned." }], "Invalid cursor.");
}

/** The WHERE condition for rows after `key`, and the ORDER BY, for a (time, id) keyset. */
export function keyset(
  time: SQLiteColumn,
  id: SQLiteColumn,
  key: PageKey | null,
): { after: SQL | undefined; order: SQL[] } {
  const after = key ? or(lt(time, key.t), and(eq(time, key.t), lt(id, key.id))) : undefined;
  return { after, order: [desc(time), desc(id)] };
}

/** Fetches limit + 1 rows and turns the extra one into next_cursor. */
export function page<T>(
  rows: T[],
  limit: number,
  keyOf: (row: T) => PageKey,
): { items: T[]; next_cursor: string | null } {
  if (rows.length <= limit) return { items: rows, next_cursor: null };
  const items = rows.slice(0, limit);
  return { items, next_cursor: encodeCursor(keyOf(items[items.length - 1]!)) };
}
