/**
 * No admin response (body or header) ever carries a refresh token (any JWT), a client secret or
 * its SHA-256 hex (contract "Identifiers and secrets", "Management API": "The refresh token
 * itself is never returned").
 */
import { describe, expect, it } from "vitest";
import { admin, createClient, sha256HexOf, withWorkflow } from "../support/helpers";
import { JWT_PATTERN, d1Token } from "../support/workflows";

interface Recorded {
  call: string;
  status: number;
  text: string;
}

/** Every admin call of a scenario, with its whole response (status line, headers, body) as text. */
class Recorder {
  readonly responses: Recorded[] = [];

  async call(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
    const res = await admin(method, path, body);
    const text = await res.text();
    const headers = [...res.headers].map(([k, v]) => `${k}: ${v}`).join("\n");
    this.responses.push({ call: `${method} ${path}`, status: res.status, text: `${headers}\n\n${text}` });
    return { status: res.status, body: text ? JSON.parse(text) : null };
  }

  /** Each needle, in the forms it could leak in (as is, upper-case hex, JSON-escaped). */
  expectNone(needles: string[]): void {
    for (const r of this.responses) {
      const match = r.text.match(JWT_PATTERN);
      expect(match, `${r.call} (${r.status}) contains a JWT`).toBeNull();
      for (const needle of needles) {
        for (const form of new Set([needle, needle.toUpperCase(), JSON.stringify(needle).slice(1, -1)])) {
          expect(r.text.includes(form), `${r.call} (${r.status}) contains ${needle.slice(0, 12)}…`).toBe(false);
        }
      }
    }
  }
}

describe("no admin response leaks a token or a secret", () => {
  it("a workflow's whole lifecycle: create, list, get, patch, re-key, errors, regeneration, revocation", async () => {
    const rec = new Recorder();
    const client = await createClient();
    const sandbox = await createClient({ environment: "sandbox" });
    const secrets = [client.secret, sandbox.secret];

    const created = await rec.call("POST", "/admin/workflows", {
      client_id: client.id,
      client_secret: client.secret,
      name: "Checkout",
      allowed_origins: ["https://app.example.com"],
    });
    expect(created.status).toBe(201);
    const id = created.body.workflow.id;
    const second = await rec.call("POST", "/admin/workflows", {
      client_id: client.id,
      client_secret: client.secret,
      name: "Second",
    });
    expect(second.status).toBe(201);

    expect((await rec.call("GET", `/admin/workflows?client_id=${client.id}`)).status).toBe(200);
    const paged = await rec.call("GET", `/admin/workflows?client_id=${client.id}&limit=1`);
    expect(paged.body.next_cursor).not.toBeNull();
    expect(
      (await rec.call("GET", `/admin/workflows?client_id=${client.id}&limit=1&cursor=${paged.body.next_cursor}`))
        .status,
    ).toBe(200);
    expect((await rec.call("GET", "/admin/workflows")).status).toBe(200);
    expect((await rec.call("GET", `/admin/workflows/${id}`)).status).toBe(200);
    expect((await rec.call("PATCH", `/admin/workflows/${id}`, { name: "Renamed", status: "inactive" })).status).toBe(
      200,
    );
    expect((await rec.call("PATCH", `/admin/workflows/${id}`, { status: "active", allowed_origins: [] })).status).toBe(
      200,
    );
    expect((await rec.call("PATCH", `/admin/workflows/${id}`, { client_secret: client.secret })).status).toBe(200);
    expect((await rec.call("GET", `/admin/workflows/${id}`)).status).toBe(200);

    // Refusals that carried a secret in the request.
    expect((await rec.call("PATCH", `/admin/workflows/${id}`, { client_secret: ` ${client.secret}\n` })).status).toBe(
      400,
    );
    expect((await rec.call("PATCH", `/admin/workflows/${id}`, { client_secret: sandbox.secret })).status).toBe(400);
    expect(
      (
        await rec.call("POST", "/admin/workflows", {
          client_id: client.id,
          // One character changed (never to itself: a secret may end in "x").
          client_secret: client.secret.slice(0, -1) + (client.secret.endsWith("x") ? "y" : "x"),
          name: "W",
        })
      ).status,
    ).toBe(400);
    expect(
      (await rec.call("POST", "/admin/workflows", { client_id: sandbox.id, client_secret: client.secret, name: "W" }))
        .status,
    ).toBe(400);
    expect(
      (
        await rec.call("POST", "/admin/workflows", {
          client_id: client.id,
          client_secret: client.secret,
          name: "W",
          x: 1,
        })
      ).status,
    ).toBe(400);
    expect(
      (await rec.call("PATCH", `/admin/workflows/${id}`, { client_id: client.id, client_secret: client.secret }))
        .status,
    ).toBe(400);
    expect(
      (await rec.call("PATCH", `/admin/workflows/${id}`, { client_secret: 12345, refresh_token: "x" })).status,
    ).toBe(400);

    // The client's own calls (its secret-bearing regenerate answer aside) and a re-key with the new secret.
    expect((await rec.call("GET", `/admin/clients/${client.id}`)).status).toBe(200);
    const regen = await admin("POST", `/admin/clients/${client.id}/regenerate-secret`, { grace_period_seconds: 60 });
    expect(regen.status).toBe(200);
    const regenBody = (await regen.json()) as any;
    const newSecret: string = regenBody.client_secret;
    expect(JSON.stringify(regenBody)).not.toMatch(JWT_PATTERN);
    const replaced = await rec.call("PATCH", `/admin/workflows/${id}`, { client_secret: client.secret });
    expect(replaced.status).toBe(400);
    expect((await rec.call("PATCH", `/admin/workflows/${id}`, { client_secret: newSecret })).status).toBe(200);
    expect((await rec.call("GET", `/admin/clients/${client.id}`)).status).toBe(200);
    expect((await rec.call("GET", "/admin/clients")).status).toBe(200);
    expect((await rec.call("POST", `/admin/clients/${client.id}/revoke`)).status).toBe(200);
    expect((await rec.call("GET", `/admin/workflows?client_id=${client.id}`)).status).toBe(200);
    expect((await rec.call("PATCH", `/admin/workflows/${id}`, { client_secret: newSecret })).status).toBe(409);
    expect(
      (await rec.call("POST", "/admin/workflows", { client_id: client.id, client_secret: newSecret, name: "W" }))
        .status,
    ).toBe(409);

    // What must not appear anywhere: the secrets and their hashes, and the stored tokens themselves.
    const tokens = [await d1Token(id), await d1Token(second.body.workflow.id)].filter((t): t is string => t !== null);
    expect(tokens).toHaveLength(2);
    const allSecrets = [...secrets, newSecret];
    const hashes = await Promise.all(allSecrets.map(sha256HexOf));
    expect(rec.responses.length).toBeGreaterThan(25);
    rec.expectNone([...allSecrets, ...hashes, ...tokens, ...tokens.map((t) => t.split(".")[2]!)]);
  });

  it("no data-plane answer for a workflow carries its token either", async () => {
    const client = await createClient({ rate_limit: 2 });
    const res = await admin("POST", "/admin/workflows", {
      client_id: client.id,
      client_secret: client.secret,
      name: "W",
      allowed_origins: ["https://a.example.com"],
    });
    const id = ((await res.json()) as any).workflow.id;
    const token = (await d1Token(id))!;
    const texts: string[] = [];
    for (const origin of [
      "https://a.example.com",
      "https://b.example.com",
      "https://a.example.com",
      "https://a.example.com",
    ]) {
      const r = await withWorkflow(client.id, id, "/v1/anything", { headers: { Origin: origin } });
      texts.push(`${r.status}\n${[...r.headers].map(([k, v]) => `${k}: ${v}`).join("\n")}\n\n${await r.text()}`);
    }
    expect(texts.map((t) => t.split("\n")[0])).toEqual(["200", "403", "200", "429"]);
    for (const text of texts) {
      expect(text).not.toMatch(JWT_PATTERN);
      expect(text).not.toContain(token.split(".")[2]);
    }
  });

  it("the scan itself catches a leak (a response carrying a JWT or a secret fails it)", async () => {
    const rec = new Recorder();
    rec.responses.push({ call: "fake", status: 200, text: '{"t":"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.abc"}' });
    expect(() => rec.expectNone([])).toThrow();
    const secretRec = new Recorder();
    secretRec.responses.push({ call: "fake", status: 200, text: "secret sk_live_abc" });
    expect(() => secretRec.expectNone(["sk_live_abc"])).toThrow();
    const hashRec = new Recorder();
    hashRec.responses.push({ call: "fake", status: 200, text: "ABCDEF0123" });
    expect(() => hashRec.expectNone(["abcdef0123"])).toThrow();
  });
});
