/** Shared expectations for the /admin/clients tests (not a test file itself). */
import { expect } from "vitest";
import { newClientId } from "./credentials";
import { withSecret } from "./helpers";

/** ISO 8601 UTC, as `Date.prototype.toISOString` writes it (milliseconds optional). */
export const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;

/** The contract's `client` object, every field. */
export const CLIENT_FIELDS = [
  "id",
  "name",
  "environment",
  "rate_limit",
  "retention_days",
  "region",
  "organization_id",
  "status",
  "secret_last_four",
  "created_at",
  "updated_at",
  "last_used_at",
  "secret_rotated_at",
  "previous_secret_expires_at",
  "revoked_at",
  "rotation_due_at",
  "alert_settings",
].sort();

/** The five configurable alert types with their fields (secret_leaked has no setting). */
const ALERT_SETTING_FIELDS: Record<string, string[]> = {
  rate_limit_approaching: ["enabled", "threshold_percent"],
  high_error_rate: ["enabled", "min_requests", "threshold_percent"],
  failed_authentication: ["enabled", "threshold"],
  unusual_usage: ["enabled", "factor", "min_requests"],
  secret_rotation_due: ["enabled"],
};

const TIME_FIELDS = [
  "created_at",
  "updated_at",
  "last_used_at",
  "secret_rotated_at",
  "previous_secret_expires_at",
  "revoked_at",
];

/** Exactly the contract's fields, with the right types; times are ISO 8601 UTC or null. */
export function expectClientShape(client: any): void {
  expect(Object.keys(client).sort()).toEqual(CLIENT_FIELDS);
  expect(typeof client.id).toBe("string");
  expect(typeof client.name).toBe("string");
  expect(["production", "sandbox"]).toContain(client.environment);
  expect(Number.isInteger(client.rate_limit)).toBe(true);
  expect(Number.isInteger(client.retention_days)).toBe(true);
  expect(["active", "inactive", "revoked"]).toContain(client.status);
  expect(client.secret_last_four).toMatch(/^[A-Za-z0-9]{4}$/);
  expect(client.id).toMatch(
    client.environment === "production" ? /^nafsi_live_[A-Za-z0-9]{30}$/ : /^nafsi_test_[A-Za-z0-9]{30}$/,
  );
  for (const field of TIME_FIELDS) {
    const value = client[field];
    if (value !== null) {
      expect(value, field).toMatch(ISO_UTC);
      expect(Number.isNaN(Date.parse(value)), field).toBe(false);
    }
  }
  expect(client.created_at).not.toBeNull();
  expect(client.rotation_due_at).toMatch(ISO_UTC);
  expect(client.updated_at).not.toBeNull();
  expect(Object.keys(client.alert_settings).sort()).toEqual(Object.keys(ALERT_SETTING_FIELDS).sort());
  for (const [type, fields] of Object.entries(ALERT_SETTING_FIELDS)) {
    expect(Object.keys(client.alert_settings[type]).sort(), type).toEqual(fields);
    expect(typeof client.alert_settings[type].enabled, type).toBe("boolean");
  }
}

/** A data-plane call with a secret, to see whether the gateway takes it. */
export const dataPlane = (clientId: string, secret: string) => withSecret(clientId, secret, "/v1/anything");

/** Whether a data-plane call with this secret is admitted (200) and, if not, its error code. */
export async function dataPlaneOutcome(clientId: string, secret: string): Promise<string> {
  const res = await dataPlane(clientId, secret);
  const body = (await res.json()) as any;
  if (res.status === 200) {
    expect(body.authenticated).toBe(true);
    expect(body.client_id).toBe(clientId);
    return "ok";
  }
  return `${res.status} ${body.error?.code}`;
}

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** The value with the character at `index` replaced by another base62 character. */
export function changeChar(value: string, index: number, offset = 1): string {
  const at = BASE62.indexOf(value[index]!);
  const replacement = BASE62[(at + offset) % 62]!;
  return value.slice(0, index) + replacement + value.slice(index + 1);
}

/** A client ID that passes its checksum but was never created. */
export const unknownClientId = (environment: "production" | "sandbox" = "production") => newClientId(environment);

export const ms = (iso: string | null): number => (iso === null ? NaN : Date.parse(iso));
