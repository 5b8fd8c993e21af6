/**
 * "Secrets are shown exactly once (in the response that creates or regenerates them) and are
 * stored only as a hash. No response, log line or error ever contains a secret or its hash again."
 *
 * Every admin (and data-plane) response made after a secret was handed out is recorded, headers
 * and body, and searched for the secret, its random part, and its hash: both SHA-256 hex of the
 * secret and whatever value D1 actually stores.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { sha256Hex } from "../../src/domain/hash";
import { ADMIN_TOKEN, admin, call, env, withSecret } from "../support/helpers";

interface Recorded {
  label: string;
  status: number;
  text: string;
}

const recorded: Recorded[] = [];
const logged: string[] = [];

/** Every response is read whole and kept: its status, each header, its body. */
async function send(label: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  return record(label, await admin(method, path, body, headers));
}

async function record(label: string, res: Response) {
  const text = await res.text();
  const head = [...res.headers].map(([k, v]) => `${k}: ${v}`).join("\n");
  recorded.push({ label, status: res.status, text: `${head}\n\n${text}` });
  const isJson = (res.headers.get("Content-Type") ?? "").startsWith("application/json");
  return { status: res.status, body: isJson && text ? JSON.parse(text) : null };
}

/** What D1 stores for a client's current secret, whatever the hashing scheme (read by ID). */
async function storedHash(clientId: string): Promise<string> {
  const row = await env.DB.prepare("SELECT secret_hash FROM clients WHERE id = ?")
    .bind(clientId)
    .first<{ secret_hash: string }>();
  expect(row?.secret_hash, clientId).toEqual(expect.any(String));
  expect(row!.secret_hash.length).toBeGreaterThanOrEqual(32);
  return row!.secret_hash;
}

/** Each secret handed out, and the hash D1 stored for it right then. */
const stored = new Map<string, string>();

/** The strings that must never appear again once the secret was shown. */
async function forbiddenFor(secret: string): Promise<string[]> {
  const prefix = secret.startsWith("sk_live_") ? "sk_live_" : "sk_test_";
  const hex = await sha256Hex(secret);
  const kept = stored.get(secret);
  expect(kept, "stored hash recorded").toBeDefined();
  return [secret, secret.slice(prefix.length), hex, hex.toUpperCase(), btoa(secret), kept!];
}

function expectAbsent(where: Recorded[], forbidden: string[], what: string) {
  for (const r of where) {
    const haystack = r.text.toLowerCase();
    for (const f of forbidden)
      expect(haystack.includes(f.toLowerCase()), `${what} found in ${r.label} (${r.status})`).toBe(false);
  }
}

const secrets: { secret: string; shownIn: string }[] = [];

beforeAll(() => {
  for (const method of ["log", "info", "warn", "error", "debug"] as const) {
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      logged.push(args.map((a) => (typeof a === "string" ? a : JSON.stringify(a))).join(" "));
    });
  }
});
afterAll(() => vi.restoreAllMocks());

describe("no secret or hash leaks", () => {
  it("over a client's whole life, only the creating and regenerating responses carry a secret, each its own once", async () => {
    // ---- create: the only response allowed to carry s0 ----
    const created = await send("create", "POST", "/admin/clients", { name: "Leak probe", environment: "production" });
    expect(created.status).toBe(201);
    const id: string = created.body.client.id;
    const s0: string = created.body.client_secret;
    secrets.push({ secret: s0, shownIn: "create" });
    stored.set(s0, await storedHash(id));
    const createResponse = recorded.pop()!;
    // The create response shows the secret once, in client_secret, and never its hash.
    expect(createResponse.text.split(s0).length - 1).toBe(1);
    expectAbsent(
      [{ ...createResponse, text: createResponse.text.replace(s0, "") }],
      await forbiddenFor(s0),
      "s0 or its hash",
    );
    const sandbox = await send("create sandbox", "POST", "/admin/clients", {
      name: "Leak probe sb",
      environment: "sandbox",
    });
    const sbId: string = sandbox.body.client.id;
    const sb0: string = sandbox.body.client_secret;
    secrets.push({ secret: sb0, shownIn: "create sandbox" });
    stored.set(sb0, await storedHash(sbId));
    recorded.pop();

    // ---- reads ----
    await send("get", "GET", `/admin/clients/${id}`);
    await send("get sandbox", "GET", `/admin/clients/${sbId}`);
    await send("list", "GET", "/admin/clients");
    await send("list production", "GET", "/admin/clients?environment=production&status=active");
    const page = await send("list page 1", "GET", "/admin/clients?limit=1");
    await send("list page 2", "GET", `/admin/clients?limit=1&cursor=${encodeURIComponent(page.body.next_cursor)}`);

    // ---- changes and refusals, some of which name the secret in the request ----
    await send("patch name", "PATCH", `/admin/clients/${id}`, { name: "Leak probe 2" });
    await send("patch limit", "PATCH", `/admin/clients/${id}`, { rate_limit: 500, retention_days: 30 });
    await send("patch inactive", "PATCH", `/admin/clients/${id}`, { status: "inactive" });
    await send("patch active", "PATCH", `/admin/clients/${id}`, { status: "active" });
    await send("patch client_secret (immutable)", "PATCH", `/admin/clients/${id}`, { client_secret: s0 });
    await send("patch secret (immutable)", "PATCH", `/admin/clients/${id}`, { secret: s0 });
    await send("patch unknown field holding the secret", "PATCH", `/admin/clients/${id}`, { note: s0 });
    await send("patch rate_limit = secret", "PATCH", `/admin/clients/${id}`, { rate_limit: s0 });
    await send("patch status = secret", "PATCH", `/admin/clients/${id}`, { status: s0 });
    await send("create with environment = secret", "POST", "/admin/clients", { name: "x", environment: s0 });
    await send("create with unknown field = secret", "POST", "/admin/clients", {
      name: "x",
      environment: "production",
      client_secret: s0,
    });
    await send("regenerate with grace = secret", "POST", `/admin/clients/${id}/regenerate-secret`, {
      grace_period_seconds: s0,
    });
    await send("patch sandbox limit", "PATCH", `/admin/clients/${sbId}`, { rate_limit: 50 });
    recorded.push(
      await (async () => {
        const res = await call("/admin/clients", {
          method: "POST",
          headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, "Content-Type": "application/json" },
          body: `{"name": "${s0}", `,
        });
        return {
          label: "malformed JSON with the secret",
          status: res.status,
          text: [...res.headers].join("\n") + (await res.text()),
        };
      })(),
    );
    await send("secret as a bearer token", "GET", "/admin/clients", undefined, { Authorization: `Bearer ${s0}` });
    await send("secret as a client id in the path", "GET", `/admin/clients/${s0}`);

    // ---- the data plane, with right and wrong secrets ----
    await record("data plane ok", await withSecret(id, s0, "/v1/anything"));
    await record("data plane ok (sandbox)", await withSecret(sbId, sb0, "/v1/anything"));
    await record("data plane other env secret", await withSecret(id, sb0, "/v1/anything"));
    await record("data plane secret as id", await withSecret(s0, s0, "/v1/anything"));

    // ---- regenerate with grace: s1 shown once, s0 nowhere ----
    const regen = await send("regenerate (grace)", "POST", `/admin/clients/${id}/regenerate-secret`, {
      grace_period_seconds: 600,
    });
    expect(regen.status).toBe(200);
    const s1: string = regen.body.client_secret;
    secrets.push({ secret: s1, shownIn: "regenerate (grace)" });
    stored.set(s1, await storedHash(id));
    const regenResponse = recorded.pop()!;
    expect(regenResponse.text.split(s1).length - 1).toBe(1);
    expectAbsent(
      [{ ...regenResponse, text: regenResponse.text.replace(s1, "") }],
      await forbiddenFor(s1),
      "s1 or its hash",
    );
    expectAbsent([regenResponse], await forbiddenFor(s0), "s0 or its hash");
    // The rest of the regenerate response, other than client_secret, is secret-free.
    const { client_secret: _shown, ...rest } = regen.body;
    expect(JSON.stringify(rest)).not.toMatch(/sk_(live|test)_/);

    await send("get after regenerate", "GET", `/admin/clients/${id}`);
    await send("list after regenerate", "GET", "/admin/clients");
    await record("data plane old secret in grace", await withSecret(id, s0, "/v1/anything"));
    await record("data plane new secret", await withSecret(id, s1, "/v1/anything"));
    await send("patch during grace", "PATCH", `/admin/clients/${id}`, { name: "Leak probe 3" });

    const regen2 = await send("regenerate (no grace)", "POST", `/admin/clients/${id}/regenerate-secret`);
    const s2: string = regen2.body.client_secret;
    secrets.push({ secret: s2, shownIn: "regenerate (no grace)" });
    stored.set(s2, await storedHash(id));
    const regen2Response = recorded.pop()!;
    expectAbsent([regen2Response], [...(await forbiddenFor(s0)), ...(await forbiddenFor(s1))], "s0/s1 or their hashes");
    await record("data plane replaced secret", await withSecret(id, s1, "/v1/anything"));

    // ---- revoke and what follows ----
    await send("revoke", "POST", `/admin/clients/${id}/revoke`);
    await send("revoke again", "POST", `/admin/clients/${id}/revoke`);
    await send("patch after revoke", "PATCH", `/admin/clients/${id}`, { name: "x" });
    await send("regenerate after revoke", "POST", `/admin/clients/${id}/regenerate-secret`, {});
    await send("get after revoke", "GET", `/admin/clients/${id}`);
    await send("list revoked", "GET", "/admin/clients?status=revoked");
    await record("data plane revoked", await withSecret(id, s2, "/v1/anything"));
    // Later issues' admin reads that name this client (whatever they answer today).
    await send("audit log", "GET", `/admin/audit-log?target_id=${id}`);
    await send("usage", "GET", `/admin/clients/${id}/usage?days=1`);
    await send("openapi", "GET", "/openapi.json");
    await send("docs", "GET", "/docs");

    expect(recorded.length).toBeGreaterThan(40);
    for (const { secret, shownIn } of secrets) {
      expectAbsent(recorded, await forbiddenFor(secret), `the secret shown in "${shownIn}" or its hash`);
    }
    // A looser net: no secret-shaped token of ours at all, in anything recorded after creation.
    for (const r of recorded) {
      for (const { secret } of secrets) expect(r.text.includes(secret.slice(-12)), r.label).toBe(false);
    }
  });

  it("the database stores hashes, never a secret", async () => {
    const rows = await env.DB.prepare("SELECT * FROM clients").all<Record<string, unknown>>();
    expect(rows.results.length).toBeGreaterThan(0);
    const dump = JSON.stringify(rows.results);
    for (const { secret } of secrets) {
      expect(dump).not.toContain(secret);
      expect(dump).not.toContain(secret.slice(8));
    }
    const tables = await env.DB.prepare(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%'",
    ).all<{ name: string }>();
    expect(tables.results.map((t) => t.name)).toContain("clients");
    for (const { name } of tables.results) {
      const all = JSON.stringify((await env.DB.prepare(`SELECT * FROM "${name}"`).all()).results);
      for (const { secret } of secrets) {
        expect(all.includes(secret.slice(8)), `secret in table ${name}`).toBe(false);
        // Only the clients table may hold a secret's hash (audit entries, usage and alerts may not).
        if (name !== "clients") expect(all.includes(await sha256Hex(secret)), `hash in table ${name}`).toBe(false);
      }
    }
  });

  it("no log line written while this happened carries a secret or its hash", async () => {
    const all = logged.join("\n").toLowerCase();
    for (const { secret } of secrets) {
      for (const f of await forbiddenFor(secret)) expect(all.includes(f.toLowerCase())).toBe(false);
    }
  });
});
