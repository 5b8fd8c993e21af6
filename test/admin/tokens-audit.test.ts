/**
 * Audit entries name their actor ("bootstrap" or the admin token's id); creating and revoking
 * tokens is audited; no admin answer, audit entry or log line ever holds a token secret or its hash.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { revokeToken } from "../../src/storage/admin-tokens";
import { purgeExpired } from "../../src/storage/purge";
import { admin, adminJson, appWithEnv, createClient, env, sha256HexOf } from "../support/helpers";
import { PERMISSIONS, as, asJson, mintToken } from "../support/tokens";

const DAY = 86_400_000;

async function allEntries(query = ""): Promise<any[]> {
  const out: any[] = [];
  let cursor: string | null = null;
  do {
    const { status, body }: any = await adminJson(
      "GET",
      `/admin/audit-log?limit=100${query}${cursor ? `&cursor=${cursor}` : ""}`,
    );
    expect(status).toBe(200);
    out.push(...body.entries);
    cursor = body.next_cursor;
  } while (cursor);
  return out;
}

describe("audit actors", () => {
  it("every change names who made it: bootstrap or the token's id", async () => {
    const writer = await mintToken(["clients:write", "clients:rotate", "clients:revoke", "workflows:write"]);
    const byOwner = await createClient({ name: "By the owner" });
    const { body } = await asJson(writer.secret, "POST", "/admin/clients", {
      name: "By a token",
      environment: "production",
    });
    const byToken = { id: body.client.id, secret: body.client_secret };
    const workflow = await asJson(writer.secret, "POST", "/admin/workflows", {
      client_id: byToken.id,
      client_secret: byToken.secret,
      name: "Token's workflow",
    });
    expect(workflow.status).toBe(201);
    expect(
      (await as(writer.secret, "PATCH", `/admin/clients/${byOwner.id}`, { name: "Renamed by token" })).status,
    ).toBe(200);
    expect((await as(writer.secret, "POST", `/admin/clients/${byToken.id}/regenerate-secret`, {})).status).toBe(200);
    expect((await as(writer.secret, "POST", `/admin/clients/${byToken.id}/revoke`)).status).toBe(200);

    const of = async (target: string) =>
      (await allEntries(`&target_id=${target}`)).map((e) => `${e.action} ${e.actor}`);
    expect(await of(byOwner.id)).toEqual([`client.update ${writer.id}`, "client.create bootstrap"]);
    expect(await of(byToken.id)).toEqual([
      `client.revoke ${writer.id}`,
      `client.regenerate_secret ${writer.id}`,
      `client.create ${writer.id}`,
    ]);
    // (The client's revocation deactivates the workflow within the client.revoke entry.)
    expect(await of(workflow.body.workflow.id)).toEqual([`workflow.create ${writer.id}`]);
  });

  it("no entry says 'admin' any more", async () => {
    for (const entry of await allEntries())
      expect(["bootstrap", expect.stringMatching(/^adt_/)]).toContainEqual(entry.actor);
  });

  it("token creation and revocation are audited with the token's id as target; a repeated revoke is not", async () => {
    const manager = await mintToken(["tokens:manage", "clients:read"]);
    const made = await asJson(manager.secret, "POST", "/admin/tokens", {
      name: "Audited child",
      permissions: ["clients:read"],
      expires_in_days: 10,
    });
    expect(made.status).toBe(201);
    const child = made.body.token;
    expect((await as(manager.secret, "POST", `/admin/tokens/${child.id}/revoke`)).status).toBe(200);
    expect((await admin("POST", `/admin/tokens/${child.id}/revoke`)).status).toBe(200);

    const entries = await allEntries(`&target_id=${child.id}`);
    expect(entries.map((e) => `${e.action} ${e.actor}`)).toEqual([
      `admin_token.revoke ${manager.id}`,
      `admin_token.create ${manager.id}`,
    ]);
    expect(entries[1].details).toEqual({
      name: "Audited child",
      permissions: ["clients:read"],
      client_ids: null,
      expires_at: child.expires_at,
      organization_id: null,
    });
    // The manager's own creation, by the owner.
    expect((await allEntries(`&target_id=${manager.id}`)).map((e) => `${e.action} ${e.actor}`)).toEqual([
      "admin_token.create bootstrap",
    ]);
    // Stored against no client (''), so client retention does not apply and scoped tokens never see them.
    const rows = await env.DB.prepare("SELECT client_id FROM audit_log WHERE target_id = ?1").bind(child.id).all();
    expect(rows.results.map((r: any) => r.client_id)).toEqual(["", ""]);
  });

  it("two revocations racing past the route's check still write one entry (the first's)", async () => {
    const { id } = await mintToken(["clients:read"]);
    const actor = (name: string) => ({ actor: name, ip: null, requestId: null });
    const [first, second] = await Promise.all([
      revokeToken(env.DB, id, 1000, actor("adt_first")),
      revokeToken(env.DB, id, 2000, actor("adt_second")),
    ]);
    expect(first!.revokedAt).toBe(second!.revokedAt);
    const entries = await allEntries(`&target_id=${id}`);
    const revokes = entries.filter((e) => e.action === "admin_token.revoke");
    expect(revokes).toHaveLength(1);
    expect(revokes[0].at).toBe(new Date(first!.revokedAt!).toISOString());
    expect(revokes[0].actor).toBe(first!.revokedAt === 1000 ? "adt_first" : "adt_second");
  });

  it("a scoped audit:read token does not see admin token entries", async () => {
    const client = await createClient();
    const reader = await mintToken(["audit:read"], { client_ids: [client.id] });
    const { body } = await asJson(reader.secret, "GET", "/admin/audit-log?limit=100");
    expect(body.entries.map((e: any) => e.action)).toEqual(["client.create"]);
  });

  it("the retention purge keeps admin token entries 365 days, whatever the clients' retention", async () => {
    const now = Date.now();
    await env.DB.batch(
      [
        ["aud_admin_old", now - 366 * DAY],
        ["aud_admin_kept", now - 364 * DAY],
      ].map(([id, at]) =>
        env.DB.prepare(
          "INSERT INTO audit_log (id, at, actor, action, target_id, client_id, ip, request_id, details) VALUES (?1, ?2, 'bootstrap', 'admin_token.create', 'adt_x', '', NULL, NULL, '{}')",
        ).bind(id, at),
      ),
    );
    await purgeExpired(env.DB, now);
    const left = await env.DB.prepare("SELECT id FROM audit_log WHERE id LIKE 'aud_admin_%'").all();
    expect(left.results.map((r: any) => r.id)).toEqual(["aud_admin_kept"]);
  });
});

describe("no token secret or hash in any answer, audit entry or log line", () => {
  const logged: string[] = [];
  const spies: { mockRestore(): void }[] = [];

  beforeAll(() => {
    for (const method of ["log", "info", "warn", "error", "debug"] as const) {
      const original = console[method].bind(console);
      spies.push(
        vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
          logged.push(args.map(String).join(" "));
          original(...args);
        }),
      );
    }
  });
  afterAll(() => spies.forEach((s) => s.mockRestore()));

  it("a tour of every admin route, as the owner and as tokens, then D1's audit rows", async () => {
    const app = appWithEnv({});
    const answers: string[] = [];
    const statuses: number[] = [];
    const secrets: string[] = [];
    const send = async (token: string, method: string, path: string, body?: unknown) => {
      const res = await app.fetch(path, {
        method,
        headers: {
          Authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { "Content-Type": "application/json" }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      const headers = [...res.headers].map(([k, v]) => `${k}: ${v}`).join("\n");
      return { status: res.status, text, all: `${headers}\n${text}`, json: () => JSON.parse(text) };
    };

    const client = await createClient();
    const ownerMade = await send(env.ADMIN_TOKEN!, "POST", "/admin/tokens", { name: "All", permissions: ["*"] });
    const full = ownerMade.json().secret as string;
    secrets.push(full);
    const scopedMade = await send(full, "POST", "/admin/tokens", {
      name: "Scoped",
      permissions: [...PERMISSIONS],
      client_ids: [client.id],
    });
    const scoped = scopedMade.json().secret as string;
    secrets.push(scoped);
    const doomed = await send(scoped, "POST", "/admin/tokens", {
      name: "Doomed",
      permissions: ["clients:read"],
      client_ids: [client.id],
    });
    secrets.push(doomed.json().secret);
    const doomedId = doomed.json().token.id;
    // The creating answers are the one place a secret appears: each holds only its own.
    expect(ownerMade.text).toContain(full);
    expect(scopedMade.text).not.toContain(full);

    const workflow = await send(full, "POST", "/admin/workflows", {
      client_id: client.id,
      client_secret: client.secret,
      name: "Tour",
    });
    const wf = workflow.json().workflow.id;
    const tour: [string, string, unknown?][] = [
      ["GET", "/admin/me"],
      ["GET", "/admin/tokens"],
      ["GET", `/admin/tokens/${doomedId}`],
      ["POST", `/admin/tokens/${doomedId}/revoke`],
      ["POST", `/admin/tokens/${doomedId}/revoke`],
      ["GET", "/admin/clients"],
      ["GET", `/admin/clients/${client.id}`],
      ["PATCH", `/admin/clients/${client.id}`, { name: "Toured" }],
      ["GET", `/admin/clients/${client.id}/usage?days=1`],
      ["GET", "/admin/workflows"],
      ["GET", `/admin/workflows/${wf}`],
      ["PATCH", `/admin/workflows/${wf}`, { name: "Toured" }],
      ["GET", "/admin/alerts"],
      ["GET", "/admin/audit-log?limit=100"],
      ["POST", "/admin/tokens", { name: "Bad", permissions: ["nope"] }],
      ["POST", "/admin/tokens", { name: "Up", permissions: ["*"], client_ids: [client.id] }],
      ["GET", "/admin/tokens/adt_nothing"],
    ];
    for (const token of [env.ADMIN_TOKEN!, full, scoped, secrets[2]!]) {
      for (const [method, path, body] of tour) {
        const answer = await send(token, method, path, body);
        statuses.push(answer.status);
        // A token created on the tour: its creating answer is the one place its secret may be.
        if (method === "POST" && path === "/admin/tokens" && answer.status === 201) secrets.push(answer.json().secret);
        else answers.push(answer.all);
      }
    }
    // A secret sent on a revoked token is not echoed in the 401 either.
    answers.push((await send(secrets[2]!, "GET", "/admin/me")).all);
    answers.push(workflow.all);
    await app.settle();

    const hashes = await Promise.all(secrets.map(sha256HexOf));
    const stored = (await env.DB.prepare("SELECT secret_hash FROM admin_tokens").all()).results.map(
      (r: any) => r.secret_hash as string,
    );
    const rawAudit = JSON.stringify((await env.DB.prepare("SELECT * FROM audit_log").all()).results);
    const haystacks = { answers: answers.join("\n"), audit: rawAudit, logs: logged.join("\n") };
    expect(answers.length).toBeGreaterThan(60);
    // The tour really read things: most calls of the three live tokens succeeded.
    expect(statuses.filter((s) => s < 300).length).toBeGreaterThan(35);
    for (const [where, text] of Object.entries(haystacks)) {
      for (const needle of [...secrets, ...secrets.map((s) => s.slice(12, 34)), ...hashes, ...stored]) {
        expect(text.includes(needle), `${where} holds ${needle.slice(0, 16)}…`).toBe(false);
        expect(text.toLowerCase().includes(needle.toLowerCase()), where).toBe(false);
      }
      expect(text, where).not.toMatch(/nafsi_admin_[A-Za-z0-9]{8}/);
      expect(text, where).not.toContain("secret_hash");
    }
  });
});
