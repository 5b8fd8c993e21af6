/**
 * Without SECRET_SCANNING_KEYS the gateway verifies against GitHub's published key list, fetched
 * and cached a day in KV. GitHub is the test upstream worker here (test/fixtures/upstream-worker.js
 * serves api.github.com's key document and counts its fetches).
 */
import { beforeEach, describe, expect, it } from "vitest";
import { SCANNING_KEYS_KV_KEY } from "../../src/storage/scanning-keys-cache";
import { callWithEnv, createClient, env, expectError } from "../support/helpers";
import { type ScanningKey, keyDocument, newScanningKey, reported, signedRequest } from "../support/leaks";

const HOUR = 3_600_000;

async function publish(...keys: ScanningKey[]): Promise<void> {
  await fetch("http://github-keys.test/document", { method: "PUT", body: keyDocument(...keys) });
}

async function fetches(): Promise<number> {
  return ((await (await fetch("http://github-keys.test/fetches")).json()) as { count: number }).count;
}

/** KV holds `keys` as fetched `ageMs` ago. */
async function cacheHolds(ageMs: number, ...keys: ScanningKey[]): Promise<void> {
  await env.TOKEN_CACHE.put(
    SCANNING_KEYS_KV_KEY,
    JSON.stringify({ fetchedAt: Date.now() - ageMs, document: keyDocument(...keys) }),
  );
}

/** A signed report of one unknown secret, through the published key list (no SECRET_SCANNING_KEYS). */
async function send(key: ScanningKey, overrides: Record<string, unknown> = {}): Promise<Response> {
  const body = JSON.stringify([reported("sk_live_nothing")]);
  return callWithEnv(
    { SECRET_SCANNING_KEYS: undefined, ...overrides },
    "/leaks/github",
    await signedRequest(key, body),
  );
}

beforeEach(async () => {
  await fetch("http://github-keys.test/reset", { method: "POST" });
  await env.TOKEN_CACHE.delete(SCANNING_KEYS_KV_KEY);
});

describe("GitHub's published key list", () => {
  it("is fetched once and cached in KV: later reports verify without another fetch", async () => {
    const key = await newScanningKey();
    await publish(key);
    for (let i = 0; i < 3; i++) expect((await send(key)).status).toBe(200);
    expect(await fetches()).toBe(1);
    const cached = await env.TOKEN_CACHE.get<{ fetchedAt: number; document: string }>(SCANNING_KEYS_KV_KEY, "json");
    expect(JSON.parse(cached!.document).public_keys[0].key_identifier).toBe(key.id);
  });

  it("a key ID missing from the cache refetches once; unknown IDs after that do not refetch", async () => {
    const old = await newScanningKey();
    const rotated = await newScanningKey();
    await cacheHolds(HOUR, old);
    await publish(old, rotated);

    expect((await send(rotated)).status).toBe(200);
    expect(await fetches()).toBe(1);
    for (let i = 0; i < 3; i++) {
      await expectError(await send(await newScanningKey()), 401, "invalid_signature");
    }
    expect((await send(rotated)).status).toBe(200);
    expect(await fetches()).toBe(1);
  });

  it("an unknown key ID right after a fetch is 401 without any fetch", async () => {
    const key = await newScanningKey();
    await cacheHolds(60_000, key);
    await publish(key);
    await expectError(await send(await newScanningKey()), 401, "invalid_signature");
    expect(await fetches()).toBe(0);
    expect((await send(key)).status).toBe(200);
    expect(await fetches()).toBe(0);
  });

  it("a cache older than a day is refreshed", async () => {
    const old = await newScanningKey();
    const rotated = await newScanningKey();
    await cacheHolds(25 * HOUR, old);
    await publish(rotated);
    expect((await send(rotated)).status).toBe(200);
    await expectError(await send(old), 401, "invalid_signature");
    expect(await fetches()).toBe(1);
  });

  it("signature failures touch only the key cache: no D1, no Durable Object", async () => {
    const key = await newScanningKey();
    const c = await createClient();
    await cacheHolds(60_000, key);
    const calls: Record<string, number> = {};
    const count = <T extends object>(binding: T, name: string): T =>
      new Proxy(binding, {
        get(target, prop, receiver) {
          const value = Reflect.get(target, prop, receiver);
          if (typeof value !== "function") return value;
          return (...args: unknown[]) => {
            calls[`${name}.${String(prop)}`] = (calls[`${name}.${String(prop)}`] ?? 0) + 1;
            return (value as (...a: unknown[]) => unknown).apply(target, args);
          };
        },
      });
    const overrides = {
      DB: count(env.DB, "DB"),
      TOKEN_CACHE: count(env.TOKEN_CACHE, "KV"),
      CLIENT_AUTHORITY: count(env.CLIENT_AUTHORITY, "DO"),
    };
    const body = JSON.stringify([reported(c.secret)]);
    const init = await signedRequest(key, body);
    const res = await callWithEnv({ SECRET_SCANNING_KEYS: undefined, ...overrides }, "/leaks/github", {
      ...init,
      body: body.replace("content", "Content"),
    });
    await expectError(res, 401, "invalid_signature");
    expect(calls).toEqual({ "KV.get": 1 });
  });

  it("with GitHub unreachable and nothing cached, reports are 503 (GitHub retries), never accepted", async () => {
    const key = await newScanningKey();
    // Nothing published: the key list answers 503.
    await expectError(await send(key), 503, "service_unavailable");
    expect(await fetches()).toBe(1);
  });
});
