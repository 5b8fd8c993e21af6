/**
 * Refresh tokens (RFC 8725): forged or altered tokens are refused at the edge even when both KV
 * and D1 hold them (so no fallback can rescue them), verifyRefreshToken on its own, and signing-key
 * rotation with TOKEN_SIGNING_KEY_PREVIOUS.
 *
 * Each forgery keeps everything else right, including the workflow's current `jti` and secret
 * version, so the client's Durable Object would admit it: only the edge's check under test stands
 * between it and a 200.
 */
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { SignJWT, decodeJwt, decodeProtectedHeader } from "jose";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app";
import { mintRefreshToken, verifyRefreshToken } from "../../src/domain/refresh-token";
import { BASE, createClient, createWorkflow, env, patchWorkflow, regenerateSecret } from "../support/helpers";
import {
  currentToken,
  kvToken,
  plantToken,
  unsignedJwt,
  withEditedPayload,
  workflowOutcome,
} from "../support/workflows";

const KEY = "test-signing-key-0123456789abcdef0123456789abcdef";
const OTHER_KEY = "another-signing-key-fedcba9876543210fedcba9876543210";
const bytes = (key: string) => new TextEncoder().encode(key);

interface Parts {
  header: Record<string, any>;
  claims: Record<string, any>;
}

/** A JWT signed with HMAC over `key`, header and claims exactly as given. */
async function sign({ header, claims }: Parts, key = KEY, alg = "HS256"): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ ...header, alg }).sign(bytes(key));
}

/** The ways to forge or alter a token, from a real token's header and claims. */
const FORGERIES: [string, (p: Parts) => Promise<string> | string][] = [
  ["alg none (unsigned)", (p) => unsignedJwt(p.header, p.claims)],
  ["alg none with a copied signature", async (p) => unsignedJwt(p.header, p.claims) + (await sign(p)).split(".")[2]],
  ["signed with another key (real kid)", (p) => sign(p, OTHER_KEY)],
  ["signed with another key (no kid)", (p) => sign({ header: { typ: p.header.typ }, claims: p.claims }, OTHER_KEY)],
  ["HS512 with the real key", (p) => sign(p, KEY, "HS512")],
  ["HS384 with the real key", (p) => sign(p, KEY, "HS384")],
  ["wrong aud", (p) => sign({ ...p, claims: { ...p.claims, aud: "someone-else" } })],
  ["no aud", (p) => sign({ ...p, claims: { ...p.claims, aud: undefined } })],
  ["wrong iss", (p) => sign({ ...p, claims: { ...p.claims, iss: "evil-gateway" } })],
  ["wrong typ (JWT)", (p) => sign({ ...p, header: { ...p.header, typ: "JWT" } })],
  ["no typ", (p) => sign({ ...p, header: { kid: p.header.kid } })],
  ["an access-token typ", (p) => sign({ ...p, header: { ...p.header, typ: "at+jwt" } })],
  ["sv as a string", (p) => sign({ ...p, claims: { ...p.claims, sv: String(p.claims.sv) } })],
  ["no jti", (p) => sign({ ...p, claims: { ...p.claims, jti: undefined } })],
];

describe("forged or altered tokens in KV and D1 are refused at the edge (401)", () => {
  it("control: the real token written back into KV and D1 is admitted", async () => {
    const client = await createClient();
    const wf = await createWorkflow(client);
    const { token } = await currentToken(wf.id);
    await plantToken(wf.id, token);
    expect(await workflowOutcome(client.id, wf.id)).toBe("ok");
    // And a token signed here exactly like the gateway's would be admitted too (so the forgeries below differ only in the one point).
    const { header, claims } = await currentToken(wf.id);
    await plantToken(wf.id, await sign({ header, claims }));
    expect(await workflowOutcome(client.id, wf.id)).toBe("ok");
  });

  it.each(FORGERIES)("%s", async (_label, forge) => {
    const client = await createClient();
    const wf = await createWorkflow(client);
    const { header, claims } = await currentToken(wf.id);
    await plantToken(wf.id, await forge({ header, claims }));
    expect(await workflowOutcome(client.id, wf.id)).toBe("401 invalid_credentials");
    // Twice: nothing cached from the first refusal admits the second.
    expect(await workflowOutcome(client.id, wf.id)).toBe("401 invalid_credentials");
  });

  it("an edited claim (sub and jti of another workflow of the client), signature kept", async () => {
    const client = await createClient();
    const a = await createWorkflow(client);
    const b = await createWorkflow(client);
    const ta = await currentToken(a.id);
    const tb = await currentToken(b.id);
    await plantToken(b.id, withEditedPayload(ta.token, { ...ta.claims, sub: b.id, jti: tb.claims.jti }));
    expect(await workflowOutcome(client.id, b.id)).toBe("401 invalid_credentials");
    expect(await workflowOutcome(client.id, a.id)).toBe("ok");
  });

  it("an edited claim (sv raised to the current version after a regeneration), signature kept", async () => {
    const client = await createClient();
    const wf = await createWorkflow(client);
    const { token, claims } = await currentToken(wf.id);
    await regenerateSecret(client.id, 0);
    expect(await workflowOutcome(client.id, wf.id)).toBe("401 workflow_token_invalidated");
    await plantToken(wf.id, withEditedPayload(token, { ...claims, sv: claims.sv + 1 }));
    expect(await workflowOutcome(client.id, wf.id)).toBe("401 invalid_credentials");
  });

  it("the same payload re-encoded (signature kept, claims equal but bytes differ)", async () => {
    const client = await createClient();
    const wf = await createWorkflow(client);
    const { token, claims } = await currentToken(wf.id);
    const reordered = Object.fromEntries(Object.entries(claims).reverse());
    await plantToken(wf.id, withEditedPayload(token, reordered));
    expect(await workflowOutcome(client.id, wf.id)).toBe("401 invalid_credentials");
  });

  it("a valid token of another workflow of the same client", async () => {
    const client = await createClient();
    const a = await createWorkflow(client);
    const b = await createWorkflow(client);
    await plantToken(b.id, (await currentToken(a.id)).token);
    expect(await workflowOutcome(client.id, b.id)).toBe("401 invalid_credentials");
    expect(await workflowOutcome(client.id, a.id)).toBe("ok");
  });

  it("a valid token of another client's workflow", async () => {
    const mine = await createClient();
    const theirs = await createClient();
    const wf = await createWorkflow(mine);
    const foreign = await createWorkflow(theirs);
    await plantToken(wf.id, (await currentToken(foreign.id)).token);
    expect(await workflowOutcome(mine.id, wf.id)).toBe("401 invalid_credentials");
    // Nor does the foreign token let the other client in through this workflow.
    expect(await workflowOutcome(theirs.id, wf.id)).toBe("401 invalid_credentials");
  });

  it("a token signed with the real key for this workflow but naming another client (cid)", async () => {
    const mine = await createClient();
    const theirs = await createClient();
    const wf = await createWorkflow(mine);
    const { header, claims } = await currentToken(wf.id);
    await plantToken(wf.id, await sign({ header, claims: { ...claims, cid: theirs.id } }));
    expect(await workflowOutcome(mine.id, wf.id)).toBe("401 invalid_credentials");
    expect(await workflowOutcome(theirs.id, wf.id)).toBe("401 invalid_credentials");
  });

  it("the workflow's own token from before a re-key (right key and claims, superseded jti)", async () => {
    const client = await createClient();
    const wf = await createWorkflow(client);
    const old = await currentToken(wf.id);
    await patchWorkflow(wf.id, { client_secret: client.secret });
    await plantToken(wf.id, old.token);
    expect(await workflowOutcome(client.id, wf.id)).toBe("401 invalid_credentials");
  });

  it("garbage, an empty string or a truncated token", async () => {
    const client = await createClient();
    const wf = await createWorkflow(client);
    const { token } = await currentToken(wf.id);
    for (const bad of ["not-a-jwt", "a.b.c", token.slice(0, -5), token.split(".").slice(0, 2).join(".")]) {
      await plantToken(wf.id, bad);
      expect(await workflowOutcome(client.id, wf.id), bad).toBe("401 invalid_credentials");
    }
  });
});

describe("verifyRefreshToken", () => {
  const keys = { TOKEN_SIGNING_KEY: KEY };
  const claimsIn = { workflowId: "wf_unit", clientId: "nafsi_live_unit", secretVersion: 3 };

  async function minted(key = KEY): Promise<{ token: string; parts: Parts; tokenId: string }> {
    const { token, tokenId } = await mintRefreshToken({ TOKEN_SIGNING_KEY: key }, claimsIn, Date.now());
    return { token, tokenId, parts: { header: decodeProtectedHeader(token), claims: decodeJwt(token) } };
  }

  it("returns the claims of a token it minted, with the pinned header and registered claims", async () => {
    const before = Date.now();
    const { token, tokenId, parts } = await minted();
    expect(parts.header).toEqual({ alg: "HS256", typ: "nafsi-rt+jwt", kid: expect.any(String) });
    expect(parts.claims).toMatchObject({
      iss: "nafsi-gateway",
      aud: "nafsi-gateway/v1",
      sub: "wf_unit",
      cid: "nafsi_live_unit",
      sv: 3,
      jti: tokenId,
    });
    expect(parts.claims.iat).toBeGreaterThanOrEqual(Math.floor(before / 1000));
    const claims = await verifyRefreshToken(keys, token);
    expect(claims).toEqual({
      workflowId: "wf_unit",
      clientId: "nafsi_live_unit",
      secretVersion: 3,
      tokenId,
      issuedAt: parts.claims.iat * 1000,
    });
  });

  it("the kid names the key without revealing it, and differs between keys", async () => {
    const a = await minted(KEY);
    const b = await minted(OTHER_KEY);
    expect(a.parts.header.kid).not.toBe(b.parts.header.kid);
    expect(KEY).not.toContain(a.parts.header.kid);
    expect(JSON.stringify(a.parts)).not.toContain(KEY);
  });

  it.each(FORGERIES)("null for: %s", async (_label, forge) => {
    const { parts } = await minted();
    expect(await verifyRefreshToken(keys, await forge(parts))).toBeNull();
  });

  it("null for an edited claim with the signature kept", async () => {
    const { token, parts } = await minted();
    for (const edit of [{ sub: "wf_other" }, { cid: "nafsi_live_other" }, { sv: 4 }, { jti: "rt_other" }]) {
      expect(
        await verifyRefreshToken(keys, withEditedPayload(token, { ...parts.claims, ...edit })),
        JSON.stringify(edit),
      ).toBeNull();
    }
  });

  it("null for garbage, never a throw", async () => {
    for (const bad of ["", "x", "a.b.c", "eyJhbGciOiJub25lIn0.e30.", "..", "e30.e30.e30"]) {
      expect(await verifyRefreshToken(keys, bad), bad).toBeNull();
    }
  });

  it("TOKEN_SIGNING_KEY_PREVIOUS verifies a token of the old key during a rotation; without it the token is refused", async () => {
    const { token, tokenId } = await minted(OTHER_KEY);
    const rotated = { TOKEN_SIGNING_KEY: KEY, TOKEN_SIGNING_KEY_PREVIOUS: OTHER_KEY };
    expect(await verifyRefreshToken(rotated, token)).toMatchObject({
      workflowId: "wf_unit",
      tokenId,
      secretVersion: 3,
    });
    expect(await verifyRefreshToken({ TOKEN_SIGNING_KEY: KEY }, token)).toBeNull();
    // Tokens of the new key verify during the rotation too, and after it.
    const fresh = await minted(KEY);
    expect(await verifyRefreshToken(rotated, fresh.token)).toMatchObject({ tokenId: fresh.tokenId });
    expect(await verifyRefreshToken({ TOKEN_SIGNING_KEY: KEY }, fresh.token)).toMatchObject({ tokenId: fresh.tokenId });
  });

  it("during a rotation, a token signed with one key but carrying the other key's kid is refused", async () => {
    const rotated = { TOKEN_SIGNING_KEY: KEY, TOKEN_SIGNING_KEY_PREVIOUS: OTHER_KEY };
    const oldToken = await minted(OTHER_KEY);
    const newToken = await minted(KEY);
    expect(
      await verifyRefreshToken(rotated, await sign({ ...oldToken.parts, header: newToken.parts.header }, OTHER_KEY)),
    ).toBeNull();
    expect(
      await verifyRefreshToken(rotated, await sign({ ...newToken.parts, header: oldToken.parts.header }, KEY)),
    ).toBeNull();
  });

  it("mintRefreshToken and verifyRefreshToken refuse to run without a signing key", async () => {
    await expect(mintRefreshToken({ TOKEN_SIGNING_KEY: "" }, claimsIn, Date.now())).rejects.toThrow(
      /TOKEN_SIGNING_KEY/,
    );
    const { token } = await minted();
    await expect(verifyRefreshToken({ TOKEN_SIGNING_KEY: undefined }, token)).rejects.toThrow(/TOKEN_SIGNING_KEY/);
  });
});

describe("signing-key rotation at the edge", () => {
  /** The app with the edge's signing keys replaced (the Durable Object keeps the configured key). */
  async function edgeCall(overrides: Partial<Env>, clientId: string, workflowId: string): Promise<Response> {
    const app = createApp();
    const ctx = createExecutionContext();
    const res = await app.fetch(
      new Request(`${BASE}/v1/anything`, { headers: { "X-Client-ID": clientId, "X-Workflow-ID": workflowId } }),
      { ...env, ...overrides },
      ctx,
    );
    await waitOnExecutionContext(ctx);
    return res;
  }

  it("a workflow minted with the old key keeps working when the old key is TOKEN_SIGNING_KEY_PREVIOUS, and not without it", async () => {
    expect(env.TOKEN_SIGNING_KEY).toBe(KEY);
    const client = await createClient();
    const wf = await createWorkflow(client);
    const token = await kvToken(wf.id);
    const during = await edgeCall({ TOKEN_SIGNING_KEY: OTHER_KEY, TOKEN_SIGNING_KEY_PREVIOUS: KEY }, client.id, wf.id);
    expect(during.status, await during.clone().text()).toBe(200);
    expect(await during.json()).toMatchObject({ workflow_id: wf.id });
    const after = await edgeCall(
      { TOKEN_SIGNING_KEY: OTHER_KEY, TOKEN_SIGNING_KEY_PREVIOUS: undefined },
      client.id,
      wf.id,
    );
    expect(after.status).toBe(401);
    expect(await after.json()).toMatchObject({ error: { code: "invalid_credentials" } });
    // Neither call replaced the stored token.
    expect(await kvToken(wf.id)).toBe(token);
  });

  it("without any signing key the edge answers 503 service_unavailable rather than admitting", async () => {
    const client = await createClient();
    const wf = await createWorkflow(client);
    const res = await edgeCall({ TOKEN_SIGNING_KEY: undefined }, client.id, wf.id);
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ error: { code: "service_unavailable" } });
  });
});
