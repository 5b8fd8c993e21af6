/**
 * Admin tokens (contract: "Admin tokens and permissions"): creation, the secret shown once,
 * /admin/me, revocation and expiry from the next call, last_used_at, bad input, escalation.
 */
import { describe, expect, it } from "vitest";
import { Credentials, PREFIX } from "../../src/domain/credentials";
import { ADMIN_TOKEN, admin, adminJson, appWithEnv, call, createClient, env, expectError } from "../support/helpers";
import { ISO_UTC } from "../support/admin";
import { newClientId } from "../support/credentials";
import { PERMISSIONS, as, asJson, mintToken, setTokenColumn, storedToken } from "../support/tokens";
import { withIsolateClock } from "../support/clock";

const DAY = 86_400_000;

/** Runs `fn` with the admin plane's clock at `at`. */
const withClock = <T>(at: number, fn: () => Promise<T>): Promise<T> => withIsolateClock({ now: () => at }, fn);

const TOKEN_FIELDS = [
  "client_ids",
  "created_at",
  "created_by",
  "expires_at",
  "id",
  "last_used_at",
  "name",
  "organization_id",
  "permissions",
  "revoked_at",
  "secret_last_four",
].sort();

describe("creating an admin token", () => {
  it("answers 201 {token, secret} once, with no-store; the token has exactly the contract's fields", async () => {
    const before = Date.now();
    const res = await admin("POST", "/admin/tokens", { name: "Support desk", permissions: ["clients:read"] });
    expect(res.status).toBe(201);
    expect(res.headers.get("Cache-Control")).toBe("no-store");
    const { token, secret } = (await res.json()) as any;
    expect(secret).toMatch(/^nafsi_admin_[A-Za-z0-9]{30}$/);
    expect(await (await Credentials.fromKeys([env.CREDENTIAL_TAG_KEY!])).isAdminSecret(secret)).toBe(true);
    expect(Object.keys(token).sort()).toEqual(TOKEN_FIELDS);
    expect(token).toMatchObject({
      name: "Support desk",
      permissions: ["clients:read"],
      client_ids: null,
      organization_id: null,
      last_used_at: null,
      revoked_at: null,
      created_by: "bootstrap",
      secret_last_four: secret.slice(-4),
    });
    expect(token.id).toMatch(/^adt_[A-Za-z0-9]{22}$/);
    expect(token.created_at).toMatch(ISO_UTC);
    // Default lifetime: 90 days.
    const created = Date.parse(token.created_at);
    expect(created).toBeGreaterThanOrEqual(before);
    expect(Date.parse(token.expires_at) - created).toBe(90 * DAY);

    // Never again: GET and the list answer the token without its secret.
    const got = await adminJson("GET", `/admin/tokens/${token.id}`);
    expect(got.status).toBe(200);
    expect(got.body).toEqual({ token });
    expect(got.res.headers.get("Cache-Control")).not.toBe("no-store");
    expect(JSON.stringify(got.body)).not.toContain(secret);
  });

  it("stores only the SHA-256 of the secret", async () => {
    const { id, secret } = await mintToken(["audit:read"]);
    const row = (await storedToken(id))!;
    const hash = [...new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(secret)))]
      .map((b) => b.toString(16).padStart(2, "0"))
      .join("");
    expect(row.secret_hash).toBe(hash);
    expect(JSON.stringify(row)).not.toContain(secret);
  });

  it("takes expires_in_days 1..365, duplicates collapsed, * and client_ids", async () => {
    const client = await createClient();
    for (const days of [1, 365]) {
      const { token } = await mintToken(["clients:read", "clients:read", "usage:read"], {
        expires_in_days: days,
        client_ids: [client.id, client.id],
      });
      expect(Date.parse(token.expires_at) - Date.parse(token.created_at)).toBe(days * DAY);
      expect(token.permissions).toEqual(["clients:read", "usage:read"]);
      expect(token.client_ids).toEqual([client.id]);
    }
    expect((await mintToken(["*"])).token.permissions).toEqual(["*"]);
  });

  it("refuses bad input with 400 invalid_request naming the field", async () => {
    const client = await createClient();
    const other = await Credentials.fromKeys(["not the gateway's key"]);
    const cases: [string, Record<string, unknown>, string][] = [
      ["unknown permission", { permissions: ["clients:delete"] }, "permissions.0"],
      ["unknown permission among known", { permissions: ["clients:read", "admin"] }, "permissions.1"],
      ["empty permission list", { permissions: [] }, "permissions"],
      ["permissions not a list", { permissions: "clients:read" }, "permissions"],
      ["expires_in_days 0", { expires_in_days: 0 }, "expires_in_days"],
      ["expires_in_days 366", { expires_in_days: 366 }, "expires_in_days"],
      ["expires_in_days fractional", { expires_in_days: 1.5 }, "expires_in_days"],
      ["expires_in_days a string", { expires_in_days: "30" }, "expires_in_days"],
      ["malformed client id", { client_ids: ["nafsi_live_nope"] }, "client_ids.0"],
      ["client id under another key", { client_ids: [await other.newClientId("production")] }, "client_ids.0"],
      ["unknown client id", { client_ids: [client.id, await newClientId("sandbox")] }, "client_ids.1"],
      ["empty client_ids", { client_ids: [] }, "client_ids"],
      ["client_ids null", { client_ids: null }, "client_ids"],
      ["no name", { name: undefined }, "name"],
      ["blank name", { name: "  " }, "name"],
      ["unknown field", { role: "owner" }, "role"],
      ["a secret in the body", { secret: "nafsi_admin_x" }, "secret"],
    ];
    for (const [label, fields, field] of cases) {
      const body = { name: "Bad", permissions: ["clients:read"], ...fields };
      const error = await expectError(await admin("POST", "/admin/tokens", body), 400, "invalid_request");
      expect(
        error.details.map((d: any) => d.field),
        label,
      ).toContain(field);
    }
    const tokens = (await adminJson("GET", "/admin/tokens?limit=100")).body.tokens;
    expect(tokens.some((t: any) => t.name === "Bad")).toBe(false);
  });

  it("GET /admin/tokens/{id} of an unknown or made-up id is 404", async () => {
    for (const id of ["adt_doesnotexist0000000000", "x", "nafsi_live_abc"]) {
      await expectError(await admin("GET", `/admin/tokens/${id}`), 404, "not_found");
      await expectError(await admin("POST", `/admin/tokens/${id}/revoke`), 404, "not_found");
    }
  });
});

describe("the list", () => {
  it("is newest first, paged with a cursor, and validates its query", async () => {
    const made = [];
    for (let i = 0; i < 5; i++) made.push((await mintToken(["alerts:read"], { name: `list ${i}` })).id);
    const ids: string[] = [];
    let cursor: string | null = null;
    do {
      const { status, body }: any = await adminJson("GET", `/admin/tokens?limit=2${cursor ? `&cursor=${cursor}` : ""}`);
      expect(status).toBe(200);
      expect(body.tokens.length).toBeLessThanOrEqual(2);
      ids.push(...body.tokens.map((t: any) => t.id));
      cursor = body.next_cursor;
    } while (cursor);
    const positions = made.map((id) => ids.indexOf(id));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => b - a)).toEqual(positions); // newest first
    expect(new Set(ids).size).toBe(ids.length);
    for (const q of ["limit=0", "limit=101", "cursor=zzz", "status=active"]) {
      await expectError(await admin("GET", `/admin/tokens?${q}`), 400, "invalid_request");
    }
  });
});

describe("GET /admin/me", () => {
  it("ADMIN_TOKEN: bootstrap, every permission, no scope, no expiry", async () => {
    const { status, body } = await adminJson("GET", "/admin/me");
    expect(status).toBe(200);
    expect(body).toEqual({
      actor: "bootstrap",
      name: "bootstrap",
      permissions: ["*"],
      client_ids: null,
      organization_id: null,
      organization: null,
      expires_at: null,
    });
  });

  it("an admin token: its id, permissions, client_ids and expiry", async () => {
    const client = await createClient();
    const { id, secret, token } = await mintToken(["usage:read", "alerts:read"], { client_ids: [client.id] });
    const { status, body } = await asJson(secret, "GET", "/admin/me");
    expect(status).toBe(200);
    expect(body).toEqual({
      actor: id,
      name: token.name,
      permissions: ["usage:read", "alerts:read"],
      client_ids: [client.id],
      organization_id: null,
      organization: null,
      expires_at: token.expires_at,
    });
  });
});

describe("revocation and expiry decide the very next call", () => {
  it("revoked: 401 unauthorized from the next call on; revoking again is 200 unchanged", async () => {
    const { id, secret } = await mintToken(["clients:read", "tokens:manage"]);
    expect((await as(secret, "GET", "/admin/clients")).status).toBe(200);
    const first = await adminJson("POST", `/admin/tokens/${id}/revoke`);
    expect(first.status).toBe(200);
    expect(first.body.token.revoked_at).toMatch(ISO_UTC);
    for (const path of ["/admin/clients", "/admin/me", "/admin/tokens"]) {
      await expectError(await as(secret, "GET", path), 401, "unauthorized");
    }
    const again = await adminJson("POST", `/admin/tokens/${id}/revoke`);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
  });

  it("a token can revoke itself, and is refused right after", async () => {
    const { id, secret } = await mintToken(["tokens:manage"]);
    expect((await as(secret, "POST", `/admin/tokens/${id}/revoke`)).status).toBe(200);
    await expectError(await as(secret, "GET", "/admin/me"), 401, "unauthorized");
  });

  it("expired (expires_at passed): 401 unauthorized at once; the list shows it with its expiry", async () => {
    const { id, secret } = await mintToken(["clients:read"]);
    expect((await as(secret, "GET", "/admin/clients")).status).toBe(200);
    const past = Date.now() - 1;
    await setTokenColumn(id, "expires_at", past);
    await expectError(await as(secret, "GET", "/admin/clients"), 401, "unauthorized");
    await expectError(await as(secret, "GET", "/admin/me"), 401, "unauthorized");
    expect((await adminJson("GET", `/admin/tokens/${id}`)).body.token.expires_at).toBe(new Date(past).toISOString());
    // Moving the expiry back into the future brings it back: the check is the stored row, per call.
    await setTokenColumn(id, "expires_at", Date.now() + DAY);
    expect((await as(secret, "GET", "/admin/clients")).status).toBe(200);
  });

  it("expiry by the clock: valid a moment before expires_at, 401 from expires_at on", async () => {
    const { secret, token } = await mintToken(["clients:read"], { expires_in_days: 1 });
    const expiresAt = Date.parse(token.expires_at);
    const app = appWithEnv({});
    const status = async (at: number) =>
      withClock(
        at,
        async () => (await app.fetch("/admin/me", { headers: { Authorization: `Bearer ${secret}` } })).status,
      );
    expect(await status(expiresAt - 1)).toBe(200);
    expect(await status(expiresAt)).toBe(401);
    expect(await status(expiresAt + 30 * DAY)).toBe(401);
    await app.settle();
  });

  it("made-up, mistyped or foreign-key admin secrets are 401 without any D1 read", async () => {
    const { secret } = await mintToken(["clients:read"]);
    const other = await Credentials.fromKeys(["not the gateway's key"]);
    const forged = [
      PREFIX.adminSecret + "A".repeat(30),
      secret.slice(0, -1) + (secret.endsWith("A") ? "B" : "A"),
      secret.slice(0, 20) + (secret[20] === "A" ? "B" : "A") + secret.slice(21),
      await other.newAdminSecret(),
      secret + "x",
      PREFIX.adminSecret,
    ];
    let reads = 0;
    const db = new Proxy(env.DB, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver);
        if (typeof value !== "function") return value;
        return (...args: unknown[]) => {
          reads++;
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
    const app = appWithEnv({ DB: db });
    for (const value of forged) {
      const res = await app.fetch("/admin/clients", { headers: { Authorization: `Bearer ${value}` } });
      await expectError(res, 401, "unauthorized");
    }
    await app.settle();
    expect(reads).toBe(0);
    // The real one through the same app does read D1 (the counter works).
    expect((await app.fetch("/admin/me", { headers: { Authorization: `Bearer ${secret}` } })).status).toBe(200);
    await app.settle();
    expect(reads).toBeGreaterThan(0);
  });

  it("the bootstrap ADMIN_TOKEN keeps working as the owner", async () => {
    const res = await call("/admin/tokens", { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(res.status).toBe(200);
  });
});

describe("last_used_at", () => {
  it("is null until used, then set; a call within the minute writes nothing; a call after it moves it", async () => {
    const { id, secret, token } = await mintToken(["clients:read"]);
    expect(token.last_used_at).toBeNull();
    const app = appWithEnv({});
    const use = async () => {
      const res = await app.fetch("/admin/clients", { headers: { Authorization: `Bearer ${secret}` } });
      expect(res.status).toBe(200);
      await app.settle();
    };
    const before = Date.now();
    await use();
    const first = (await storedToken(id))!.last_used_at as number;
    expect(first).toBeGreaterThanOrEqual(before);
    expect((await adminJson("GET", `/admin/tokens/${id}`)).body.token.last_used_at).toBe(new Date(first).toISOString());

    // Within the minute: no write (this isolate, and any other, sees a recent value).
    await use();
    await use();
    expect((await storedToken(id))!.last_used_at).toBe(first);

    // Even when the stored value looks old, this isolate knows it wrote less than a minute ago.
    await setTokenColumn(id, "last_used_at", first - 61_000);
    await use();
    expect((await storedToken(id))!.last_used_at).toBe(first - 61_000);

    // A minute later: written again.
    const later = Date.now() + 61_000;
    await withClock(later, use);
    expect((await storedToken(id))!.last_used_at).toBe(later);
  });

  it("never moves back", async () => {
    const { id, secret } = await mintToken(["clients:read"]);
    const future = Date.now() + DAY;
    await setTokenColumn(id, "last_used_at", future);
    const app = appWithEnv({});
    await app.fetch("/admin/me", { headers: { Authorization: `Bearer ${secret}` } });
    await app.settle();
    expect((await storedToken(id))!.last_used_at).toBe(future);
  });
});

describe("no escalation", () => {
  it("permissions must be a subset of the creator's: otherwise 403 forbidden naming the one it lacks", async () => {
    const { secret } = await mintToken(["tokens:manage", "clients:read"]);
    for (const [permissions, missing] of [
      [["clients:write"], "clients:write"],
      [["clients:read", "audit:read"], "audit:read"],
      [["*"], "*"],
    ] as const) {
      const error = await expectError(
        await as(secret, "POST", "/admin/tokens", { name: "Up", permissions }),
        403,
        "forbidden",
      );
      expect(error.missing_permission).toBe(missing);
    }
    for (const permissions of [["clients:read"], ["tokens:manage"], ["tokens:manage", "clients:read"]]) {
      expect((await as(secret, "POST", "/admin/tokens", { name: "Same or less", permissions })).status).toBe(201);
    }
  });

  it("even holding every named permission, * needs *", async () => {
    const { secret } = await mintToken([...PERMISSIONS]);
    await expectError(await as(secret, "POST", "/admin/tokens", { name: "All", permissions: ["*"] }), 403, "forbidden");
    expect((await as(secret, "POST", "/admin/tokens", { name: "All", permissions: [...PERMISSIONS] })).status).toBe(
      201,
    );
  });

  it("a scoped creator: client_ids within its own (unscoped or foreign is 403); created_by is the creator", async () => {
    const [a, b, c] = [await createClient(), await createClient(), await createClient()];
    const creator = await mintToken(["tokens:manage", "clients:read"], { client_ids: [a.id, b.id] });
    const post = (body: Record<string, unknown>) =>
      as(creator.secret, "POST", "/admin/tokens", { name: "Child", permissions: ["clients:read"], ...body });
    await expectError(await post({}), 403, "forbidden");
    await expectError(await post({ client_ids: [c.id] }), 403, "forbidden");
    await expectError(await post({ client_ids: [a.id, c.id] }), 403, "forbidden");
    // A client outside its scope that does not exist is refused the same way: nothing is revealed.
    await expectError(await post({ client_ids: [await newClientId("production")] }), 403, "forbidden");
    // A malformed one is still a plain 400.
    await expectError(await post({ client_ids: ["nope"] }), 400, "invalid_request");
    for (const ids of [[a.id], [b.id, a.id]]) {
      const res = await post({ client_ids: ids });
      expect(res.status).toBe(201);
      const { token } = (await res.json()) as any;
      expect(token.client_ids).toEqual(ids);
      expect(token.created_by).toBe(creator.id);
    }
  });

  it("an unscoped creator may scope to any existing clients", async () => {
    const a = await createClient();
    const creator = await mintToken(["tokens:manage", "clients:read"]);
    const res = await as(creator.secret, "POST", "/admin/tokens", {
      name: "Scoped",
      permissions: ["clients:read"],
      client_ids: [a.id],
    });
    expect(res.status).toBe(201);
  });
});

describe("no token outlives its creator", () => {
  const post = (secret: string, days: number) =>
    as(secret, "POST", "/admin/tokens", {
      name: `Child ${days}`,
      permissions: ["clients:read"],
      expires_in_days: days,
    });

  it("a 1-day token cannot make a 365-day one (403, nothing created), but can make a 1-day one", async () => {
    const creator = await mintToken(["tokens:manage", "clients:read"], { expires_in_days: 1 });
    const before = (await adminJson("GET", "/admin/tokens?limit=100")).body.tokens.length;
    for (const days of [365, 2]) {
      const error = await expectError(await post(creator.secret, days), 403, "forbidden");
      expect(error.message).toContain(creator.token.expires_at);
      expect(error.missing_permission).toBeUndefined();
    }
    expect((await adminJson("GET", "/admin/tokens?limit=100")).body.tokens.length).toBe(before);
    const res = await post(creator.secret, 1);
    expect(res.status).toBe(201);
    const { token } = (await res.json()) as any;
    expect(Date.parse(token.expires_at)).toBeLessThanOrEqual(Date.parse(creator.token.expires_at) + 60_000);
  });

  it("the minute's slack is a minute: two minutes on, a 1-day token can no longer make a 1-day one", async () => {
    const creator = await mintToken(["tokens:manage", "clients:read"], { expires_in_days: 1 });
    const createdAt = Date.parse(creator.token.created_at);
    const app = appWithEnv({});
    const status = (at: number) =>
      withClock(
        at,
        async () =>
          (
            await app.fetch("/admin/tokens", {
              method: "POST",
              headers: { Authorization: `Bearer ${creator.secret}`, "Content-Type": "application/json" },
              body: JSON.stringify({ name: "Late child", permissions: ["clients:read"], expires_in_days: 1 }),
            })
          ).status,
      );
    expect(await status(createdAt + 59_000)).toBe(201);
    expect(await status(createdAt + 120_000)).toBe(403);
    await app.settle();
  });

  it("ADMIN_TOKEN never expires: it may make a token of any lifetime", async () => {
    expect((await post(ADMIN_TOKEN, 365)).status).toBe(201);
  });
});

describe("a token revokes only tokens it could have created", () => {
  it("a scoped tokens:manage token cannot revoke a * token of the same scope (403, still valid)", async () => {
    const client = await createClient();
    const manager = await mintToken(["tokens:manage", "clients:read"], { client_ids: [client.id] });
    const wider = await mintToken(["*"], { client_ids: [client.id] });
    const error = await expectError(
      await as(manager.secret, "POST", `/admin/tokens/${wider.id}/revoke`),
      403,
      "forbidden",
    );
    expect(error.missing_permission).toBe("*");
    expect((await storedToken(wider.id))!.revoked_at).toBeNull();
    expect((await as(wider.secret, "GET", "/admin/me")).status).toBe(200);
  });

  it("nor one holding a permission it lacks, nor one that outlives it; a narrower one it may", async () => {
    const manager = await mintToken(["tokens:manage", "clients:read"], { expires_in_days: 30 });
    const writer = await mintToken(["clients:write"], { expires_in_days: 1 });
    const longer = await mintToken(["clients:read"], { expires_in_days: 90 });
    const narrower = await mintToken(["clients:read"], { expires_in_days: 1 });
    const missing = await expectError(
      await as(manager.secret, "POST", `/admin/tokens/${writer.id}/revoke`),
      403,
      "forbidden",
    );
    expect(missing.missing_permission).toBe("clients:write");
    await expectError(await as(manager.secret, "POST", `/admin/tokens/${longer.id}/revoke`), 403, "forbidden");
    for (const refused of [writer, longer]) {
      expect((await storedToken(refused.id))!.revoked_at).toBeNull();
      expect((await as(refused.secret, "GET", "/admin/me")).status).toBe(200);
    }
    const revoked = await as(manager.secret, "POST", `/admin/tokens/${narrower.id}/revoke`);
    expect(revoked.status).toBe(200);
    await expectError(await as(narrower.secret, "GET", "/admin/me"), 401, "unauthorized");
  });

  it("ADMIN_TOKEN revokes any token", async () => {
    const client = await createClient();
    const tokens = [
      await mintToken(["*"]),
      await mintToken(["*"], { client_ids: [client.id], expires_in_days: 365 }),
      await mintToken(["tokens:manage"], { expires_in_days: 1 }),
    ];
    for (const { id, secret } of tokens) {
      expect((await adminJson("POST", `/admin/tokens/${id}/revoke`)).status).toBe(200);
      await expectError(await as(secret, "GET", "/admin/me"), 401, "unauthorized");
    }
  });
});

describe("an ADMIN_TOKEN that looks like an admin token secret", () => {
  it("is still the bootstrap owner (and other nafsi_admin_ values are still checked as tokens)", async () => {
    const bootstrap = "nafsi_admin_e2e" + "0123456789abcdef".repeat(3);
    const app = appWithEnv({ ADMIN_TOKEN: bootstrap });
    const me = await app.fetch("/admin/me", { headers: { Authorization: `Bearer ${bootstrap}` } });
    expect(me.status).toBe(200);
    expect(((await me.json()) as any).actor).toBe("bootstrap");
    const { secret, id } = await mintToken(["clients:read"]);
    const token = await app.fetch("/admin/me", { headers: { Authorization: `Bearer ${secret}` } });
    expect(((await token.json()) as any).actor).toBe(id);
    await expectError(
      await app.fetch("/admin/me", { headers: { Authorization: `Bearer ${bootstrap}x` } }),
      401,
      "unauthorized",
    );
    await app.settle();
  });
});
