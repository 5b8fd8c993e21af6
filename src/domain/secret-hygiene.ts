/**
 * Secret hygiene rules (shared/contract.md "Secret hygiene"): when a client's secret is due for
 * rotation, how often the reminder repeats, and the two settings that govern it and leak reports.
 * Pure: the callers read the env and log.
 */
import { DAY_MS } from "../lib/time";
import type { Alert } from "./alert-rules";
import type { ClientRecord } from "./records";

export const DEFAULT_SECRET_MAX_AGE_DAYS = 90;
export const SECRET_MAX_AGE_RANGE = [1, 365] as const;
/** A due secret is reminded of at most once a week per client. */
export const ROTATION_REMINDER_INTERVAL_MS = 7 * DAY_MS;

export type LeakedSecretAction = "alert" | "deactivate";

export interface HygieneSettings {
  secretMaxAgeDays: number;
  leakedSecretAction: LeakedSecretAction;
}

export interface HygieneConfig {
  SECRET_MAX_AGE_DAYS?: unknown;
  LEAKED_SECRET_ACTION?: unknown;
}

/**
 * The settings, or the problem with them. An unset or empty value takes its default; any other
 * invalid value is refused rather than silently replaced, since an operator who wrote
 * SECRET_MAX_AGE_DAYS = 900 (or "deactivte") expects that setting, not the default.
 */
export function hygieneSettings(
  env: HygieneConfig,
): { ok: true; value: HygieneSettings } | { ok: false; problem: string } {
  const rawAge = env.SECRET_MAX_AGE_DAYS;
  let secretMaxAgeDays = DEFAULT_SECRET_MAX_AGE_DAYS;
  if (rawAge !== undefined && rawAge !== null && String(rawAge).trim() !== "") {
    const text = String(rawAge).trim();
    const [min, max] = SECRET_MAX_AGE_RANGE;
    const value = /^\d{1,3}$/.test(text) ? Number(text) : NaN;
    if (!(value >= min && value <= max)) {
      return { ok: false, problem: `SECRET_MAX_AGE_DAYS must be a whole number of days from ${min} to ${max}.` };
    }
    secretMaxAgeDays = value;
  }
  const rawAction = env.LEAKED_SECRET_ACTION;
  let leakedSecretAction: LeakedSecretAction = "alert";
  if (rawAction !== undefined && rawAction !== null && String(rawAction).trim() !== "") {
    const text = String(rawAction).trim();
    if (text !== "alert" && text !== "deactivate") {
      return { ok: false, problem: 'LEAKED_SECRET_ACTION must be "alert" or "deactivate".' };
    }
    leakedSecretAction = text;
  }
  return { ok: true, value: { secretMaxAgeDays, leakedSecretAction } };
}

/** When the client's current secret should be replaced: its creation (or last rotation) plus the maximum age. */
export const rotationDueAt = (row: Pick<ClientRecord, "secretRotatedAt" | "createdAt">, maxAgeDays: number): number =>
  (row.secretRotatedAt ?? row.createdAt) + maxAgeDays * DAY_MS;

/**
 * Whether the cron reminds this client now. `lastReminder` is the previous reminder for the same
 * secret (a regenerated secret starts afresh, so it is cleared by the regeneration).
 */
export function rotationReminderDue(
  row: Pick<ClientRecord, "status" | "secretRotatedAt" | "createdAt">,
  maxAgeDays: number,
  lastReminder: number | null,
  now: number,
): boolean {
  if (row.status !== "active") return false;
  if (now < rotationDueAt(row, maxAgeDays)) return false;
  return lastReminder === null || now - lastReminder >= ROTATION_REMINDER_INTERVAL_MS;
}

export function rotationDueAlert(
  row: Pick<ClientRecord, "secretRotatedAt" | "createdAt" | "secretLastFour">,
  maxAgeDays: number,
  now: number,
): Alert {
  const dueAt = rotationDueAt(row, maxAgeDays);
  const ageDays = Math.floor((now - (row.secretRotatedAt ?? row.createdAt)) / DAY_MS);
  return {
    type: "secret_rotation_due",
    message: `The client secret ending in ${row.secretLastFour} is ${ageDays} days old (the maximum is ${maxAgeDays}); regenerate it.`,
    details: {
      rotation_due_at: new Date(dueAt).toISOString(),
      secret_age_days: ageDays,
      secret_max_age_days: maxAgeDays,
      secret_last_four: row.secretLastFour,
    },
  };
}

/** What a leak report did to the client, as the alert and the audit entry name it. */
export type LeakOutcome = "alerted" | "deactivated" | "grace_ended";

export interface LeakSighting {
  url: string;
  source: string;
  secretLastFour: string;
}

export function secretLeakedAlert(sighting: LeakSighting, which: "current" | "previous", outcome: LeakOutcome): Alert {
  const what = which === "current" ? "The client secret" : "The previous client secret";
  const done =
    outcome === "deactivated"
      ? " The client has been deactivated; regenerate the secret, then reactivate it."
      : outcome === "grace_ended"
        ? " Its grace period has ended."
        : " Regenerate it now.";
  return {
    type: "secret_leaked",
    message: `${what} ending in ${sighting.secretLastFour} was found in public by GitHub secret scanning.${done}`,
    details: {
      url: sighting.url,
      source: sighting.source,
      secret_last_four: sighting.secretLastFour,
      secret: which,
      action: outcome,
    },
  };
}

/** Ends the previous secret's grace period now (as a second regeneration does). */
export const endGrace = <T extends ClientRecord>(row: T, now: number): T => ({
  ...row,
  previousSecretHash: null,
  previousSecretVersion: null,
  previousSecretExpiresAt: null,
  updatedAt: now,
});
