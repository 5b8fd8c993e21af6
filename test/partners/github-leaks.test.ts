/**
 * POST /leaks/github (contract "Secret hygiene"): GitHub's signed leak reports. Signatures are made
 * in the test with a key pair it generates; every binding is counted where "nothing is touched"
 * is the claim, so it is measured rather than assumed.
 */
import { describe, expect, it } from "vitest";
import { counted, type Calls } from "../support/counting";
import { Credentials, PREFIX } from "../../src/domain/credentials";
import { newClientSecret } from "../support/credentials";
import {
  adminJson,
  alertsOf,
  call,
  callWithEnv,
  createClient,
  createWorkflow,
  env,
  errorCode,
  expectError,
  flushUsage,
  patchAuthorityEnv,
  regenerateSecret,
  sha256HexOf,
  withSecret,
  withWorkflow,
} from "../support/helpers";
import { setObjectClock } from "../support/clock";
import { type ScanningKey, keyDocument, newScanningKey, report, reported, sign, signedRequest } from "../support/leaks";
import { hasPaddedInteger, malformedVariants } from "../support/der-variants";

const countingBindings = (calls: Calls) => ({
  DB: counted(env.DB, "DB", calls),
  TOKEN_CACHE: counted(env.TOKEN_CACHE, "KV", calls),
  CLIENT_AUTHORITY: counted(env.CLIENT_AUTHORITY, "DO", calls),
});

async function auditOf(targetId: string): Promise<any[]> {
  const { status, body } = await adminJson("GET", `/admin/audit-log?target_id=${targetId}&limit=100`);
  expect(status).toBe(200);
  return body.entries;
}

async function clientOf(id: string): Promise<any> {
  const { status, body } = await adminJson("GET", `/admin/clients/${id}`);
  expect(status).toBe(200);
  return body.client;
}

async function feedback(res: Response): Promise<any[]> {
  const text = await res.text();
  expect(res.status, text).toBe(200);
  expect(res.headers.get("Content-Type")).toMatch(/^application\/json/);
  return JSON.parse(text);
}

describe("POST /leaks/github: the signature comes before anything else", () => {
  it("refuses a missing, wrong, unknown-key or altered signature with 401 invalid_signature, touching no binding", async () => {
    const key = await newScanningKey();
    const other = await newScanningKey(key.id); // same ID, different key: a forged signature
    const stranger = await newScanningKey();
    const c = await createClient();
    const body = JSON.stringify([reported(c.secret)]);
    const signed = await signedRequest(key, body);
    const headers = signed.headers as Record<string, string>;
    const altered = body.replace("content", "contenT");
    const cases: [string, RequestInit][] = [
      ["no headers", { method: "POST", body }],
      ["no signature", { method: "POST", body, headers: { "Github-Public-Key-Identifier": key.id } }],
      [
        "no key ID",
        { method: "POST", body, headers: { "Github-Public-Key-Signature": headers["Github-Public-Key-Signature"]! } },
      ],
      ["signed by another key", await signedRequest(other, body)],
      ["unknown key ID", await signedRequest(stranger, body)],
      ["body altered by one byte", { ...signed, body: altered }],
      [
        "signature not base64 DER",
        { ...signed, headers: { ...headers, "Github-Public-Key-Signature": "bm90IGEgc2lnbmF0dXJl" } },
      ],
      ["signature garbage", { ...signed, headers: { ...headers, "Github-Public-Key-Signature": "%%%" } }],
      [
        "raw r||s instead of DER",
        { ...signed, headers: { ...headers, "Github-Public-Key-Signature": btoa("x".repeat(64)) } },
      ],
    ];
    expect(altered).not.toBe(body);
    expect(altered.length).toBe(body.length);
    for (const [name, init] of cases) {
      const calls: Calls = {};
      const res = await callWithEnv(
        { SECRET_SCANNING_KEYS: keyDocument(key), LEAKED_SECRET_ACTION: "deactivate", ...countingBindings(calls) },
        "/leaks/github",
        init,
      );
      await expectError(res, 401, "invalid_signature");
      expect(calls, name).toEqual({});
    }
    // Nothing happened to the client whose real secret was in every one of those bodies.
    expect((await clientOf(c.id)).status).toBe("active");
    expect(await alertsOf(c.id, "secret_leaked")).toEqual([]);
    expect(await errorCode(await withSecret(c.id, c.secret))).toBe("<no error code, status 200>");
  });

  it("the same report, properly signed, is taken (so the failures above were the signature's)", async () => {
    const key = await newScanningKey();
    const c = await createClient();
    const [entry] = await feedback(await report(key, [reported(c.secret)]));
    expect(entry.label).toBe("true_positive");
  });
});

describe("POST /leaks/github: the signature is strict DER", () => {
  const bytesOf = (b64: string) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const base64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));

  it("refuses every other encoding of a valid signature with 401 invalid_signature, touching no binding", async () => {
    const key = await newScanningKey();
    const c = await createClient();
    const body = JSON.stringify([reported(c.secret)]);
    // ECDSA is randomized: sign until r or s has its top bit set, for the "negative" encoding.
    let der = bytesOf(await sign(key, body));
    while (!hasPaddedInteger(der)) der = bytesOf(await sign(key, body));
    const variants = malformedVariants(der);
    expect(variants.length).toBeGreaterThanOrEqual(10);
    for (const [name, variant] of variants) {
      const calls: Calls = {};
      const res = await callWithEnv(
        { SECRET_SCANNING_KEYS: keyDocument(key), LEAKED_SECRET_ACTION: "deactivate", ...countingBindings(calls) },
        "/leaks/github",
        {
          method: "POST",
          body,
          headers: {
            "Content-Type": "application/json",
            "Github-Public-Key-Identifier": key.id,
            "Github-Public-Key-Signature": base64(variant),
          },
        },
      );
      expect(res.status, name).toBe(401);
      await expectError(res, 401, "invalid_signature");
      expect(calls, name).toEqual({});
    }
    expect((await clientOf(c.id)).status).toBe("active");
    expect(await alertsOf(c.id, "secret_leaked")).toEqual([]);

    // The minimal encoding of that same signature is taken.
    const res = await callWithEnv({ SECRET_SCANNING_KEYS: keyDocument(key) }, "/leaks/github", {
      method: "POST",
      body,
      headers: {
        "Content-Type": "application/json",
        "Github-Public-Key-Identifier": key.id,
        "Github-Public-Key-Signature": base64(der),
      },
    });
    expect((await feedback(res))[0].label).toBe("true_positive");
  });
});

describe("POST /leaks/github: a client's current secret", () => {
  it("answers GitHub's feedback format with the token's hash, never the token", async () => {
    const key = await newScanningKey();
    const c = await createClient();
    const unknown = await newClientSecret("sandbox");
    const res = await report(key, [reported(c.secret, "nafsi_live_secret"), reported(unknown, "nafsi_test_secret")]);
    const text = await res.clone().text();
    expect(text).not.toContain(c.secret);
    expect(text).not.toContain(unknown);
    expect(await feedback(res)).toEqual([
      { token_hash: await sha256HexOf(c.secret), token_type: "nafsi_live_secret", label: "true_positive" },
      { token_hash: await sha256HexOf(unknown), token_type: "nafsi_test_secret", label: "false_positive" },
    ]);
  });

  it("raises secret_leaked at once and audits it as github_secret_scanning; the client stays active by default", async () => {
    const key = await newScanningKey();
    const c = await createClient();
    const token = reported(c.secret);
    await feedback(await report(key, [token]));

    // In D1 already when the report is answered: no flush needed.
    const alerts = await alertsOf(c.id, "secret_leaked");
    expect(alerts).toHaveLength(1);
    expect(alerts[0].client_id).toBe(c.id);
    expect(alerts[0].details).toMatchObject({
      url: token.url,
      source: "content",
      secret_last_four: c.secret.slice(-4),
    });
    expect(JSON.stringify(alerts)).not.toContain(c.secret);

    const [entry] = (await auditOf(c.id)).filter((e) => e.action === "client.secret_leaked");
    expect(entry).toMatchObject({ actor: "github_secret_scanning", target_id: c.id });
    expect(entry.details).toMatchObject({ url: token.url, secret: "current", secret_last_four: c.secret.slice(-4) });
    expect(JSON.stringify(entry)).not.toContain(await sha256HexOf(c.secret));

    expect((await clientOf(c.id)).status).toBe("active");
    expect(await withSecret(c.id, c.secret).then((r) => r.status)).toBe(200);
  });

  it("with LEAKED_SECRET_ACTION=deactivate the client is inactive for the very next data-plane request", async () => {
    const key = await newScanningKey();
    const c = await createClient();
    const wf = await createWorkflow(c);
    expect((await withSecret(c.id, c.secret)).status).toBe(200); // the edge has seen it working
    const [entry] = await feedback(await report(key, [reported(c.secret)], { LEAKED_SECRET_ACTION: "deactivate" }));
    expect(entry.label).toBe("true_positive");

    await expectError(await withSecret(c.id, c.secret), 401, "client_inactive");
    await expectError(await withWorkflow(c.id, wf.id), 401, "client_inactive");
    expect((await clientOf(c.id)).status).toBe("inactive");
    const [audit] = (await auditOf(c.id)).filter((e) => e.action === "client.secret_leaked");
    expect(audit.details).toMatchObject({
      action: "deactivated",
      changes: { status: { from: "active", to: "inactive" } },
    });
    expect((await alertsOf(c.id, "secret_leaked"))[0].details.action).toBe("deactivated");
  });

  it("the alert reaches the webhook too (through the object's outbox)", async () => {
    const key = await newScanningKey();
    const c = await createClient();
    const hookKey = crypto.randomUUID();
    await patchAuthorityEnv(c.id, {
      ALERT_WEBHOOK_URL: `http://webhook.test/hook/${hookKey}`,
      ALERT_WEBHOOK_SECRET: "s",
    });
    await feedback(await report(key, [reported(c.secret)]));
    expect(await flushUsage(c.id)).toBe(true);
    const got = (await (await fetch(`http://webhook.test/received/${hookKey}`)).json()) as any[];
    expect(got).toHaveLength(1);
    const body = JSON.parse(got[0].body);
    expect(body).toMatchObject({
      type: "secret_leaked",
      client_id: c.id,
      details: { secret_last_four: c.secret.slice(-4) },
    });
    expect(got[0].body).not.toContain(c.secret);
  });
});

describe("POST /leaks/github: repeated reports", () => {
  it("raise one alert per client per hour, and change nothing more", async () => {
    const key = await newScanningKey();
    const c = await createClient();
    const t0 = Date.now();
    await setObjectClock(c.id, t0);
    const token = reported(c.secret);
    // The same leak twice in one report, then twice more.
    const first = await feedback(await report(key, [token, token], { LEAKED_SECRET_ACTION: "deactivate" }));
    expect(first.map((f) => f.label)).toEqual(["true_positive", "true_positive"]);
    for (let i = 0; i < 2; i++) {
      const again = await feedback(await report(key, [token], { LEAKED_SECRET_ACTION: "deactivate" }));
      expect(again[0].label).toBe("true_positive");
    }
    expect(await alertsOf(c.id, "secret_leaked")).toHaveLength(1);
    expect((await auditOf(c.id)).filter((e) => e.action === "client.secret_leaked")).toHaveLength(1);
    const updatedAt = (await clientOf(c.id)).updated_at;

    // An hour later the same leak alerts again (still nothing to change: the client is inactive).
    await setObjectClock(c.id, t0 + 3_600_000);
    await feedback(await report(key, [token], { LEAKED_SECRET_ACTION: "deactivate" }));
    expect(await alertsOf(c.id, "secret_leaked")).toHaveLength(2);
    expect((await clientOf(c.id)).updated_at).toBe(updatedAt);
  });

  it("a client reactivated without rotating is deactivated again by the next report (no second alert within the hour)", async () => {
    const key = await newScanningKey();
    const c = await createClient();
    const overrides = { LEAKED_SECRET_ACTION: "deactivate" };
    await feedback(await report(key, [reported(c.secret)], overrides));
    expect((await adminJson("PATCH", `/admin/clients/${c.id}`, { status: "active" })).status).toBe(200);
    await feedback(await report(key, [reported(c.secret)], overrides));
    await expectError(await withSecret(c.id, c.secret), 401, "client_inactive");
    expect(await alertsOf(c.id, "secret_leaked")).toHaveLength(1);
    expect((await auditOf(c.id)).filter((e) => e.action === "client.secret_leaked")).toHaveLength(2);
  });
});

describe("POST /leaks/github: a previous secret in its grace period", () => {
  it("ends the grace period at once: the old secret and workflows minted from it fail on the next request", async () => {
    const key = await newScanningKey();
    const c = await createClient();
    const wf = await createWorkflow(c);
    const { secret: fresh } = await regenerateSecret(c.id, 3600);
    expect((await withSecret(c.id, c.secret)).status).toBe(200);
    expect((await withWorkflow(c.id, wf.id)).status).toBe(200);

    const [entry] = await feedback(await report(key, [reported(c.secret)], { LEAKED_SECRET_ACTION: "deactivate" }));
    expect(entry.label).toBe("true_positive");

    await expectError(await withSecret(c.id, c.secret), 401, "invalid_credentials");
    await expectError(await withWorkflow(c.id, wf.id), 401, "workflow_token_invalidated");
    // The current secret is not the leaked one: it keeps working, and the client stays active.
    expect((await withSecret(c.id, fresh)).status).toBe(200);
    const client = await clientOf(c.id);
    expect(client.status).toBe("active");
    expect(client.previous_secret_expires_at).toBeNull();

    const [alert] = await alertsOf(c.id, "secret_leaked");
    expect(alert.details).toMatchObject({ secret_last_four: c.secret.slice(-4), action: "grace_ended" });
    expect(fresh.slice(-4) === c.secret.slice(-4) || alert.details.secret_last_four !== fresh.slice(-4)).toBe(true);
    const [audit] = (await auditOf(c.id)).filter((e) => e.action === "client.secret_leaked");
    expect(audit).toMatchObject({ actor: "github_secret_scanning", details: { secret: "previous" } });
  });

  it("a secret already replaced (no grace left) is a false positive, and nothing changes", async () => {
    const key = await newScanningKey();
    const c = await createClient();
    await regenerateSecret(c.id, 0);
    const [entry] = await feedback(await report(key, [reported(c.secret)], { LEAKED_SECRET_ACTION: "deactivate" }));
    expect(entry.label).toBe("false_positive");
    expect(await alertsOf(c.id, "secret_leaked")).toEqual([]);
    expect((await clientOf(c.id)).status).toBe("active");
  });
});

describe("POST /leaks/github: anything else is a false positive", () => {
  it("made-up, mistagged and unknown tokens: false_positive, with no lookup for a bad tag", async () => {
    const key = await newScanningKey();
    const c = await createClient();
    const otherKey = await Credentials.fromKeys(["not the gateway's key"]);
    const badTag = [
      c.secret.slice(0, -1) + (c.secret.endsWith("A") ? "B" : "A"),
      await otherKey.newClientSecret("production"),
      await otherKey.newAdminSecret(),
      PREFIX.secret.production + "x".repeat(30),
      "ghp_" + "a".repeat(36),
      "not a secret at all",
    ];
    const calls: Calls = {};
    const res = await report(
      key,
      badTag.map((t) => reported(t)),
      { ...countingBindings(calls) },
    );
    expect((await feedback(res)).map((f) => f.label)).toEqual(badTag.map(() => "false_positive"));
    expect(calls).toEqual({});
  });

  it("which secret it is comes from the token, never from `type`", async () => {
    const key = await newScanningKey();
    const c = await createClient();
    const [entry] = await feedback(await report(key, [reported(c.secret, "nafsi_admin_token")]));
    expect(entry).toMatchObject({ token_type: "nafsi_admin_token", label: "true_positive" });
    expect(await alertsOf(c.id, "secret_leaked")).toHaveLength(1);
  });

  it("a revoked client's secret and a well-tagged secret of no client: false_positive", async () => {
    const key = await newScanningKey();
    const c = await createClient();
    expect((await adminJson("POST", `/admin/clients/${c.id}/revoke`)).status).toBe(200);
    const labels = await feedback(
      await report(key, [reported(c.secret), reported(await newClientSecret("production"))]),
    );
    expect(labels.map((l) => l.label)).toEqual(["false_positive", "false_positive"]);
    expect(await alertsOf(c.id, "secret_leaked")).toEqual([]);
  });
});

describe("POST /leaks/github: limits and bad input (signed)", () => {
  it("malformed JSON and non-reports are 400 invalid_request", async () => {
    const key = await newScanningKey();
    for (const body of ["[{", "{}", '[{"token": 5, "type": "x"}]', '[{"type": "x"}]', "null", ""]) {
      const res = await report(key, body);
      const error = await expectError(res, 400, "invalid_request");
      expect(Array.isArray(error.details), body).toBe(true);
    }
  });

  it("over 1,000 tokens is 400 invalid_request; exactly 1,000 tokens are taken", async () => {
    const key = await newScanningKey();
    const junk = (n: number) => Array.from({ length: n }, (_, i) => reported(`junk-${i}`));
    await expectError(await report(key, junk(1001)), 400, "invalid_request");
    const all = await feedback(await report(key, junk(1000)));
    expect(all).toHaveLength(1000);
    expect(new Set(all.map((a) => a.label))).toEqual(new Set(["false_positive"]));
  });

  // White space is valid JSON: a signed report padded to the size asked for.
  const padded = (bytes: number) => {
    const json = JSON.stringify([reported("x")]);
    return json + " ".repeat(bytes - json.length);
  };
  const streamed = (body: string) => {
    const bytes = new TextEncoder().encode(body);
    let at = 0;
    return new ReadableStream<Uint8Array>({
      pull(controller) {
        if (at >= bytes.length) return controller.close();
        controller.enqueue(bytes.slice(at, (at += 64 * 1024)));
      },
    });
  };
  const send = async (key: ScanningKey, body: string, stream: boolean) => {
    const init = await signedRequest(key, body);
    return callWithEnv({ SECRET_SCANNING_KEYS: keyDocument(key) }, "/leaks/github", {
      ...init,
      body: stream ? streamed(body) : body,
    });
  };

  it("a signed report over 1 MiB is 413 payload_too_large, announced by Content-Length or streamed", async () => {
    const key = await newScanningKey();
    const huge = padded(1024 * 1024 + 1);
    await expectError(await send(key, huge, false), 413, "payload_too_large");
    await expectError(await send(key, huge, true), 413, "payload_too_large");
  });

  it("a signed report of exactly 1 MiB is taken, announced or streamed", async () => {
    const key = await newScanningKey();
    const exact = padded(1024 * 1024);
    for (const stream of [false, true]) {
      const res = await send(key, exact, stream);
      expect(res.status, `streamed: ${stream}`).toBe(200);
      expect(await feedback(res)).toHaveLength(1);
    }
  });

  it("an invalid LEAKED_SECRET_ACTION is 503, not a silent default, and changes nothing", async () => {
    const key = await newScanningKey();
    const c = await createClient();
    const res = await report(key, [reported(c.secret)], { LEAKED_SECRET_ACTION: "deactivte" });
    const error = await expectError(res, 503, "service_unavailable");
    expect(error.message).toContain("LEAKED_SECRET_ACTION");
    expect(await alertsOf(c.id, "secret_leaked")).toEqual([]);
  });

  it("the endpoint is in the OpenAPI document", async () => {
    const doc = (await (await call("/openapi.json")).json()) as any;
    expect(doc.paths["/leaks/github"]?.post).toBeDefined();
  });
});

describe("POST /leaks/github: an admin token", () => {
  it("is revoked at once and audited as admin_token.revoke by github_secret_scanning", async () => {
    const created = await adminJson("POST", "/admin/tokens", { name: "leaky", permissions: ["clients:read"] });
    expect(created.status).toBe(201);
    const { token, secret } = created.body;
    expect((await call("/admin/me", { headers: { Authorization: `Bearer ${secret}` } })).status).toBe(200);

    const key = await newScanningKey();
    const labels = await feedback(await report(key, [reported(secret, "nafsi_admin_token"), reported(secret)]));
    expect(labels.map((l) => l.label)).toEqual(["true_positive", "true_positive"]);
    await expectError(await call("/admin/me", { headers: { Authorization: `Bearer ${secret}` } }), 401, "unauthorized");
    const { body } = await adminJson("GET", `/admin/tokens/${token.id}`);
    expect(body.token.revoked_at).not.toBeNull();
    const entries = (await auditOf(token.id)).filter((e) => e.action === "admin_token.revoke");
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ actor: "github_secret_scanning", target_id: token.id });

    // Reported again: it is no live secret any more.
    const [again] = await feedback(await report(key, [reported(secret)]));
    expect(again.label).toBe("false_positive");
    expect((await auditOf(token.id)).filter((e) => e.action === "admin_token.revoke")).toHaveLength(1);
  });
});
