/**
 * What a leak report (GitHub secret scanning) does to the client whose secret it names, applied by
 * the client's Durable Object under its input gate, so the very next data-plane request is decided
 * by the new state: D1 first (the row, the audit entry and the alert in one batch), then the
 * object's own state, before the report is answered.
 *
 * Idempotent: the alert is raised at most once per hour (the outbox cooldown, as for every alert
 * type), and a report that changes nothing and raises no alert writes nothing at all.
 */
import { eq } from "drizzle-orm";
import { ALERT_COOLDOWN_MS } from "../domain/alert-rules";
import { inGrace } from "../domain/client-rules";
import { timingSafeEqualHex } from "../domain/hash";
import { type LeakOutcome, endGrace, secretLeakedAlert } from "../domain/secret-hygiene";
import { iso } from "../lib/time";
import { database } from "../storage/database";
import { type ClientRow, auditLog, clients } from "../storage/schema";
import type { AlertOutbox } from "./alert-outbox";
import { auditEntry, changes } from "./audit-entry";
import { clientColumns } from "./client-mutations";
import type { ClientState } from "./client-state";
import { afterAlertWritten, alertInsert, storedAlert } from "./immediate-alert";
import type { AuditContext, LeakLabel, LeakReport } from "./protocol";

export class LeakActions {
  constructor(
    private readonly state: ClientState,
    private readonly env: () => Env,
    private readonly now: () => number,
    private readonly outbox: () => AlertOutbox,
    private readonly schedule: () => void,
  ) {}

  async report(clientId: string, report: LeakReport, audit: AuditContext): Promise<LeakLabel> {
    const row = await this.state.load(clientId);
    // A revoked client's secrets authenticate nothing any more: there is nothing left to protect.
    if (!row || row.status === "revoked") return "false_positive";
    const now = this.now();
    const current = timingSafeEqualHex(report.secretHash, row.secretHash);
    const previous =
      !current &&
      row.previousSecretHash !== null &&
      inGrace(row, now) &&
      timingSafeEqualHex(report.secretHash, row.previousSecretHash);
    if (!current && !previous) return "false_positive";

    let next: ClientRow = row;
    let outcome: LeakOutcome = "alerted";
    if (previous) {
      next = endGrace(row, now);
      outcome = "grace_ended";
    } else if (report.action === "deactivate") {
      outcome = "deactivated";
      if (row.status === "active") next = { ...row, status: "inactive", updatedAt: now };
    }
    const outbox = this.outbox();
    const raise = !outbox.cooling("secret_leaked", now, ALERT_COOLDOWN_MS);
    if (next === row && !raise) return "true_positive";

    const sighting = { url: report.url, source: report.source, secretLastFour: report.secretLastFour };
    const alert = raise
      ? storedAlert(clientId, secretLeakedAlert(sighting, current ? "current" : "previous", outcome), now)
      : null;
    const details = {
      url: report.url,
      source: report.source,
      secret_last_four: report.secretLastFour,
      secret: current ? "current" : "previous",
      action: outcome,
      changes: changes(
        { status: row.status, previous_secret_expires_at: iso(row.previousSecretExpiresAt) },
        { status: next.status, previous_secret_expires_at: iso(next.previousSecretExpiresAt) },
        { status: "status", previous_secret_expires_at: "previous_secret_expires_at" },
      ),
      alert_id: alert?.id ?? null,
    };
    const db = database(this.env().DB);
    const entry = auditEntry(
      audit,
      "client.secret_leaked",
      { id: clientId, clientId, organizationId: row.organizationId },
      details,
      now,
    );
    const statements = [
      db.insert(auditLog).values(entry),
      ...(next === row ? [] : [db.update(clients).set(clientColumns(next)).where(eq(clients.id, clientId))]),
      ...(alert ? [alertInsert(db, alert)] : []),
    ] as const;
    await db.batch(statements as unknown as [(typeof statements)[0], ...(typeof statements)[number][]]);
    if (next !== row) this.state.storeClient(next);
    if (alert) {
      outbox.claim("secret_leaked", now, ALERT_COOLDOWN_MS);
      afterAlertWritten(outbox, alert, now, this.schedule);
    }
    return "true_positive";
  }
}
