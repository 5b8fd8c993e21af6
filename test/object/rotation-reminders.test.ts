/**
 * Rotation reminders (contract "Secret hygiene"): rotation_due_at on every client, SECRET_MAX_AGE_DAYS
 * refused (503) rather than defaulted when invalid, and the daily cron's secret_rotation_due alert,
 * at most once a week per client until the secret is regenerated. Time is injected: the cron's
 * scheduledTime and the client's Durable Object clock move together, nothing sleeps.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { runRotationReminders } from "../../src/object/rotation-sweep";
import { ms } from "../support/admin";
import {
  adminJson,
  alertsOf,
  call,
  callWithEnv,
  createClient,
  env,
  expectError,
  regenerateSecret,
} from "../support/helpers";
import { cronAt } from "../support/alerts";
import { setObjectClock } from "../support/clock";

const DAY = 86_400_000;

const reminders = (clientId: string) => alertsOf(clientId, "secret_rotation_due");

afterEach(() => {
  vi.restoreAllMocks();
});

describe("rotation_due_at", () => {
  it("is created_at + 90 days by default, and secret_rotated_at + 90 days after a regeneration", async () => {
    const c = await createClient();
    expect(ms(c.client.rotation_due_at)).toBe(ms(c.client.created_at) + 90 * DAY);
    const { status, body } = await adminJson("GET", `/admin/clients?limit=100`);
    expect(status).toBe(200);
    const listed = body.clients.find((x: any) => x.id === c.id);
    expect(listed.rotation_due_at).toBe(c.client.rotation_due_at);

    const { body: regenerated } = await regenerateSecret(c.id);
    expect(ms(regenerated.client.rotation_due_at)).toBe(ms(regenerated.client.secret_rotated_at) + 90 * DAY);
  });

  it("follows SECRET_MAX_AGE_DAYS (1..365)", async () => {
    const c = await createClient();
    for (const days of ["1", "30", "365", " 45 "]) {
      const res = await callWithEnv({ SECRET_MAX_AGE_DAYS: days }, `/admin/clients/${c.id}`, {
        headers: { Authorization: "Bearer test-admin-token" },
      });
      const body = (await res.json()) as any;
      expect(res.status).toBe(200);
      expect(ms(body.client.rotation_due_at)).toBe(ms(c.client.created_at) + Number(days) * DAY);
    }
  });

  it("is in the OpenAPI document's Client", async () => {
    const doc = (await (await call("/openapi.json")).json()) as any;
    expect(doc.components.schemas.Client.properties.rotation_due_at).toBeDefined();
    expect(doc.components.schemas.Client.required).toContain("rotation_due_at");
  });
});

describe("an invalid SECRET_MAX_AGE_DAYS", () => {
  it("makes every admin call 503 (not a silent default) and is logged once, clearly", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    for (const value of ["0", "366", "abc", "90.5", "-1", "1e2", "90d"]) {
      for (const [path, init] of [
        ["/admin/clients", {}],
        ["/admin/clients", { method: "POST", body: JSON.stringify({ name: "x", environment: "production" }) }],
        ["/admin/alerts", {}],
      ] as const) {
        const res = await callWithEnv({ SECRET_MAX_AGE_DAYS: value }, path, {
          ...init,
          headers: { Authorization: "Bearer test-admin-token", "Content-Type": "application/json" },
        });
        const error = await expectError(res, 503, "service_unavailable");
        expect(error.message).toContain("SECRET_MAX_AGE_DAYS");
        expect(error.message).not.toContain(value);
      }
      const lines = errors.mock.calls.map((args) => JSON.parse(String(args[0])));
      const mine = lines.filter((l) => l.event === "config_invalid" && l.problem.includes(JSON.stringify(value)));
      expect(mine, value).toHaveLength(1);
      expect(mine[0].problem).toMatch(/SECRET_MAX_AGE_DAYS .* from 1 to 365/);
    }
  });

  it("runs no reminders (and says so in the log)", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const c = await createClient();
    const t = ms(c.client.created_at) + 400 * DAY;
    await setObjectClock(c.id, t);
    expect(await runRotationReminders({ ...env, SECRET_MAX_AGE_DAYS: "400" } as Env, t)).toEqual({
      asked: 0,
      reminded: 0,
    });
    expect(await reminders(c.id)).toEqual([]);
    expect(errors.mock.calls.some((args) => String(args[0]).includes("config_invalid"))).toBe(true);
  });
});

describe("the daily cron's secret_rotation_due", () => {
  it("is raised once due, at most once a week, and cleared by a regeneration", async () => {
    const c = await createClient();
    const created = ms(c.client.created_at);

    await cronAt(c.id, created + 89 * DAY);
    expect(await reminders(c.id)).toEqual([]);

    // Due: reminded by the next run, in D1 at once.
    await cronAt(c.id, created + 90 * DAY + 3_600_000);
    let alerts = await reminders(c.id);
    expect(alerts).toHaveLength(1);
    expect(alerts[0].details).toMatchObject({
      rotation_due_at: c.client.rotation_due_at,
      secret_max_age_days: 90,
      secret_last_four: c.secret.slice(-4),
    });
    expect(JSON.stringify(alerts)).not.toContain(c.secret);

    // Daily runs within the week: nothing more.
    for (let day = 91; day <= 97; day++) await cronAt(c.id, created + day * DAY);
    expect(await reminders(c.id)).toHaveLength(1);

    // A week after the first reminder: again.
    await cronAt(c.id, created + 97 * DAY + 3_600_000);
    alerts = await reminders(c.id);
    expect(alerts).toHaveLength(2);

    // Regenerated (on the object's clock): no reminder until the new secret is due in its turn.
    const rotatedAt = created + 98 * DAY;
    await setObjectClock(c.id, rotatedAt);
    const { body } = await regenerateSecret(c.id);
    expect(ms(body.client.secret_rotated_at)).toBe(rotatedAt);
    // (Counted from the regeneration on: the retention purge, which the same cron runs, removes
    // reminders older than the client's 90 retention days.)
    const since = async () => (await reminders(c.id)).filter((a) => ms(a.triggered_at) > rotatedAt);
    for (const day of [99, 106, 120, 187]) await cronAt(c.id, created + day * DAY);
    expect(await since()).toEqual([]);
    await cronAt(c.id, rotatedAt + 90 * DAY + 60_000);
    const [renewed, ...rest] = await since();
    expect(rest).toEqual([]);
    expect(ms(renewed.details.rotation_due_at)).toBe(rotatedAt + 90 * DAY);
  });

  it("skips inactive and revoked clients", async () => {
    const inactive = await createClient();
    const revoked = await createClient();
    expect((await adminJson("PATCH", `/admin/clients/${inactive.id}`, { status: "inactive" })).status).toBe(200);
    expect((await adminJson("POST", `/admin/clients/${revoked.id}/revoke`)).status).toBe(200);
    for (const c of [inactive, revoked]) {
      await cronAt(c.id, ms(c.client.created_at) + 100 * DAY);
      expect(await reminders(c.id)).toEqual([]);
    }
  });

  it("the object applies the weekly rule itself, even when D1's alert row is gone (e.g. purged)", async () => {
    const c = await createClient();
    const t = ms(c.client.created_at) + 91 * DAY;
    await cronAt(c.id, t, { SECRET_MAX_AGE_DAYS: "90" });
    expect(await reminders(c.id)).toHaveLength(1);
    await env.DB.prepare("DELETE FROM alerts WHERE client_id = ?").bind(c.id).run();
    await setObjectClock(c.id, t + DAY);
    await runRotationReminders(env, t + DAY);
    expect(await reminders(c.id)).toEqual([]);
  });

  it("a shorter SECRET_MAX_AGE_DAYS makes clients due sooner", async () => {
    const c = await createClient();
    const t = ms(c.client.created_at) + 8 * DAY;
    await setObjectClock(c.id, t);
    await runRotationReminders(env, t);
    expect(await reminders(c.id)).toEqual([]);
    await runRotationReminders({ ...env, SECRET_MAX_AGE_DAYS: "7" } as Env, t);
    const [alert] = await reminders(c.id);
    expect(alert.details.secret_max_age_days).toBe(7);
  });
});
