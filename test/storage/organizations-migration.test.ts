/**
 * The migration that introduced organizations, applied to a database in the shape before it: every
 * existing client lands in org_default (with the plan that keeps them all), existing admin tokens
 * stay bound to no organization and keep seeing everything, and existing audit entries follow
 * their clients. The migration is found by name, so this holds whatever number it ends up with.
 */
import { applyD1Migrations } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { credentialsOf } from "../../src/domain/credentials";
import { adminJson, createClient, env, sha256HexOf } from "../support/helpers";
import { newClientId, newClientSecret } from "../support/credentials";
import { asJson } from "../support/tokens";

type Migrations = Parameters<typeof applyD1Migrations>[1];
const ALL = (env as unknown as { TEST_MIGRATIONS: Migrations }).TEST_MIGRATIONS;
const OURS = ALL.findIndex((m) => /_organizations\.sql$/.test(m.name));

/** Drops every table (the per-file database was migrated by the setup file), then migrates up to `count`. */
async function migrateFromScratch(count: number): Promise<void> {
  for (let round = 0; round < 5; round++) {
    const { results } = await env.DB.prepare(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%'",
    ).all<{ name: string }>();
    if (results.length === 0) break;
    // Referencing tables first; a table still referenced is dropped on a later round.
    for (const { name } of results.reverse()) {
      await env.DB.prepare(`DROP TABLE "${name}"`)
        .run()
        .catch(() => undefined);
    }
  }
  await applyD1Migrations(env.DB, ALL.slice(0, count));
}

const old = { clientId: "", tokenId: "adt_oldtoken0000000000000", tokenSecret: "" };

beforeAll(async () => {
  expect(OURS).toBeGreaterThan(0);
  await migrateFromScratch(OURS);
  // Rows as the gateway wrote them before organizations: no organization_id column anywhere.
  old.clientId = await newClientId("production");
  const secret = await newClientSecret("production");
  const now = Date.now() - 60_000;
  await env.DB.prepare(
    `INSERT INTO clients (id, name, environment, rate_limit, retention_days, status, secret_hash, secret_last_four,
       secret_version, created_at, updated_at) VALUES (?1, 'Old client', 'production', 250, 90, 'active', ?2, ?3, 1, ?4, ?4)`,
  )
    .bind(old.clientId, await sha256HexOf(secret), secret.slice(-4), now)
    .run();
  old.tokenSecret = await (await credentialsOf(env)).newAdminSecret();
  await env.DB.prepare(
    `INSERT INTO admin_tokens (id, name, permissions, client_ids, secret_hash, secret_last_four, created_at, expires_at, created_by)
     VALUES (?1, 'Old token', '["clients:read","audit:read"]', NULL, ?2, ?3, ?4, ?5, 'bootstrap')`,
  )
    .bind(old.tokenId, await sha256HexOf(old.tokenSecret), old.tokenSecret.slice(-4), now, now + 86_400_000)
    .run();
  const audit = `INSERT INTO audit_log (id, at, actor, action, target_id, client_id, details) VALUES (?1, ?2, 'bootstrap', ?3, ?4, ?5, '{}')`;
  await env.DB.batch([
    env.DB.prepare(audit).bind("aud_oldclient", now, "client.create", old.clientId, old.clientId),
    env.DB.prepare(audit).bind("aud_oldtoken", now, "admin_token.create", old.tokenId, ""),
  ]);
  // Then this migration and any after it.
  await applyD1Migrations(env.DB, ALL);
});

describe("the organizations migration", () => {
  it("creates org_default with max_rate_limit 1000 and max_clients 10000, holding every existing client", async () => {
    const { status, body } = await adminJson("GET", "/admin/organizations/org_default");
    expect(status).toBe(200);
    expect(body.organization).toMatchObject({
      id: "org_default",
      name: "Default",
      max_rate_limit: 1000,
      max_clients: 10000,
      client_count: 1,
    });
    const client = await adminJson("GET", `/admin/clients/${old.clientId}`);
    expect(client.status).toBe(200);
    expect(client.body.client).toMatchObject({ organization_id: "org_default", rate_limit: 250, name: "Old client" });
  });

  it("moves existing audit entries about clients to org_default; those about tokens stay unbound", async () => {
    const rows = await env.DB.prepare(
      "SELECT id, organization_id FROM audit_log WHERE id LIKE 'aud_old%' ORDER BY id",
    ).all<{ id: string; organization_id: string | null }>();
    expect(rows.results).toEqual([
      { id: "aud_oldclient", organization_id: "org_default" },
      { id: "aud_oldtoken", organization_id: null },
    ]);
  });

  it("an existing token is bound to no organization and still sees every client, in every organization", async () => {
    const me = await asJson(old.tokenSecret, "GET", "/admin/me");
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ actor: old.tokenId, name: "Old token", organization_id: null, organization: null });

    const team = await adminJson("POST", "/admin/organizations", { name: "New team" });
    expect(team.status).toBe(201);
    const theirs = await createClient({ name: "In the new team", organization_id: team.body.organization.id });
    const mine = await createClient({ name: "Created without organization_id" });
    expect(mine.client.organization_id).toBe("org_default");
    const list = await asJson(old.tokenSecret, "GET", "/admin/clients?limit=100");
    expect(list.status).toBe(200);
    expect(list.body.clients.map((c: any) => c.id).sort()).toEqual([old.clientId, theirs.id, mine.id].sort());
    const entries = await asJson(old.tokenSecret, "GET", "/admin/audit-log?limit=100");
    expect(entries.body.entries.map((e: any) => e.id)).toEqual(
      expect.arrayContaining(["aud_oldclient", "aud_oldtoken"]),
    );
  });
});
