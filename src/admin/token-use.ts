/**
 * last_used_at of admin tokens, at most a minute behind, without a D1 write per call: a call
 * writes only when the stored value (read anyway to authenticate it) is a minute old, and this
 * isolate remembers what it has already sent so concurrent calls do not each write. Several
 * isolates may each write once in the same minute; the UPDATE only ever moves the time forward.
 */
import { recordTokenUse } from "../storage/admin-tokens";
import type { AdminTokenRow } from "../storage/schema";
import { MINUTE_MS } from "../lib/time";
import { describeError, log } from "../lib/log";

const sent = new Map<string, number>();
const MAX_REMEMBERED = 10_000;

/** The write to make for this use, or null when the stored value is recent enough. */
export function tokenUseWrite(db: D1Database, row: AdminTokenRow, now: number): Promise<void> | null {
  const known = Math.max(row.lastUsedAt ?? -Infinity, sent.get(row.id) ?? -Infinity);
  if (now - known < MINUTE_MS) return null;
  if (sent.size >= MAX_REMEMBERED) sent.clear();
  sent.set(row.id, now);
  return recordTokenUse(db, row.id, now).catch((err: unknown) => {
    sent.delete(row.id);
    log("warn", "admin_token_last_used_failed", { token_id: row.id, ...describeError(err) });
  });
}
