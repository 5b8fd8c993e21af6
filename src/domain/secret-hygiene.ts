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

export interface HygieneConfig {
  SECRET_MAX_AGE_DAYS?: unknown;
  LEAKED_SECRET_ACTION?: unknown;
}

export type Setting<T> = { ok: true; value: T } | { ok: false; variable: string; problem: string };

const unset = (value: unknown) => value === undefined || value === null || String(value).trim() === "";
/** The offending value, for the log line (settings are not secrets, but a stray paste may be long). */
const shown = (value: unknown) => JSON.stringify(String(value).slice(0, 40));

/**
 * SECRET_MAX_AGE_DAYS: unset or empty takes the default; any other invalid value is refused rather
 * than silently replaced, since an operator who wrote 900 (or "90d") expects that setting.
 */
export function secretMaxAgeDays(env: HygieneConfig): Setting<number> {
  const raw = env.SECRET_MAX_AGE_DAYS;
  if (unset(raw)) return { ok: true, value: DEFAULT_SECRET_MAX_AGE_DAYS };
  const text = String(raw).trim();
  const [min, max] = SECRET_MAX_AGE_RANGE;
  const value = /^\d{1,3}$/.test(text) ? Number(text) : NaN;
  if (value >= min && value <= max) return { ok: true, value };
  return {
    ok: false,
    variable: "SECRET_MAX_AGE_DAYS",
    problem: `SECRET_MAX_AGE_DAYS is ${shown(raw)}; it must be a whole number of days from ${min} to ${max}.`,
  };
}

/** LEAKED_SECRET_ACTION: "alert" (the default) or "deactivate"; anything else is refused. */
export function leakedSecretAction(env: HygieneConfig): Setting<LeakedSecretAction> {
  const raw = env.LEAKED_SECRET_ACTION;
  if (unset(raw)) return { ok: true, value: "alert" };
  const text = String(raw).trim();
  if (text === "alert" || text === "deactivate") return { ok: true, value: text };
  return {
    ok: false,
    variable: "LEAKED_SECRET_ACTION",
    problem: `LEAKED_SECRET_ACTION is ${shown(raw)}; it must be "alert" or "deactivate".`,
  };
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
