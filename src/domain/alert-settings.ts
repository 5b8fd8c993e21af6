/**
 * Each client's `alert_settings` (shared/contract.md "Alert settings and webhook endpoints"): which
 * alert types it raises and at which thresholds. Pure: the admin API validates input against the
 * ranges here, the client's Durable Object evaluates its alerts from the settings its row carries.
 * `secret_leaked` has no setting: it is always on.
 */

export interface AlertSettings {
  rate_limit_approaching: { enabled: boolean; threshold_percent: number };
  high_error_rate: { enabled: boolean; threshold_percent: number; min_requests: number };
  failed_authentication: { enabled: boolean; threshold: number };
  unusual_usage: { enabled: boolean; factor: number; min_requests: number };
  secret_rotation_due: { enabled: boolean };
}

export type ConfigurableAlertType = keyof AlertSettings;

/** What a create or a PATCH names: any types, any of their fields. */
export type AlertSettingsPatch = { [T in ConfigurableAlertType]?: Partial<AlertSettings[T]> };

export const DEFAULT_ALERT_SETTINGS: AlertSettings = {
  rate_limit_approaching: { enabled: true, threshold_percent: 90 },
  high_error_rate: { enabled: true, threshold_percent: 5, min_requests: 20 },
  failed_authentication: { enabled: true, threshold: 5 },
  unusual_usage: { enabled: true, factor: 3, min_requests: 100 },
  secret_rotation_due: { enabled: true },
};

/** The contract's ranges, inclusive. */
export const ALERT_SETTING_RANGES = {
  rate_limit_threshold_percent: [50, 100],
  error_threshold_percent: [1, 100],
  min_requests: [1, 100_000],
  failed_auth_threshold: [1, 10_000],
  factor: [1.5, 100],
} as const;

const TYPES = Object.keys(DEFAULT_ALERT_SETTINGS) as ConfigurableAlertType[];

/** `base` with the types and fields `patch` names replaced; the others stay as they were. */
export function applyAlertSettings(base: AlertSettings, patch: AlertSettingsPatch): AlertSettings {
  const next = { ...base } as Record<ConfigurableAlertType, object>;
  for (const type of TYPES) {
    const fields = patch[type];
    if (fields) next[type] = { ...base[type], ...fields };
  }
  return next as AlertSettings;
}

/**
 * Settings as stored (a row written before they existed, or one missing a type) completed with the
 * defaults, so every reader sees every type and field.
 */
export const completeAlertSettings = (stored: AlertSettingsPatch | null | undefined): AlertSettings =>
  applyAlertSettings(DEFAULT_ALERT_SETTINGS, stored ?? {});

/** The fields that differ, as `alert_settings.<type>.<field>` → {from, to}, for the audit entry. */
export function alertSettingsChanges(
  before: AlertSettings,
  after: AlertSettings,
): Record<string, { from: unknown; to: unknown }> {
  const out: Record<string, { from: unknown; to: unknown }> = {};
  for (const type of TYPES) {
    const from = before[type] as Record<string, unknown>;
    const to = after[type] as Record<string, unknown>;
    for (const field of Object.keys(to)) {
      if (from[field] !== to[field]) out[`alert_settings.${type}.${field}`] = { from: from[field], to: to[field] };
    }
  }
  return out;
}
