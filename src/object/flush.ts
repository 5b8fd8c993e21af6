import { sql } from "drizzle-orm";
import type { DrizzleD1Database } from "drizzle-orm/d1";
import { clients, usageHourly, workflows } from "../storage/schema";
import type { HourTotals } from "./hour-totals";
import type { StoredAlert } from "./alert-outbox";
import { alertInsert } from "./immediate-alert";

/**
 * The D1 statements of one usage flush, run as one batch (one transaction). Usage rows carry
 * absolute hour totals and alerts are inserted by ID, so replaying a batch that may or may not have
 * landed (a timeout, a restart mid-flush) cannot double-count. last_used_at only moves forward.
 */
export function flushStatements(db: DrizzleD1Database, clientId: string, totals: HourTotals[], pending: StoredAlert[]) {
  return [
    ...usageStatements(db, clientId, totals),
    ...lastUsedStatements(db, clientId, totals),
    // Alerts by ID: a replayed insert does nothing.
    ...pending.map((a) => alertInsert(db, a)),
  ];
}

/** Absolute hour totals: a replayed row overwrites itself. */
function usageStatements(db: DrizzleD1Database, clientId: string, totals: HourTotals[]) {
  return totals.map((t) => {
    const figures = {
      requests: t.requests,
      successfulRequests: t.successfulRequests,
      rateLimitedRequests: t.rateLimitedRequests,
      failedAuthentications: t.failedAuthentications,
      unitsConsumed: t.unitsConsumed,
      responseMsTotal: t.responseMsTotal,
      responses: t.responses,
      errors: t.errors,
    };
    return db
      .insert(usageHourly)
      .values({ clientId, hour: t.hour, workflowId: t.workflowId, ...figures })
      .onConflictDoUpdate({ target: [usageHourly.clientId, usageHourly.hour, usageHourly.workflowId], set: figures });
  });
}

/** last_used_at of the client and of each workflow, moved forward only (isolates flush out of order). */
function lastUsedStatements(db: DrizzleD1Database, clientId: string, totals: HourTotals[]) {
  const lastUsed = new Map<string, number>();
  for (const t of totals) {
    if (t.lastAdmittedAt === null) continue;
    lastUsed.set(t.workflowId, Math.max(lastUsed.get(t.workflowId) ?? 0, t.lastAdmittedAt));
  }
  const clientLastUsed = Math.max(0, ...lastUsed.values());
  const statements = [];
  if (clientLastUsed > 0) {
    statements.push(
      db
        .update(clients)
        .set({ lastUsedAt: sql`MAX(COALESCE(${clients.lastUsedAt}, 0), ${clientLastUsed})` })
        .where(sql`${clients.id} = ${clientId}`),
    );
  }
  for (const [workflowId, at] of lastUsed) {
    if (workflowId === "") continue;
    statements.push(
      db
        .update(workflows)
        .set({ lastUsedAt: sql`MAX(COALESCE(${workflows.lastUsedAt}, 0), ${at})` })
        .where(sql`${workflows.id} = ${workflowId}`),
    );
  }
  return statements;
}
