/**
 * Prefixes, alphabet, length (≥ 128 random bits), and the keyed tag that refuses a mistyped,
 * random or forged value without any storage lookup.
 */
import { describe, expect, it } from "vitest";
import { Credentials, PREFIX, TagKeyMissing, credentialsOf, lastFour, secretShapeEnvironment } from "./credentials";

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const ENVIRONMENTS = ["production", "sandbox"] as const;
const other = (e: (typeof ENVIRONMENTS)[number]) => (e === "production" ? "sandbox" : "production");
const KEY = "unit-test-tag-key-0123456789abcdef";
const tags = () => Credentials.fromKeys([KEY]);

/** Every value that differs from `value` in exactly one character after `from`. */
function* oneCharChanges(value: string, from: number): Generator<string> {
  for (let i = from; i < value.length; i++) {
    for (const c of BASE62) if (c !== value[i]) yield value.slice(0, i) + c + value.slice(i + 1);
  }
}

const randomBody = (length: number) => Array.from({ length }, () => BASE62[Math.floor(Math.random() * 62)]).join("");

describe("minting", () => {
  it.each(ENVIRONMENTS)(
    "%s client IDs and secrets carry their prefix and only base62 after it",
    async (environment) => {
      const c = await tags();
      const idPrefix = environment === "production" ? "nafsi_live_" : "nafsi_test_";
      const secretPrefix = environment === "production" ? "sk_live_" : "sk_test_";
      expect(PREFIX.clientId[environment]).toBe(idPrefix);
      expect(PREFIX.secret[environment]).toBe(secretPrefix);
      for (let i = 0; i < 100; i++) {
        const id = await c.newClientId(environment);
        const secret = await c.newClientSecret(environment);
        expect(id.slice(idPrefix.length)).toMatch(/^[A-Za-z0-9]{30}$/);
        expect(secret.slice(secretPrefix.length)).toMatch(/^[A-Za-z0-9]{30}$/);
        expect(id.startsWith(idPrefix) && secret.startsWith(secretPrefix)).toBe(true);
        expect(await c.clientIdEnvironment(id)).toBe(environment);
        expect(await c.secretEnvironment(secret)).toBe(environment);
        expect(secretShapeEnvironment(secret)).toBe(environment);
      }
    },
  );

  it("22 random base62 characters carry at least 128 bits, and the tag at least 40", () => {
    expect(22 * Math.log2(62)).toBeGreaterThanOrEqual(128);
    expect(8 * Math.log2(62)).toBeGreaterThanOrEqual(40);
  });

  it("workflow IDs and admin secrets pass their own check only", async () => {
    const c = await tags();
    const wf = await c.newWorkflowId();
    const admin = await c.newAdminSecret();
    expect(wf).toMatch(/^wf_[A-Za-z0-9]{30}$/);
    expect(admin).toMatch(/^nafsi_admin_[A-Za-z0-9]{30}$/);
    expect(await c.isWorkflowId(wf)).toBe(true);
    expect(await c.isAdminSecret(admin)).toBe(true);
    expect(await c.clientIdEnvironment(wf)).toBeNull();
    expect(await c.secretEnvironment(wf)).toBeNull();
    expect(await c.isWorkflowId(admin)).toBe(false);
    expect(await c.isAdminSecret(wf)).toBe(false);
    expect(await c.isWorkflowId(await c.newClientId("production"))).toBe(false);
  });

  it("values do not repeat, and the random part uses the whole alphabet", async () => {
    const c = await tags();
    const values = await Promise.all(Array.from({ length: 1000 }, () => c.newClientSecret("production")));
    expect(new Set(values).size).toBe(values.length);
    const seen = new Set(values.flatMap((v) => [...v.slice(8, 30)]));
    expect(seen.size).toBe(62);
  });

  it("lastFour is the last four characters", async () => {
    const secret = await (await tags()).newClientSecret("production");
    expect(lastFour(secret)).toBe(secret.slice(-4));
  });
});

describe("checking", () => {
  it.each(ENVIRONMENTS)("every one-character change of a %s client ID fails its tag", async (environment) => {
    const c = await tags();
    const id = await c.newClientId(environment);
    let n = 0;
    for (const changed of oneCharChanges(id, PREFIX.clientId[environment].length)) {
      expect(await c.clientIdEnvironment(changed), changed).toBeNull();
      n++;
    }
    expect(n).toBe(30 * 61);
  });

  it("every one-character change of a secret fails its tag", async () => {
    const c = await tags();
    const secret = await c.newClientSecret("sandbox");
    for (const changed of oneCharChanges(secret, PREFIX.secret.sandbox.length)) {
      expect(await c.secretEnvironment(changed), changed).toBeNull();
    }
  });

  it.each(ENVIRONMENTS)(
    "the tag covers the prefix: a %s value relabelled to the other environment fails",
    async (e) => {
      const c = await tags();
      const id = await c.newClientId(e);
      const secret = await c.newClientSecret(e);
      expect(await c.clientIdEnvironment(PREFIX.clientId[other(e)] + id.slice(PREFIX.clientId[e].length))).toBeNull();
      expect(await c.secretEnvironment(PREFIX.secret[other(e)] + secret.slice(PREFIX.secret[e].length))).toBeNull();
    },
  );

  it("random values of the right shape are refused, and so are values with a public checksum", async () => {
    const c = await tags();
    let accepted = 0;
    for (let i = 0; i < 1000; i++) {
      if ((await c.clientIdEnvironment(`nafsi_live_${randomBody(30)}`)) !== null) accepted++;
      if ((await c.secretEnvironment(`sk_live_${randomBody(30)}`)) !== null) accepted++;
      if (await c.isWorkflowId(`wf_${randomBody(30)}`)) accepted++;
    }
    expect(accepted).toBe(0);
    // The old format: 22 random + a 6-character CRC32 anyone can compute.
    expect(await c.clientIdEnvironment(`nafsi_live_${randomBody(28)}`)).toBeNull();
  });

  it("a value minted under another key is refused; the previous key still verifies during a rotation", async () => {
    const old = await Credentials.fromKeys(["the-old-key"]);
    const rotated = await Credentials.fromKeys([KEY, "the-old-key"]);
    const current = await tags();
    const minted = await old.newClientId("production");
    expect(await current.clientIdEnvironment(minted)).toBeNull();
    expect(await rotated.clientIdEnvironment(minted)).toBe("production");
    // New values are tagged with the current key: they outlive the previous one.
    const fresh = await rotated.newClientId("production");
    expect(await current.clientIdEnvironment(fresh)).toBe("production");
    expect(await old.clientIdEnvironment(fresh)).toBeNull();
  });

  it("credentialsOf needs CREDENTIAL_TAG_KEY and uses the previous key too", async () => {
    await expect(credentialsOf({})).rejects.toBeInstanceOf(TagKeyMissing);
    await expect(credentialsOf({ CREDENTIAL_TAG_KEY_PREVIOUS: "x" })).rejects.toBeInstanceOf(TagKeyMissing);
    const old = await Credentials.fromKeys(["prev"]);
    const both = await credentialsOf({ CREDENTIAL_TAG_KEY: KEY, CREDENTIAL_TAG_KEY_PREVIOUS: "prev" });
    expect(await both.secretEnvironment(await old.newClientSecret("sandbox"))).toBe("sandbox");
    expect(await credentialsOf({ CREDENTIAL_TAG_KEY: KEY })).toBe(await credentialsOf({ CREDENTIAL_TAG_KEY: KEY }));
  });

  it.each([
    ["empty", ""],
    ["prefix only", "nafsi_live_"],
    ["upper-case prefix", (id: string) => id.replace("nafsi_live_", "NAFSI_LIVE_")],
    ["leading space", (id: string) => ` ${id}`],
    ["trailing newline", (id: string) => `${id}\n`],
    ["one character short", (id: string) => id.slice(0, -1)],
    ["one character long", (id: string) => `${id}0`],
    ["a dash inside", (id: string) => `${id.slice(0, 20)}-${id.slice(21)}`],
    ["non-ASCII inside", (id: string) => `${id.slice(0, 20)}é${id.slice(21)}`],
    ["very long", (id: string) => id + "a".repeat(1000)],
  ])("a client ID that is %s is refused", async (_label, make) => {
    const c = await tags();
    const id = await c.newClientId("production");
    expect(await c.clientIdEnvironment(typeof make === "string" ? make : make(id))).toBeNull();
  });

  it("secrets with surrounding white space are refused", async () => {
    const c = await tags();
    const secret = await c.newClientSecret("production");
    expect(await c.secretEnvironment(` ${secret}`)).toBeNull();
    expect(await c.secretEnvironment(`${secret}\t`)).toBeNull();
    expect(secretShapeEnvironment(` ${secret}`)).toBeNull();
  });
});
