/**
 * The gateway makes its own ID for every request (src/lib/request-id.ts): the answer's
 * X-Request-Id, the audit entry's request_id and the X-Request-Id sent upstream are that ID, never
 * the caller's. A caller's X-Request-Id that is a safe token (≤ 128 of [A-Za-z0-9._:-]) goes
 * upstream as X-Caller-Request-Id; any other is dropped.
 */
import { describe, expect, it } from "vitest";
import { admin, adminJson, call, callWithEnv, createClient, type CreatedClient } from "../support/helpers";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const UPSTREAMS = { UPSTREAM_URL_PRODUCTION: "http://upstream.test/base", UPSTREAM_URL_SANDBOX: "" };

/** A secret call forwarded to the test upstream, which answers with the headers that arrived. */
async function forwarded(client: CreatedClient, headers: Record<string, string>) {
  const res = await callWithEnv(UPSTREAMS, "/v1/echo", {
    headers: { "X-Client-ID": client.id, "X-Client-Secret": client.secret, ...headers },
  });
  expect(res.status).toBe(200);
  const { headers: arrived } = (await res.json()) as { headers: [string, string][] };
  const map = new Map(arrived.map(([k, v]) => [k.toLowerCase(), v]));
  return { res, upstream: (name: string) => map.get(name.toLowerCase()) ?? null };
}

describe("request IDs", () => {
  it("the audit log records the gateway's ID, not a caller's X-Request-Id", async () => {
    const res = await admin(
      "POST",
      "/admin/clients",
      { name: "Forged", environment: "production" },
      {
        "X-Request-Id": "forged",
      },
    );
    expect(res.status).toBe(201);
    const ours = res.headers.get("X-Request-Id");
    expect(ours).toMatch(UUID);
    const { client } = (await res.json()) as { client: { id: string } };

    const { body } = await adminJson("GET", `/admin/audit-log?target_id=${client.id}`);
    expect(body.entries).toHaveLength(1);
    expect(body.entries[0].request_id).toBe(ours);
    expect(JSON.stringify(body)).not.toContain("forged");
  });

  it("every request gets a new ID, errors included", async () => {
    const ids = new Set<string>();
    for (const path of ["/healthz", "/no-such-route", "/v1/verify", "/admin/clients"]) {
      const res = await call(path, { headers: { "X-Request-Id": "forged" } });
      const id = res.headers.get("X-Request-Id");
      expect(id, path).toMatch(UUID);
      ids.add(id!);
    }
    expect(ids.size).toBe(4);
    const err = await call("/no-such-route", { headers: { "X-Request-Id": "forged" } });
    expect(JSON.stringify(await err.json())).not.toContain("forged");
  });

  it("upstream gets our ID as X-Request-Id and the caller's as X-Caller-Request-Id", async () => {
    const client = await createClient();
    const callerId = "trace-01H:abc.DEF_9";
    const { res, upstream } = await forwarded(client, { "X-Request-Id": callerId });
    const ours = res.headers.get("X-Request-Id");
    expect(ours).toMatch(UUID);
    expect(upstream("X-Request-Id")).toBe(ours);
    expect(upstream("X-Caller-Request-Id")).toBe(callerId);

    const longest = "a".repeat(128);
    expect((await forwarded(client, { "X-Request-Id": longest })).upstream("X-Caller-Request-Id")).toBe(longest);
  });

  it.each([
    ["too long", "a".repeat(129)],
    ["a space", "abc def"],
    ["a slash", "abc/def"],
    ["a quote", 'abc"def'],
    ["markup", "<script>"],
    ["a comma (two IDs)", "a,b"],
  ])("a caller ID with %s is not forwarded", async (_label, callerId) => {
    const client = await createClient();
    const { res, upstream } = await forwarded(client, { "X-Request-Id": callerId });
    expect(upstream("X-Request-Id")).toBe(res.headers.get("X-Request-Id"));
    expect(upstream("X-Request-Id")).toMatch(UUID);
    expect(upstream("X-Caller-Request-Id")).toBeNull();
  });

  it("a caller cannot set X-Caller-Request-Id itself", async () => {
    const client = await createClient();
    const bare = await forwarded(client, { "X-Caller-Request-Id": "injected" });
    expect(bare.upstream("X-Caller-Request-Id")).toBeNull();
    const both = await forwarded(client, { "X-Caller-Request-Id": "injected", "X-Request-Id": "mine" });
    expect(both.upstream("X-Caller-Request-Id")).toBe("mine");
  });
});
