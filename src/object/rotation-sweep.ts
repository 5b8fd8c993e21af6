/**
 * The daily rotation reminders (cron trigger, next to the retention purge). D1 names the candidates
 * (active clients whose secret is past SECRET_MAX_AGE_DAYS and who got no reminder for it in the
 * last week); each one's Durable Object then decides and raises the alert itself, because the
 * object is the single writer of its client's alerts (its outbox carries them to D1 and to the
 * webhook) and holds the client's current row, so a regeneration racing the cron is never reminded
 * of. D1's filter only saves calls: the object applies the weekly rule again on its own record.
 */
import { ROTATION_REMINDER_INTERVAL_MS, secretMaxAgeDays } from "../domain/secret-hygiene";
import { logConfigProblem } from "../lib/config-refusal";
import { describeError, log } from "../lib/log";
import { DAY_MS } from "../lib/time";
import { authorityFor } from "./stub";

const PAGE = 100;
/**
 * Durable Object calls per run (each is a subrequest): clients beyond it are reminded by the next
 * day's run, which finds them first since the ones reminded today drop out of D1's candidates.
 */
export const MAX_REMINDERS_PER_RUN = 500;
const CONCURRENCY = 6;

async function candidates(db: D1Database, now: number, maxAgeDays: number, after: string): Promise<string[]> {
  const { results } = await db
    .prepare(
      `SELECT c.id FROM clients c
       WHERE c.status = 'active' AND COALESCE(c.secret_rotated_at, c.created_at) <= ?1 AND c.id > ?2
         AND NOT EXISTS (SELECT 1 FROM alerts a WHERE a.client_id = c.id AND a.type = 'secret_rotation_due'
                         AND a.triggered_at > ?3 AND a.triggered_at >= COALESCE(c.secret_rotated_at, 0))
       ORDER BY c.id LIMIT ${PAGE}`,
    )
    .bind(now - maxAgeDays * DAY_MS, after, now - ROTATION_REMINDER_INTERVAL_MS)
    .all<{ id: string }>();
  return results.map((r) => r.id);
}

export async function runRotationReminders(env: Env, now: number): Promise<{ asked: number; reminded: number }> {
  const setting = secretMaxAgeDays(env);
  if (!setting.ok) {
    logConfigProblem(setting.problem);
    return { asked: 0, reminded: 0 };
  }
  const maxAgeDays = setting.value;
  let asked = 0;
  let reminded = 0;
  try {
    let after = "";
    while (asked < MAX_REMINDERS_PER_RUN) {
      const ids = (await candidates(env.DB, now, maxAgeDays, after)).slice(0, MAX_REMINDERS_PER_RUN - asked);
      if (ids.length === 0) break;
      after = ids.at(-1)!;
      asked += ids.length;
      const queue = [...ids];
      await Promise.all(
        Array.from({ length: Math.min(CONCURRENCY, queue.length) }, async () => {
          for (let id = queue.shift(); id; id = queue.shift()) {
            if (await authorityFor(env, id).remindRotation(id, maxAgeDays)) reminded++;
          }
        }),
      );
      if (ids.length < PAGE) break;
    }
    log("info", "rotation_reminders", { asked, reminded });
    return { asked, reminded };
  } catch (err) {
    log("error", "rotation_reminders_failed", { asked, reminded, ...describeError(err) });
    throw err;
  }
}
