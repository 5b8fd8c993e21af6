/**
 * The daily retention purge: usage rows, alerts and audit entries older than their client's
 * retention_days are deleted, exactly those, by purgeExpired and by the Worker's cron handler.
 */
import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../../src/index";
import { purgeExpired, purgeWebhookDeliveries } from "../../src/storage/purge";
import { createClient, env, patchClient, sleep } from "../support/helpers";

const DAY = 86_400_000;
const HOUR = 3_600_000;
const NOW = Date.now(); // the "now" of every purge in this file
const TABLES = ["usage_hourly", "alerts", "audit_log"] as const;
type Table = (typeof TABLES)[number];

interface Seeded {
  /** Per table: the seeded row keys that must survive and that must go. */
  kept: Record<Table, string[]>;
  purged: Record<Table, string[]>;
}

/** Inserts one row per age (ms before NOW) into each table for the client; `keep(age)` says which must survive. */
async function seed(clientId: string, ages: number[], keep: (age: number) => boolean): Promise<Seeded> {
  const kept: Record<Table, string[]> = { usage_hourly: [], alerts: [], audit_log: [] };
  const purged: Record<Table, string[]> = { usage_hourly: [], alerts: [], audit_log: [] };
  const statements: D1PreparedStatement[] = [];
  for (const age of ages) {
    const at = NOW - age;
    const tag = `${clientId.slice(-6)}_${age}`;
    statements.push(
      env.DB.prepare(
        `INSERT INTO usage_hourly (client_id, hour, workflow_id, requests, successful_requests, rate_limited_requests,
           failed_authentications, units_consumed, response_ms_total, responses, errors) VALUES (?, ?, '', 1, 1, 0, 0, 1, 5, 1, '{}')`,
      ).bind(clientId, at),
      env.DB.prepare(
        "INSERT INTO alerts (id, client_id, type, message, triggered_at, details) VALUES (?, ?, 'failed_authentication', 'seeded', ?, '{}')",
      ).bind(`alr_${tag}`, clientId, at),
      env.DB.prepare(
        "INSERT INTO audit_log (id, at, actor, action, target_id, client_id, ip, request_id, details) VALUES (?, ?, 'admin', 'client.update', ?, ?, NULL, NULL, '{}')",
      ).bind(`aud_${tag}`, at, clientId, clientId),
    );
    const into = keep(age) ? kept : purged;
    into.usage_hourly.push(String(at));
    into.alerts.push(`alr_${tag}`);
    into.audit_log.push(`aud_${tag}`);
  }
  await env.DB.batch(statements);
  return { kept, purged };
}

/** The keys (hour for usage, id otherwise) of the client's rows in a table. */
async function keys(table: Table, clientId: string): Promise<string[]> {
  const column = table === "usage_hourly" ? "hour" : "id";
  const { results } = await env.DB.prepare(`SELECT ${column} AS k FROM ${table} WHERE client_id = ?`)
    .bind(clientId)
    .all<{ k: string | number }>();
  return results.map((r) => String(r.k)).sort();
}

async function expectExactly(
  clientId: string,
  seeded: Seeded,
  extra: Partial<Record<Table, string[]>> = {},
): Promise<void> {
  for (const table of TABLES) {
    expect(await keys(table, clientId), `${table} of ${clientId}`).toEqual(
      [...seeded.kept[table], ...(extra[table] ?? [])].sort(),
    );
  }
}

/** Ages around a retention of `days`: just inside (kept) and just past it (purged), and some others. */
const agesFor = (days: number) => [
  HOUR,
  DAY,
  (days - 1) * DAY,
  days * DAY,
  days * DAY + 1,
  days * DAY + HOUR,
  (days + 1) * DAY,
  400 * DAY,
];

async function twoClients() {
  const short = await createClient({ retention_days: 7 });
  const long = await createClient(); // the default: 90
  expect(long.client.retention_days).toBe(90);
  const shortRows = await seed(short.id, agesFor(7), (age) => age <= 7 * DAY);
  const longRows = await seed(long.id, [...agesFor(90), 8 * DAY, 30 * DAY], (age) => age <= 90 * DAY);
  // The audit entries the API wrote when creating the clients are recent: kept.
  const shortAudit = await keys("audit_log", short.id).then((k) => k.filter((id) => !id.includes("_", 4)));
  const longAudit = await keys("audit_log", long.id).then((k) => k.filter((id) => !id.includes("_", 4)));
  return { short, long, shortRows, longRows, shortAudit, longAudit };
}

const count = (s: Seeded, table: Table) => s.purged[table].length;

describe("retention purge", () => {
  it("purgeExpired removes exactly the rows past each client's retention_days (7 and 90), in every table", async () => {
    const { short, long, shortRows, longRows, shortAudit, longAudit } = await twoClients();
    expect(shortAudit).toHaveLength(1);
    const result = await purgeExpired(env.DB, NOW);
    expect(result).toEqual({
      usage_hourly: count(shortRows, "usage_hourly") + count(longRows, "usage_hourly"),
      alerts: count(shortRows, "alerts") + count(longRows, "alerts"),
      audit_log: count(shortRows, "audit_log") + count(longRows, "audit_log"),
    });
    await expectExactly(short.id, shortRows, { audit_log: shortAudit });
    await expectExactly(long.id, longRows, { audit_log: longAudit });
    // A second run finds nothing more.
    expect(await purgeExpired(env.DB, NOW)).toEqual({ usage_hourly: 0, alerts: 0, audit_log: 0 });
  });

  it("the cron trigger's scheduled handler purges the same way (at its scheduled time)", async () => {
    const { short, long, shortRows, longRows, shortAudit, longAudit } = await twoClients();
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ scheduledTime: new Date(NOW), cron: "17 3 * * *" }), env, ctx);
    await waitOnExecutionContext(ctx);
    await expectExactly(short.id, shortRows, { audit_log: shortAudit });
    await expectExactly(long.id, longRows, { audit_log: longAudit });
  });

  it("the deployed Worker's scheduled entry point (exports.default.scheduled) purges too", async () => {
    const { short, long, shortRows, longRows, shortAudit, longAudit } = await twoClients();
    // The test harness hands these options to the handler as its controller, so scheduledTime is
    // given in epoch milliseconds (what a real ScheduledController carries).
    const entry = exports.default as unknown as {
      scheduled(options: { scheduledTime: number; cron: string }): Promise<unknown>;
    };
    await entry.scheduled({ scheduledTime: NOW, cron: "17 3 * * *" });
    // The purge runs in the handler's waitUntil, after the call returns.
    for (let i = 0; i < 100 && (await keys("alerts", long.id)).length !== longRows.kept.alerts.length; i++)
      await sleep(50);
    await expectExactly(short.id, shortRows, { audit_log: shortAudit });
    await expectExactly(long.id, longRows, { audit_log: longAudit });
  });

  it("a lowered retention_days applies at the next purge; a sandbox client keeps at most 7 days", async () => {
    const c = await createClient({ retention_days: 90 });
    const rows = await seed(c.id, [DAY, 6 * DAY, 7 * DAY, 7 * DAY + 1, 30 * DAY, 89 * DAY], (age) => age <= 7 * DAY);
    await patchClient(c.id, { retention_days: 7 });
    const sandbox = await createClient({ environment: "sandbox" });
    expect(sandbox.client.retention_days).toBeLessThanOrEqual(7);
    const sandboxRows = await seed(
      sandbox.id,
      agesFor(sandbox.client.retention_days),
      (age) => age <= sandbox.client.retention_days * DAY,
    );
    const audit = (id: string) => keys("audit_log", id).then((k) => k.filter((x) => !x.includes("_", 4)));
    const [cAudit, sAudit] = [await audit(c.id), await audit(sandbox.id)];
    expect(cAudit).toHaveLength(2); // create + the PATCH just made
    await purgeExpired(env.DB, NOW);
    await expectExactly(c.id, rows, { audit_log: cAudit });
    await expectExactly(sandbox.id, sandboxRows, { audit_log: sAudit });
  });

  it("works through more rows than one batch", async () => {
    const c = await createClient({ retention_days: 7 });
    const old = Array.from({ length: 1203 }, (_, i) => 8 * DAY + i * HOUR);
    for (let i = 0; i < old.length; i += 200) {
      await env.DB.batch(
        old.slice(i, i + 200).map((age) =>
          env.DB.prepare(
            `INSERT INTO usage_hourly (client_id, hour, workflow_id, requests, successful_requests, rate_limited_requests,
               failed_authentications, units_consumed, response_ms_total, responses, errors) VALUES (?, ?, '', 1, 1, 0, 0, 1, 5, 1, '{}')`,
          ).bind(c.id, NOW - age),
        ),
      );
    }
    const recent = await seed(c.id, [HOUR, 2 * DAY], () => true);
    const result = await purgeExpired(env.DB, NOW);
    expect(result.usage_hourly).toBe(1203);
    expect(await keys("usage_hourly", c.id)).toEqual([...recent.kept.usage_hourly].sort());
  });
});

describe("webhook deliveries and events", () => {
  it("are deleted after 30 days, whatever the client's retention; younger ones stay", async () => {
    const rows = [
      ["old", NOW - 30 * DAY - HOUR],
      ["young", NOW - 30 * DAY + HOUR],
    ] as const;
    for (const [name, at] of rows) {
      await env.DB.batch([
        env.DB.prepare(
          "INSERT INTO webhook_events (id, type, client_id, body, created_at) VALUES (?1, 'webhook.test', NULL, '{}', ?2)",
        ).bind(`evt_purge_${name}`, at),
        env.DB.prepare(
          `INSERT INTO webhook_deliveries (id, event_id, endpoint_id, event_type, status, attempts, created_at)
           VALUES (?1, ?2, 'whe_purge', 'webhook.test', 'succeeded', 1, ?3)`,
        ).bind(`whd_purge_${name}`, `evt_purge_${name}`, at),
      ]);
    }
    const deleted = await purgeWebhookDeliveries(env.DB, NOW);
    expect(deleted).toBe(1);
    const left = async (table: string) =>
      (
        await env.DB.prepare(`SELECT id FROM ${table} WHERE id LIKE '%_purge_%' ORDER BY id`).all<{ id: string }>()
      ).results.map((r) => r.id);
    expect(await left("webhook_deliveries")).toEqual(["whd_purge_young"]);
    expect(await left("webhook_events")).toEqual(["evt_purge_young"]);
  });
});
