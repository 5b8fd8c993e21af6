/**
 * Every management change decides the very next data-plane request (a refusal may be repeated from
 * an isolate's memory for up to a second; admissions never are). Traffic runs concurrently
 * with the management call; a request counts as "after" only when it was *started* after the
 * management call's answer had resolved (a flag set in that continuation, read synchronously when
 * each request is started: JavaScript's single thread makes that order exact).
 */
import { describe, expect, it } from "vitest";
import {
  admin,
  createClient,
  expectError,
  limitHeaders,
  patchClient,
  regenerateSecret,
  sleep,
  withSecret,
} from "../support/helpers";
import { REMEMBER_MS } from "../../src/edge/refusal-memory";

interface Outcome {
  /** Started after the management call had answered. */
  after: boolean;
  status: number;
  code: string | null;
}

/**
 * Runs `lanes` concurrent request loops; once `warmup` answers are in, makes the management call;
 * stops when every lane has made `afterPerLane` requests that started after its answer.
 */
async function trafficAround(
  send: () => Promise<Response>,
  manage: () => Promise<Response>,
  { lanes = 6, warmup = 12, afterPerLane = 6, settleMs = 0 } = {},
): Promise<{ outcomes: Outcome[]; managed: Response }> {
  const outcomes: Outcome[] = [];
  let answered = false;
  const lane = async () => {
    let afterCount = 0;
    while (afterCount < afterPerLane) {
      const after = answered;
      const res = await send();
      const body = (await res.json()) as { error?: { code?: string } };
      outcomes.push({ after, status: res.status, code: body.error?.code ?? null });
      if (after) afterCount++;
    }
  };
  const running = Array.from({ length: lanes }, lane);
  while (outcomes.length < warmup) await sleep(2);
  const managed = await manage();
  // A request counts as "after" only from settleMs after the answer (the traffic goes on meanwhile).
  if (settleMs > 0) await sleep(settleMs);
  answered = true;
  await Promise.all(running);
  return { outcomes, managed };
}

function split(outcomes: Outcome[]) {
  const before = outcomes.filter((o) => !o.after);
  const after = outcomes.filter((o) => o.after);
  return { before, after };
}

describe("management changes decide the very next request, under traffic", () => {
  it("revoke: no request started after the answer is admitted", async () => {
    const client = await createClient({ rate_limit: 1000 });
    const { outcomes, managed } = await trafficAround(
      () => withSecret(client.id, client.secret),
      () => admin("POST", `/admin/clients/${client.id}/revoke`),
    );
    expect(managed.status).toBe(200);
    const { before, after } = split(outcomes);
    expect(before.filter((o) => o.status === 200).length).toBeGreaterThan(0);
    expect(after.length).toBeGreaterThanOrEqual(36);
    expect(after.filter((o) => o.status === 200)).toEqual([]);
    expect(new Set(after.map((o) => `${o.status} ${o.code}`))).toEqual(new Set(["401 client_revoked"]));
  });

  it("deactivate, then reactivate: each applies from the next request", async () => {
    const client = await createClient({ rate_limit: 1000 });
    const off = await trafficAround(
      () => withSecret(client.id, client.secret),
      () => admin("PATCH", `/admin/clients/${client.id}`, { status: "inactive" }),
    );
    expect(off.managed.status).toBe(200);
    expect(split(off.outcomes).before.some((o) => o.status === 200)).toBe(true);
    expect(new Set(split(off.outcomes).after.map((o) => `${o.status} ${o.code}`))).toEqual(
      new Set(["401 client_inactive"]),
    );

    const on = await trafficAround(
      () => withSecret(client.id, client.secret),
      () => admin("PATCH", `/admin/clients/${client.id}`, { status: "active" }),
    );
    expect(on.managed.status).toBe(200);
    expect(split(on.outcomes).before.some((o) => o.code === "client_inactive")).toBe(true);
    expect(new Set(split(on.outcomes).after.map((o) => o.status))).toEqual(new Set([200]));
  });

  it("regenerate with no grace period: the old secret stops at once, the new one works at once", async () => {
    const client = await createClient({ rate_limit: 1000 });
    const { outcomes, managed } = await trafficAround(
      () => withSecret(client.id, client.secret),
      () => admin("POST", `/admin/clients/${client.id}/regenerate-secret`, { grace_period_seconds: 0 }),
    );
    expect(managed.status).toBe(200);
    const { before, after } = split(outcomes);
    expect(before.some((o) => o.status === 200)).toBe(true);
    expect(new Set(after.map((o) => `${o.status} ${o.code}`))).toEqual(new Set(["401 invalid_credentials"]));

    const { client_secret: fresh } = (await managed.json()) as { client_secret: string };
    expect((await withSecret(client.id, fresh)).status).toBe(200);
    // Asked again (now possibly decided by the isolate's memory of wrong secrets): still refused.
    for (let i = 0; i < 3; i++)
      await expectError(await withSecret(client.id, client.secret), 401, "invalid_credentials");
  });

  it("a raised limit applies within a second while 429s are being answered (they may be repeated from memory that long)", async () => {
    const client = await createClient({ rate_limit: 2 });
    for (let i = 0; i < 2; i++) expect((await withSecret(client.id, client.secret)).status).toBe(200);
    const { outcomes, managed } = await trafficAround(
      () => withSecret(client.id, client.secret),
      () => admin("PATCH", `/admin/clients/${client.id}`, { rate_limit: 1000 }),
      { lanes: 4, warmup: 8, afterPerLane: 3, settleMs: REMEMBER_MS },
    );
    expect(managed.status).toBe(200);
    const { before, after } = split(outcomes);
    expect(before.some((o) => o.status === 429)).toBe(true);
    expect(new Set(after.map((o) => o.status))).toEqual(new Set([200]));
  });

  it("a lowered limit applies to the very next request", async () => {
    const client = await createClient({ rate_limit: 1000 });
    const { outcomes, managed } = await trafficAround(
      () => withSecret(client.id, client.secret),
      () => admin("PATCH", `/admin/clients/${client.id}`, { rate_limit: 1 }),
    );
    expect(managed.status).toBe(200);
    const { before, after } = split(outcomes);
    expect(before.some((o) => o.status === 200)).toBe(true);
    // The window already holds more than 1 admission: everything after is refused.
    expect(new Set(after.map((o) => `${o.status} ${o.code}`))).toEqual(new Set(["429 rate_limit_exceeded"]));
    const res = await withSecret(client.id, client.secret);
    expect(limitHeaders(res)).toMatchObject({ limit: 1, remaining: 0 });
  });
});

describe("grace periods", () => {
  it("the previous secret works until previous_secret_expires_at and fails from then on", async () => {
    const client = await createClient({ rate_limit: 1000 });
    const { secret: fresh, body } = await regenerateSecret(client.id, 2);
    const expiresAt = Date.parse(body.previous_secret_expires_at);
    expect(Number.isFinite(expiresAt)).toBe(true);
    expect(body.client.previous_secret_expires_at).toBe(body.previous_secret_expires_at);

    // Until then both secrets work.
    expect((await withSecret(client.id, fresh)).status).toBe(200);
    const samples: { start: number; end: number; status: number; code: string | null }[] = [];
    while (Date.now() < expiresAt + 1_000) {
      const start = Date.now();
      const res = await withSecret(client.id, client.secret);
      const end = Date.now();
      const json = (await res.json()) as { error?: { code?: string } };
      samples.push({ start, end, status: res.status, code: json.error?.code ?? null });
      await sleep(40);
    }
    // Answered before the expiry: admitted. Started at or after it: invalid_credentials.
    const before = samples.filter((s) => s.end < expiresAt);
    const after = samples.filter((s) => s.start >= expiresAt);
    expect(before.length).toBeGreaterThan(0);
    expect(after.length).toBeGreaterThan(0);
    expect(before.map((s) => s.status)).toEqual(before.map(() => 200));
    expect(after.map((s) => `${s.status} ${s.code}`)).toEqual(after.map(() => "401 invalid_credentials"));
    // The new secret is unaffected.
    expect((await withSecret(client.id, fresh)).status).toBe(200);
  });

  it("a second regeneration ends an earlier grace period at once", async () => {
    const client = await createClient();
    const first = await regenerateSecret(client.id, 3600);
    expect((await withSecret(client.id, client.secret)).status).toBe(200);

    const second = await regenerateSecret(client.id, 3600);
    await expectError(await withSecret(client.id, client.secret), 401, "invalid_credentials");
    expect((await withSecret(client.id, first.secret)).status).toBe(200);
    expect((await withSecret(client.id, second.secret)).status).toBe(200);

    // And one with no grace ends the second's grace too.
    const third = await regenerateSecret(client.id, 0);
    await expectError(await withSecret(client.id, first.secret), 401, "invalid_credentials");
    expect((await withSecret(client.id, third.secret)).status).toBe(200);
  });

  it("revoking ends a grace period: neither secret works", async () => {
    const client = await createClient();
    const { secret: fresh } = await regenerateSecret(client.id, 3600);
    await patchClient(client.id, { name: "still fine" });
    expect((await withSecret(client.id, client.secret)).status).toBe(200);
    expect((await admin("POST", `/admin/clients/${client.id}/revoke`)).status).toBe(200);
    await expectError(await withSecret(client.id, fresh), 401, "client_revoked");
    // The old secret is refused too (whether it is told the status is not the contract's concern).
    const old = await withSecret(client.id, client.secret);
    expect(old.status).toBe(401);
    expect(["client_revoked", "invalid_credentials"]).toContain(((await old.json()) as any).error.code);
  });
});
