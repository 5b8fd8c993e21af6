/**
 * Alerts that must not wait for the next usage flush (a leaked secret, a rotation reminder): the
 * alert row goes to D1 in the same batch as the change it belongs to, and the outbox keeps it only
 * for the webhook, which the object's alarm delivers off any request's path.
 */
import type { DrizzleD1Database } from "drizzle-orm/d1";
import type { Alert } from "../domain/alert-rules";
import { newOpaqueId } from "../domain/credentials";
import { alerts } from "../storage/schema";
import type { AlertOutbox, StoredAlert } from "./alert-outbox";

export function storedAlert(clientId: string, alert: Alert, now: number): StoredAlert {
  return { id: newOpaqueId("alr_"), clientId, triggeredAt: now, ...alert };
}

export const alertInsert = (db: DrizzleD1Database, a: StoredAlert) =>
  db
    .insert(alerts)
    .values({
      id: a.id,
      clientId: a.clientId,
      type: a.type,
      message: a.message,
      triggeredAt: a.triggeredAt,
      details: a.details,
    })
    .onConflictDoNothing();

/** After the D1 batch landed: the outbox records the alert as written and queues its webhook. */
export function afterAlertWritten(outbox: AlertOutbox, alert: StoredAlert, now: number, schedule: () => void): void {
  outbox.add(alert, now);
  outbox.markWritten([alert.id]);
  schedule();
}
