/**
 * The rotation reminder of one client, asked by the daily cron (src/object/rotation-sweep.ts):
 * raises `secret_rotation_due` when the current secret is past its maximum age, at most once a
 * week. The last reminder is kept with the secret version it was about, so a regeneration clears
 * it: the new secret is reminded of only once it is due in its turn.
 */
import { rotationDueAlert, rotationReminderDue } from "../domain/secret-hygiene";
import { database } from "../storage/database";
import type { AlertOutbox } from "./alert-outbox";
import type { ClientState } from "./client-state";
import { afterAlertWritten, alertInsert, storedAlert } from "./immediate-alert";

export class RotationReminder {
  private tableReady = false;

  constructor(
    private readonly sql: SqlStorage,
    private readonly state: ClientState,
    private readonly env: () => Env,
    private readonly now: () => number,
    private readonly outbox: () => AlertOutbox,
    private readonly schedule: () => void,
  ) {}

  /** True when a reminder was raised now. */
  async remind(clientId: string, maxAgeDays: number): Promise<boolean> {
    const row = await this.state.load(clientId);
    // A disabled reminder raises nothing and leaves no trace: enabled again, a due secret is reminded of at once.
    if (!row || !row.alertSettings.secret_rotation_due.enabled) return false;
    const now = this.now();
    const last = this.lastReminder(row.secretVersion);
    if (!rotationReminderDue(row, maxAgeDays, last, now)) return false;
    const alert = storedAlert(clientId, rotationDueAlert(row, maxAgeDays, now), now);
    await alertInsert(database(this.env().DB), alert).run();
    this.sql.exec(
      "INSERT OR REPLACE INTO rotation_reminder (id, secret_version, at) VALUES (1, ?, ?)",
      row.secretVersion,
      now,
    );
    afterAlertWritten(this.outbox(), alert, now, this.schedule);
    return true;
  }

  private lastReminder(secretVersion: number): number | null {
    if (!this.tableReady) {
      this.sql.exec(
        "CREATE TABLE IF NOT EXISTS rotation_reminder (id INTEGER PRIMARY KEY CHECK (id = 1), secret_version INTEGER NOT NULL, at INTEGER NOT NULL)",
      );
      this.tableReady = true;
    }
    const row = this.sql
      .exec<{ secret_version: number; at: number }>("SELECT secret_version, at FROM rotation_reminder WHERE id = 1")
      .toArray()[0];
    return row && row.secret_version === secretVersion ? row.at : null;
  }
}
