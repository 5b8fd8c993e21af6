/**
 * src/auth/credentials.ts: prefixes, alphabet, length (≥ 128 random bits), and the checksum that
 * refuses a mistyped or random value without any storage lookup.
 */
import { describe, expect, it } from "vitest";
import {
  PREFIX,
  clientIdEnvironment,
  isWorkflowId,
  lastFour,
  newClientId,
  newClientSecret,
  newWorkflowId,
  secretEnvironment,
} from "./credentials";

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const ENVIRONMENTS = ["production", "sandbox"] as const;
const other = (e: (typeof ENVIRONMENTS)[number]) => (e === "production" ? "sandbox" : "production");

/** Every value that differs from `value` in exactly one character after `from`. */
function* oneCharChanges(value: string, from: number): Generator<string> {
  for (let i = from; i < value.length; i++) {
    for (const c of BASE62) if (c !== value[i]) yield value.slice(0, i) + c + value.slice(i + 1);
  }
}

describe("minting", () => {
  it.each(ENVIRONMENTS)("%s client IDs and secrets carry their prefix and only base62 after it", (environment) => {
    const idPrefix = environment === "production" ? "nafsi_live_" : "nafsi_test_";
    const secretPrefix = environment === "production" ? "sk_live_" : "sk_test_";
    expect(PREFIX.clientId[environment]).toBe(idPrefix);
    expect(PREFIX.secret[environment]).toBe(secretPrefix);
    for (let i = 0; i < 200; i++) {
      const id = newClientId(environment);
      const secret = newClientSecret(environment);
      expect(id.startsWith(idPrefix)).toBe(true);
      expect(secret.startsWith(secretPrefix)).toBe(true);
      expect(id.slice(idPrefix.length)).toMatch(/^[A-Za-z0-9]{28}$/);
      expect(secret.slice(secretPrefix.length)).toMatch(/^[A-Za-z0-9]{28}$/);
      expect(clientIdEnvironment(id)).toBe(environment);
      expect(secretEnvironment(secret)).toBe(environment);
    }
  });

  it("22 random base62 characters carry at least 128 bits", () => {
    expect(22 * Math.log2(62)).toBeGreaterThanOrEqual(128);
  });

  it("workflow IDs are wf_ + base62 and pass their own check only", () => {
    const wf = newWorkflowId();
    expect(wf).toMatch(/^wf_[A-Za-z0-9]{28}$/);
    expect(isWorkflowId(wf)).toBe(true);
    expect(clientIdEnvironment(wf)).toBeNull();
    expect(secretEnvironment(wf)).toBeNull();
    expect(isWorkflowId(newClientId("production"))).toBe(false);
  });

  it("values do not repeat, and the random part uses the whole alphabet", () => {
    const values = Array.from({ length: 2000 }, () => newClientSecret("production"));
    expect(new Set(values).size).toBe(values.length);
    const seen = new Set(values.flatMap((v) => [...v.slice(8, 30)]));
    expect(seen.size).toBe(62);
  });

  it("the random characters are roughly uniform (no modulo bias toward the first characters)", () => {
    const counts = new Map<string, number>();
    let total = 0;
    for (let i = 0; i < 3000; i++) {
      for (const c of newClientSecret("sandbox").slice(8, 30)) {
        counts.set(c, (counts.get(c) ?? 0) + 1);
        total++;
      }
    }
    const expected = total / 62;
    // χ² with 61 degrees of freedom: the 99.999th percentile is about 122.
    let chi2 = 0;
    for (const c of BASE62) chi2 += ((counts.get(c) ?? 0) - expected) ** 2 / expected;
    expect(chi2).toBeLessThan(140);
  });

  it("lastFour is the last four characters", () => {
    const secret = newClientSecret("production");
    expect(lastFour(secret)).toBe(secret.slice(-4));
    expect(lastFour(secret)).toHaveLength(4);
  });
});

describe("checking", () => {
  it.each(ENVIRONMENTS)("every one-character change of a %s client ID fails its checksum", (environment) => {
    const id = newClientId(environment);
    let n = 0;
    for (const changed of oneCharChanges(id, PREFIX.clientId[environment].length)) {
      expect(clientIdEnvironment(changed), changed).toBeNull();
      n++;
    }
    expect(n).toBe(28 * 61);
  });

  it.each(ENVIRONMENTS)("every one-character change of a %s secret fails its checksum", (environment) => {
    const secret = newClientSecret(environment);
    for (const changed of oneCharChanges(secret, PREFIX.secret[environment].length)) {
      expect(secretEnvironment(changed), changed).toBeNull();
    }
  });

  it("swapping two adjacent characters fails the checksum", () => {
    const secret = newClientSecret("production");
    for (let i = 8; i < secret.length - 1; i++) {
      if (secret[i] === secret[i + 1]) continue;
      const swapped = secret.slice(0, i) + secret[i + 1] + secret[i] + secret.slice(i + 2);
      expect(secretEnvironment(swapped)).toBeNull();
    }
  });

  it.each(ENVIRONMENTS)(
    "the checksum covers the prefix: a %s value relabelled to the other environment fails",
    (environment) => {
      const id = newClientId(environment);
      const secret = newClientSecret(environment);
      const relabelledId = PREFIX.clientId[other(environment)] + id.slice(PREFIX.clientId[environment].length);
      const relabelledSecret = PREFIX.secret[other(environment)] + secret.slice(PREFIX.secret[environment].length);
      expect(clientIdEnvironment(relabelledId)).toBeNull();
      expect(secretEnvironment(relabelledSecret)).toBeNull();
    },
  );

  it("random values of the right shape are refused (the checksum is not decorative)", () => {
    let accepted = 0;
    for (let i = 0; i < 2000; i++) {
      let body = "";
      for (let j = 0; j < 28; j++) body += BASE62[Math.floor(Math.random() * 62)];
      if (clientIdEnvironment(`nafsi_live_${body}`) !== null) accepted++;
      if (secretEnvironment(`sk_live_${body}`) !== null) accepted++;
    }
    expect(accepted).toBe(0);
  });

  it("an ID is not a secret and a secret is not an ID", () => {
    for (const environment of ENVIRONMENTS) {
      expect(secretEnvironment(newClientId(environment))).toBeNull();
      expect(clientIdEnvironment(newClientSecret(environment))).toBeNull();
    }
  });

  it.each([
    ["empty", ""],
    ["prefix only", "nafsi_live_"],
    ["upper-case prefix", (id: string) => id.replace("nafsi_live_", "NAFSI_LIVE_")],
    ["leading space", (id: string) => ` ${id}`],
    ["trailing space", (id: string) => `${id} `],
    ["trailing newline", (id: string) => `${id}\n`],
    ["one character short", (id: string) => id.slice(0, -1)],
    ["one character long", (id: string) => `${id}0`],
    ["a dash inside", (id: string) => `${id.slice(0, 20)}-${id.slice(21)}`],
    ["non-ASCII inside", (id: string) => `${id.slice(0, 20)}é${id.slice(21)}`],
    ["very long", (id: string) => id + "a".repeat(1000)],
  ])("a client ID that is %s is refused", (_label, make) => {
    const id = newClientId("production");
    const value = typeof make === "string" ? make : make(id);
    expect(clientIdEnvironment(value)).toBeNull();
  });

  it("secrets with surrounding white space are refused", () => {
    const secret = newClientSecret("production");
    expect(secretEnvironment(` ${secret}`)).toBeNull();
    expect(secretEnvironment(`${secret}\t`)).toBeNull();
    expect(secretEnvironment(secret)).toBe("production");
  });
});
