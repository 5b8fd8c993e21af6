/**
 * `alert_settings` on /admin/clients (contract "Alert settings and webhook endpoints"): the
 * defaults on create, deep-partial create and PATCH, the contract's ranges and strictness (400
 * invalid_request, nothing changes), and the audit entry that names each changed field.
 */
import { describe, expect, it } from "vitest";
import { admin, adminJson, createClient, expectError, patchClient, revokeClient } from "../support/helpers";

const DEFAULTS = {
  rate_limit_approaching: { enabled: true, threshold_percent: 90 },
  high_error_rate: { enabled: true, threshold_percent: 5, min_requests: 20 },
  failed_authentication: { enabled: true, threshold: 5 },
  unusual_usage: { enabled: true, factor: 3, min_requests: 100 },
  secret_rotation_due: { enabled: true },
};

const settingsOf = async (clientId: string) => {
  const { status, body } = await adminJson("GET", `/admin/clients/${clientId}`);
  expect(status).toBe(200);
  return body.client.alert_settings;
};

const auditOf = async (clientId: string, action: string) => {
  const { status, body } = await adminJson("GET", `/admin/audit-log?target_id=${clientId}&limit=100`);
  expect(status).toBe(200);
  return (body.entries as any[]).filter((e) => e.action === action);
};
const updates = (clientId: string) => auditOf(clientId, "client.update");

describe("on create", () => {
  it("a client that names none has the contract's defaults, in the create answer, GET and the list", async () => {
    const c = await createClient();
    expect(c.client.alert_settings).toEqual(DEFAULTS);
    expect(await settingsOf(c.id)).toEqual(DEFAULTS);
    const { body } = await adminJson("GET", "/admin/clients?limit=100");
    expect(body.clients.find((x: any) => x.id === c.id).alert_settings).toEqual(DEFAULTS);
  });

  it("what is named is taken, every other type and field keeps its default", async () => {
    const c = await createClient({
      alert_settings: { rate_limit_approaching: { threshold_percent: 50 }, unusual_usage: { enabled: false } },
    });
    const expected = {
      ...DEFAULTS,
      rate_limit_approaching: { enabled: true, threshold_percent: 50 },
      unusual_usage: { enabled: false, factor: 3, min_requests: 100 },
    };
    expect(c.client.alert_settings).toEqual(expected);
    expect(await settingsOf(c.id)).toEqual(expected);
  });

  it("the create's audit entry records the settings the client starts with", async () => {
    const c = await createClient({ alert_settings: { failed_authentication: { threshold: 10 } } });
    const entries = await auditOf(c.id, "client.create");
    expect(entries).toHaveLength(1);
    expect(entries[0].details.alert_settings).toEqual({
      ...DEFAULTS,
      failed_authentication: { enabled: true, threshold: 10 },
    });
  });
});

describe("PATCH", () => {
  it("changes only the types and fields it names; a second PATCH keeps the first one's changes", async () => {
    const c = await createClient();
    const first = await patchClient(c.id, { alert_settings: { high_error_rate: { min_requests: 50 } } });
    expect(first.alert_settings).toEqual({
      ...DEFAULTS,
      high_error_rate: { enabled: true, threshold_percent: 5, min_requests: 50 },
    });
    const second = await patchClient(c.id, {
      alert_settings: { high_error_rate: { enabled: false }, secret_rotation_due: { enabled: false } },
    });
    const expected = {
      ...DEFAULTS,
      high_error_rate: { enabled: false, threshold_percent: 5, min_requests: 50 },
      secret_rotation_due: { enabled: false },
    };
    expect(second.alert_settings).toEqual(expected);
    expect(await settingsOf(c.id)).toEqual(expected);
    // Other fields of the client are untouched by a settings-only PATCH, and vice versa.
    expect(second.rate_limit).toBe(c.client.rate_limit);
    const renamed = await patchClient(c.id, { name: "Renamed" });
    expect(renamed.alert_settings).toEqual(expected);
  });

  it("is audited as client.update with each changed field from → to, and nothing that did not change", async () => {
    const c = await createClient();
    await patchClient(c.id, {
      alert_settings: {
        rate_limit_approaching: { threshold_percent: 75, enabled: true },
        unusual_usage: { enabled: false },
      },
    });
    const entries = await updates(c.id);
    expect(entries).toHaveLength(1);
    expect(entries[0].details).toEqual({
      changes: {
        "alert_settings.rate_limit_approaching.threshold_percent": { from: 90, to: 75 },
        "alert_settings.unusual_usage.enabled": { from: true, to: false },
      },
    });
  });

  it("a PATCH naming settings the client already has changes nothing: no audit entry, same updated_at", async () => {
    const c = await createClient();
    const same = await patchClient(c.id, { alert_settings: { failed_authentication: { threshold: 5 } } });
    expect(same.updated_at).toBe(c.client.updated_at);
    expect(await updates(c.id)).toEqual([]);
  });

  it("a revoked client's settings cannot change: 409 client_revoked", async () => {
    const c = await createClient();
    await revokeClient(c.id);
    await expectError(
      await admin("PATCH", `/admin/clients/${c.id}`, { alert_settings: { unusual_usage: { enabled: false } } }),
      409,
      "client_revoked",
    );
    expect(await settingsOf(c.id)).toEqual(DEFAULTS);
  });
});

describe("validation: 400 invalid_request naming the field, and nothing changes", () => {
  // [what, alert_settings, the field details names]
  const refused: [string, unknown, string][] = [
    [
      "rate limit percent below 50",
      { rate_limit_approaching: { threshold_percent: 49 } },
      "rate_limit_approaching.threshold_percent",
    ],
    [
      "rate limit percent above 100",
      { rate_limit_approaching: { threshold_percent: 101 } },
      "rate_limit_approaching.threshold_percent",
    ],
    ["error percent below 1", { high_error_rate: { threshold_percent: 0.5 } }, "high_error_rate.threshold_percent"],
    ["error percent above 100", { high_error_rate: { threshold_percent: 100.5 } }, "high_error_rate.threshold_percent"],
    ["error min_requests 0", { high_error_rate: { min_requests: 0 } }, "high_error_rate.min_requests"],
    ["error min_requests above 100000", { high_error_rate: { min_requests: 100_001 } }, "high_error_rate.min_requests"],
    ["min_requests not whole", { unusual_usage: { min_requests: 10.5 } }, "unusual_usage.min_requests"],
    ["failed-auth threshold 0", { failed_authentication: { threshold: 0 } }, "failed_authentication.threshold"],
    [
      "failed-auth threshold above 10000",
      { failed_authentication: { threshold: 10_001 } },
      "failed_authentication.threshold",
    ],
    [
      "failed-auth threshold not whole",
      { failed_authentication: { threshold: 2.5 } },
      "failed_authentication.threshold",
    ],
    ["factor below 1.5", { unusual_usage: { factor: 1.49 } }, "unusual_usage.factor"],
    ["factor above 100", { unusual_usage: { factor: 100.01 } }, "unusual_usage.factor"],
    ["unusual min_requests above 100000", { unusual_usage: { min_requests: 100_001 } }, "unusual_usage.min_requests"],
    ["enabled not a boolean", { secret_rotation_due: { enabled: "no" } }, "secret_rotation_due.enabled"],
    ["a number as a string", { failed_authentication: { threshold: "10" } }, "failed_authentication.threshold"],
    ["unknown type", { slow_responses: { enabled: true } }, "slow_responses"],
    ["secret_leaked (always on, no setting)", { secret_leaked: { enabled: false } }, "secret_leaked"],
    [
      "unknown field of a type",
      { failed_authentication: { threshold_percent: 10 } },
      "failed_authentication.threshold_percent",
    ],
    ["a field of another type", { secret_rotation_due: { enabled: true, factor: 2 } }, "secret_rotation_due.factor"],
    ["a type that is not an object", { unusual_usage: false }, "unusual_usage"],
    ["a type that is null", { unusual_usage: null }, "unusual_usage"],
  ];

  it.each(refused)("create: %s", async (_what, settings, field) => {
    const err = await expectError(
      await admin("POST", "/admin/clients", { name: "x", environment: "production", alert_settings: settings }),
      400,
      "invalid_request",
    );
    expect(err.details).toContainEqual({ field: `alert_settings.${field}`, message: expect.any(String) });
  });

  it.each(refused)("PATCH: %s", async (_what, settings, field) => {
    const c = await createClient();
    const err = await expectError(
      await admin("PATCH", `/admin/clients/${c.id}`, { name: "Not applied", alert_settings: settings }),
      400,
      "invalid_request",
    );
    expect(err.details).toContainEqual({ field: `alert_settings.${field}`, message: expect.any(String) });
    const { body } = await adminJson("GET", `/admin/clients/${c.id}`);
    expect(body.client.name).toBe(c.client.name);
    expect(body.client.alert_settings).toEqual(DEFAULTS);
  });

  it("alert_settings that is not an object is refused", async () => {
    for (const value of [null, [], "all", true]) {
      const c = await createClient();
      const err = await expectError(
        await admin("PATCH", `/admin/clients/${c.id}`, { alert_settings: value }),
        400,
        "invalid_request",
      );
      expect(err.details).toContainEqual({ field: "alert_settings", message: expect.any(String) });
    }
  });

  it("the ends of every range are accepted", async () => {
    const lowest = {
      rate_limit_approaching: { enabled: true, threshold_percent: 50 },
      high_error_rate: { enabled: true, threshold_percent: 1, min_requests: 1 },
      failed_authentication: { enabled: true, threshold: 1 },
      unusual_usage: { enabled: true, factor: 1.5, min_requests: 1 },
      secret_rotation_due: { enabled: false },
    };
    const highest = {
      rate_limit_approaching: { enabled: false, threshold_percent: 100 },
      high_error_rate: { enabled: false, threshold_percent: 100, min_requests: 100_000 },
      failed_authentication: { enabled: false, threshold: 10_000 },
      unusual_usage: { enabled: false, factor: 100, min_requests: 100_000 },
      secret_rotation_due: { enabled: true },
    };
    const c = await createClient({ alert_settings: lowest });
    expect(c.client.alert_settings).toEqual(lowest);
    expect((await patchClient(c.id, { alert_settings: highest })).alert_settings).toEqual(highest);
    expect((await patchClient(c.id, { alert_settings: {} })).alert_settings).toEqual(highest);
  });

  it("an unknown field inside alert_settings named like an immutable client field is invalid_request, not immutable_field", async () => {
    const c = await createClient();
    const err = await expectError(
      await admin("PATCH", `/admin/clients/${c.id}`, { alert_settings: { unusual_usage: { id: "x" } } }),
      400,
      "invalid_request",
    );
    expect(err.details).toContainEqual({ field: "alert_settings.unusual_usage.id", message: expect.any(String) });
  });
});
