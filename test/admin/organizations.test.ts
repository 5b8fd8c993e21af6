/**
 * Organizations: the operator's calls, plan limits (for every token, the operator's included, and
 * under concurrent creates), the self-service a bound token gets, and the organization part of
 * admin tokens' no-escalation rule.
 */
import { describe, expect, it } from "vitest";
import { admin, adminJson, createClient, env, expectError } from "../support/helpers";
import { allPages, as, asJson, mintToken } from "../support/tokens";

const ORGANIZATION_FIELDS = [
  "client_count",
  "created_at",
  "id",
  "max_clients",
  "max_rate_limit",
  "name",
  "updated_at",
].sort();

async function organization(fields: Record<string, unknown> = {}) {
  const { status, body } = await adminJson("POST", "/admin/organizations", { name: "Acme", ...fields });
  expect(status, JSON.stringify(body)).toBe(201);
  return body.organization;
}

const auditOf = async (targetId: string) =>
  (await adminJson("GET", `/admin/audit-log?target_id=${targetId}`)).body.entries as any[];

describe("the organization calls", () => {
  it("POST creates with the contract's defaults and fields, audited as organization.create", async () => {
    const org = await organization({ name: "Defaults" });
    expect(Object.keys(org).sort()).toEqual(ORGANIZATION_FIELDS);
    expect(org).toMatchObject({ name: "Defaults", max_rate_limit: 100, max_clients: 50, client_count: 0 });
    expect(org.id).toMatch(/^org_[A-Za-z0-9]{22}$/);
    const [entry] = await auditOf(org.id);
    expect(entry).toMatchObject({ action: "organization.create", actor: "bootstrap", organization_id: org.id });
    expect(entry.details).toEqual({ name: "Defaults", max_rate_limit: 100, max_clients: 50 });
  });

  it("GET one and the list (newest first, paged); unknown is 404", async () => {
    const first = await organization({ name: "First" });
    const second = await organization({ name: "Second" });
    expect((await adminJson("GET", `/admin/organizations/${first.id}`)).body.organization).toEqual(first);
    await expectError(await admin("GET", "/admin/organizations/org_nope"), 404, "not_found");
    const { items } = await allPages("test-admin-token", "/admin/organizations", "organizations", 1);
    const order = items.map((o) => o.id);
    expect(order.indexOf(second.id)).toBeLessThan(order.indexOf(first.id));
    expect(order).toContain("org_default");
  });

  it("PATCH changes name and plan, audited with the changes; immutable and out-of-range fields are 400", async () => {
    const org = await organization({ name: "Before" });
    const { status, body } = await adminJson("PATCH", `/admin/organizations/${org.id}`, {
      name: "After",
      max_clients: 7,
    });
    expect(status).toBe(200);
    expect(body.organization).toMatchObject({ name: "After", max_clients: 7, max_rate_limit: 100 });
    const [entry] = await auditOf(org.id);
    expect(entry.action).toBe("organization.update");
    expect(entry.details.changes).toEqual({ name: { from: "Before", to: "After" }, max_clients: { from: 50, to: 7 } });
    await expectError(await admin("PATCH", `/admin/organizations/${org.id}`, { id: "org_x" }), 400, "immutable_field");
    for (const bad of [{ max_clients: 0 }, { max_rate_limit: 1001 }, { max_clients: 10001 }, { surprise: 1 }]) {
      await expectError(await admin("PATCH", `/admin/organizations/${org.id}`, bad), 400, "invalid_request");
    }
    await expectError(await admin("PATCH", "/admin/organizations/org_nope", { name: "x" }), 404, "not_found");
  });

  it("a client's organization is fixed: PATCH naming it is 400 immutable_field", async () => {
    const org = await organization();
    const client = await createClient({ organization_id: org.id });
    expect(client.client.organization_id).toBe(org.id);
    const err = await expectError(
      await admin("PATCH", `/admin/clients/${client.id}`, { organization_id: "org_default" }),
      400,
      "immutable_field",
    );
    expect(err.field).toBe("organization_id");
    await expectError(
      await admin("POST", "/admin/clients", { name: "x", environment: "sandbox", organization_id: "org_nope" }),
      404,
      "not_found",
    );
  });
});

describe("plan limits", () => {
  it("max_rate_limit: a production client above it is 403 plan_limit_exceeded, on create and PATCH, for the operator too", async () => {
    const org = await organization({ max_rate_limit: 200 });
    const over = await expectError(
      await admin("POST", "/admin/clients", {
        name: "Greedy",
        environment: "production",
        rate_limit: 201,
        organization_id: org.id,
      }),
      403,
      "plan_limit_exceeded",
    );
    expect(over).toMatchObject({ limit: "max_rate_limit", max: 200 });
    expect(over.message).toMatch(/operator/);
    const ok = await createClient({ organization_id: org.id, rate_limit: 200 });
    const patched = await expectError(
      await admin("PATCH", `/admin/clients/${ok.id}`, { rate_limit: 250 }),
      403,
      "plan_limit_exceeded",
    );
    expect(patched).toMatchObject({ limit: "max_rate_limit", max: 200 });
    // The operator raises the plan first; lowering it later changes no existing client.
    await adminJson("PATCH", `/admin/organizations/${org.id}`, { max_rate_limit: 300 });
    expect((await adminJson("PATCH", `/admin/clients/${ok.id}`, { rate_limit: 250 })).status).toBe(200);
    await adminJson("PATCH", `/admin/organizations/${org.id}`, { max_rate_limit: 10 });
    expect((await adminJson("GET", `/admin/clients/${ok.id}`)).body.client.rate_limit).toBe(250);
    // Sending its current limit back (as an edit form does) is no change; a new one above the plan is.
    expect((await adminJson("PATCH", `/admin/clients/${ok.id}`, { name: "Renamed", rate_limit: 250 })).status).toBe(
      200,
    );
    await expectError(await admin("PATCH", `/admin/clients/${ok.id}`, { rate_limit: 240 }), 403, "plan_limit_exceeded");
    // Sandbox clients stay at 10/min whatever the plan.
    expect((await createClient({ organization_id: org.id, environment: "sandbox" })).client.rate_limit).toBe(10);
  });

  it("a production client created without rate_limit gets 100, or the plan's max_rate_limit when lower", async () => {
    const small = await organization({ max_rate_limit: 40 });
    expect((await createClient({ organization_id: small.id })).client.rate_limit).toBe(40);
    const big = await organization({ max_rate_limit: 500 });
    expect((await createClient({ organization_id: big.id })).client.rate_limit).toBe(100);
  });

  it("max_clients holds under 20 concurrent creates at max_clients - 5 (by a bound token: self-service)", async () => {
    const org = await organization({ max_clients: 8 });
    const team = await mintToken(["clients:write", "clients:read"], { organization_id: org.id });
    for (let i = 0; i < 3; i++) {
      expect((await as(team.secret, "POST", "/admin/clients", { name: `c${i}`, environment: "sandbox" })).status).toBe(
        201,
      );
    }
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        as(team.secret, "POST", "/admin/clients", { name: `rush ${i}`, environment: "production" }),
      ),
    );
    const statuses = answers.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(5);
    expect(statuses.filter((s) => s === 403)).toHaveLength(15);
    for (const res of answers.filter((r) => r.status === 403)) {
      expect(await expectError(res, 403, "plan_limit_exceeded")).toMatchObject({ limit: "max_clients", max: 8 });
    }
    const stored = await env.DB.prepare("SELECT count(*) AS n FROM clients WHERE organization_id = ?1")
      .bind(org.id)
      .first<{ n: number }>();
    expect(stored!.n).toBe(8);
    // A refused create left no audit entry behind either.
    const audited = await env.DB.prepare(
      "SELECT count(*) AS n FROM audit_log WHERE organization_id = ?1 AND action = 'client.create'",
    )
      .bind(org.id)
      .first<{ n: number }>();
    expect(audited!.n).toBe(8);
    expect((await adminJson("GET", `/admin/organizations/${org.id}`)).body.organization.client_count).toBe(8);
    // Revoked clients do not count.
    const listed = await asJson(team.secret, "GET", "/admin/clients?limit=1");
    expect((await admin("POST", `/admin/clients/${listed.body.clients[0].id}/revoke`)).status).toBe(200);
    expect((await as(team.secret, "POST", "/admin/clients", { name: "room", environment: "sandbox" })).status).toBe(
      201,
    );
  });
});

describe("no escalation across organizations", () => {
  it("a bound token's tokens are bound to its organization; naming another is 404", async () => {
    const mine = await organization({ name: "Mine" });
    const theirs = await organization({ name: "Theirs" });
    const manager = await mintToken(["tokens:manage", "clients:read"], { organization_id: mine.id });
    const child = await asJson(manager.secret, "POST", "/admin/tokens", { name: "c", permissions: ["clients:read"] });
    expect(child.status).toBe(201);
    expect(child.body.token.organization_id).toBe(mine.id);
    await expectError(
      await as(manager.secret, "POST", "/admin/tokens", {
        name: "c",
        permissions: ["clients:read"],
        organization_id: theirs.id,
      }),
      404,
      "not_found",
    );
    await expectError(
      await as(manager.secret, "POST", "/admin/tokens", {
        name: "c",
        permissions: ["clients:read"],
        organization_id: null,
      }),
      400,
      "invalid_request",
    );
    // It cannot see or revoke the operator's tokens or another organization's.
    const operators = await mintToken(["clients:read"]);
    const others = await mintToken(["clients:read"], { organization_id: theirs.id });
    for (const id of [operators.id, others.id]) {
      await expectError(await as(manager.secret, "POST", `/admin/tokens/${id}/revoke`), 404, "not_found");
    }
  });

  it("a bound token cannot hold organizations:manage: asking is 400; * on it means every other permission", async () => {
    const org = await organization();
    const all = await mintToken(["*"], { organization_id: org.id });
    for (const creator of ["test-admin-token", all.secret]) {
      const err = await expectError(
        await as(creator, "POST", "/admin/tokens", {
          name: "x",
          permissions: ["organizations:manage"],
          organization_id: org.id,
        }),
        400,
        "invalid_request",
      );
      expect(err.details[0].field).toBe("permissions.0");
    }
    expect(
      (await expectError(await as(all.secret, "GET", "/admin/organizations"), 403, "forbidden")).missing_permission,
    ).toBe("organizations:manage");
    expect((await as(all.secret, "GET", "/admin/clients")).status).toBe(200);
    // An unbound token may hold it.
    const operator = await mintToken(["organizations:manage"]);
    expect((await as(operator.secret, "GET", "/admin/organizations")).status).toBe(200);
  });

  it("client_ids of a bound token must be its organization's clients (another's: as if absent)", async () => {
    const mine = await organization();
    const theirs = await organization();
    const own = await createClient({ organization_id: mine.id });
    const foreign = await createClient({ organization_id: theirs.id });
    const ok = await adminJson("POST", "/admin/tokens", {
      name: "scoped",
      permissions: ["clients:read"],
      organization_id: mine.id,
      client_ids: [own.id],
    });
    expect(ok.status).toBe(201);
    const err = await expectError(
      await admin("POST", "/admin/tokens", {
        name: "scoped",
        permissions: ["clients:read"],
        organization_id: mine.id,
        client_ids: [foreign.id],
      }),
      400,
      "invalid_request",
    );
    expect(err.details).toEqual([{ field: "client_ids.0", message: "No such client." }]);
    // A bound token limited to some clients still cannot create clients.
    const scoped = await mintToken(["clients:write"], { organization_id: mine.id, client_ids: [own.id] });
    await expectError(
      await as(scoped.secret, "POST", "/admin/clients", { name: "x", environment: "sandbox" }),
      403,
      "forbidden",
    );
  });

  it("GET /admin/me names the token and its organization", async () => {
    const org = await organization({ name: "Shown" });
    const token = await mintToken(["clients:read"], { organization_id: org.id, name: "Team lead" });
    const me = await asJson(token.secret, "GET", "/admin/me");
    expect(me.body).toMatchObject({
      name: "Team lead",
      organization_id: org.id,
      organization: { id: org.id, name: "Shown" },
    });
  });
});
