/**
 * The client lifecycle as pure functions over a D1 row: what a change may do, and what it
 * produces. The client's Durable Object applies them; nothing here touches storage.
 */
import {
  type AlertSettingsPatch,
  alertSettingsChanges,
  applyAlertSettings,
  completeAlertSettings,
} from "./alert-settings";
import type { Environment } from "./credentials";
import type { ClientRecord, LocationHint } from "./records";
import { timingSafeEqualHex } from "./hash";
import { type Outcome, type Refusal, accept, refuse } from "../lib/result";

export const DEFAULT_RATE_LIMIT = 100;
export const SANDBOX_RATE_LIMIT = 10;
/** The contract's highest rate limit: the window never holds more admissions than this. */
export const MAX_RATE_LIMIT = 1000;
export const DEFAULT_RETENTION_DAYS: Record<Environment, number> = { production: 90, sandbox: 7 };
export const RETENTION_RANGE: Record<Environment, [number, number]> = { production: [7, 365], sandbox: [1, 7] };

export interface NewSecret {
  hash: string;
  lastFour: string;
}

export interface ClientPatch {
  name?: string;
  rate_limit?: number;
  retention_days?: number;
  status?: "active" | "inactive";
  /** Only the types and fields it names change. */
  alert_settings?: AlertSettingsPatch;
}

export function checkLimits(
  environment: Environment,
  fields: { rate_limit?: number; retention_days?: number },
): Outcome<null> {
  if (environment === "sandbox" && fields.rate_limit !== undefined && fields.rate_limit !== SANDBOX_RATE_LIMIT) {
    return refuse(
      "sandbox_rate_limit_fixed",
      `Sandbox clients have a fixed rate limit of ${SANDBOX_RATE_LIMIT} requests/minute.`,
      "rate_limit",
    );
  }
  const [min, max] = RETENTION_RANGE[environment];
  if (fields.retention_days !== undefined && (fields.retention_days < min || fields.retention_days > max)) {
    return refuse(
      "invalid_request",
      `retention_days for ${environment} clients must be between ${min} and ${max}.`,
      "retention_days",
    );
  }
  return accept(null);
}

export function newClientRow(
  input: {
    id: string;
    name: string;
    environment: Environment;
    rate_limit?: number;
    retention_days?: number;
    region?: LocationHint | null;
    organizationId: string;
    /** What it does not name takes the defaults. */
    alert_settings?: AlertSettingsPatch;
  },
  secret: NewSecret,
  now: number,
): Outcome<ClientRecord> {
  const limits = checkLimits(input.environment, input);
  if (!limits.ok) return limits;
  return accept({
    id: input.id,
    name: input.name,
    environment: input.environment,
    rateLimit: input.environment === "sandbox" ? SANDBOX_RATE_LIMIT : (input.rate_limit ?? DEFAULT_RATE_LIMIT),
    retentionDays: input.retention_days ?? DEFAULT_RETENTION_DAYS[input.environment],
    status: "active",
    secretHash: secret.hash,
    secretLastFour: secret.lastFour,
    secretVersion: 1,
    previousSecretHash: null,
    previousSecretVersion: null,
    previousSecretExpiresAt: null,
    createdAt: now,
    updatedAt: now,
    lastUsedAt: null,
    secretRotatedAt: null,
    revokedAt: null,
    region: input.region ?? null,
    organizationId: input.organizationId,
    alertSettings: completeAlertSettings(input.alert_settings),
  });
}

const revokedRefusal = () =>
  refuse("client_revoked_conflict", "This client has been revoked; it can no longer be changed.");

export function patchClient(row: ClientRecord, patch: ClientPatch, now: number): Outcome<ClientRecord> {
  if (row.status === "revoked") return revokedRefusal();
  const limits = checkLimits(row.environment, patch);
  if (!limits.ok) return limits;
  const next = {
    name: patch.name ?? row.name,
    rateLimit: patch.rate_limit ?? row.rateLimit,
    retentionDays: patch.retention_days ?? row.retentionDays,
    status: patch.status ?? row.status,
    alertSettings: patch.alert_settings
      ? applyAlertSettings(row.alertSettings, patch.alert_settings)
      : row.alertSettings,
  };
  // A PATCH that changes nothing returns the very same row: no write, no audit entry, same updated_at.
  const unchanged =
    next.name === row.name &&
    next.rateLimit === row.rateLimit &&
    next.retentionDays === row.retentionDays &&
    next.status === row.status &&
    Object.keys(alertSettingsChanges(row.alertSettings, next.alertSettings)).length === 0;
  return accept(unchanged ? row : { ...row, ...next, updatedAt: now });
}

/**
 * A regeneration replaces the current secret. With a grace period the replaced secret stays
 * valid until it ends; any earlier grace period ends at once, since only one previous secret is kept.
 */
export function regenerateSecret(
  row: ClientRecord,
  secret: NewSecret,
  graceSeconds: number,
  now: number,
): Outcome<ClientRecord> {
  if (row.status === "revoked") return revokedRefusal();
  const grace = graceSeconds > 0;
  return accept({
    ...row,
    secretHash: secret.hash,
    secretLastFour: secret.lastFour,
    secretVersion: row.secretVersion + 1,
    previousSecretHash: grace ? row.secretHash : null,
    previousSecretVersion: grace ? row.secretVersion : null,
    previousSecretExpiresAt: grace ? now + graceSeconds * 1000 : null,
    secretRotatedAt: now,
    updatedAt: now,
  });
}

/** Revocation is permanent; revoking twice leaves the row exactly as it was. */
export function revokeClient(row: ClientRecord, now: number): ClientRecord {
  if (row.status === "revoked") return row;
  return {
    ...row,
    status: "revoked",
    previousSecretHash: null,
    previousSecretVersion: null,
    previousSecretExpiresAt: null,
    revokedAt: now,
    updatedAt: now,
  };
}

/** True while the previous secret (and tokens minted from it) still authenticates. */
export const inGrace = (row: ClientRecord, now: number): boolean =>
  row.previousSecretExpiresAt !== null && now < row.previousSecretExpiresAt;

/**
 * Whether a client's state allows changing its workflows: a revoked client refuses every change;
 * an inactive one may rename, toggle or re-scope workflows but gets no new token (create, re-key).
 */
export function workflowChangeRefusal(row: ClientRecord, mintsToken: boolean): Refusal | null {
  if (row.status === "revoked") return revokedRefusal();
  if (row.status === "inactive" && mintsToken) {
    return refuse(
      "client_inactive_conflict",
      "This client is inactive; reactivate it before creating or re-keying workflows.",
    );
  }
  return null;
}

/** Minting a token takes the current secret only; a secret still in its grace period is named as replaced. */
export function secretRefusal(row: ClientRecord, secretHash: string, now: number): Refusal | null {
  if (timingSafeEqualHex(secretHash, row.secretHash)) return null;
  if (row.previousSecretHash !== null && inGrace(row, now) && timingSafeEqualHex(secretHash, row.previousSecretHash)) {
    return refuse(
      "invalid_client_secret",
      "Invalid client secret: this secret has been replaced by a newer one. It keeps authenticating API calls until its grace period ends, but workflows need the current secret.",
    );
  }
  return refuse("invalid_client_secret", "Invalid client secret");
}
