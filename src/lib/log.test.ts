import { describe, expect, it } from "vitest";
import { describeError, redact } from "./log";

describe("log redaction", () => {
  it("cuts a failed query's parameters", () => {
    const msg = redact(
      'Failed query: update "clients" set "secret_hash" = ? params: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08,nafsi_live_x',
    );
    expect(msg).toBe('Failed query: update "clients" set "secret_hash" = ? params: [redacted]');
  });

  it("masks hashes, secrets and JWTs anywhere in a message", () => {
    const hash = "a".repeat(64);
    const msg = redact(`boom ${hash} sk_live_AbC123xyz and sk_test_Q1 eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.sig`);
    expect(msg).not.toContain(hash);
    expect(msg).not.toMatch(/sk_(live|test)_/);
    expect(msg).not.toContain("eyJ");
    expect(msg).toContain("[hash]");
    expect(msg).toContain("[secret]");
    expect(msg).toContain("[token]");
  });

  it("never includes a stack", () => {
    const described = describeError(new Error("x"));
    expect(Object.keys(described).sort()).toEqual(["error_message", "error_name"]);
    expect(JSON.stringify(described)).not.toContain("at ");
  });
});
