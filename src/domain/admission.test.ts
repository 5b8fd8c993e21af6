import { describe, expect, it } from "vitest";
import { batchVerdicts, checkCredential, type CredentialProof } from "./admission";
import { DEFAULT_ALERT_SETTINGS } from "./alert-settings";
import type { ClientRecord } from "./records";

const hex = (c: string) => c.repeat(64);
const NOW = 1_800_000_000_000;

const client: ClientRecord = {
  id: "nafsi_live_x",
  name: "C",
  environment: "production",
  rateLimit: 10,
  retentionDays: 30,
  status: "active",
  secretHash: hex("a"),
  secretLastFour: "aaaa",
  secretVersion: 2,
  previousSecretHash: hex("b"),
  previousSecretVersion: 1,
  previousSecretExpiresAt: NOW + 1000,
  createdAt: 0,
  updatedAt: 0,
  lastUsedAt: null,
  secretRotatedAt: null,
  revokedAt: null,
  region: null,
  organizationId: "org_default",
  alertSettings: DEFAULT_ALERT_SETTINGS,
};
const secret = (h: string): CredentialProof => ({ kind: "secret", secretHash: h });

describe("batchVerdicts", () => {
  it("gives each entry of a mixed batch checkCredential's verdict, and checks a repeated secret once", () => {
    const workflows = new Map();
    const proofs = [secret(hex("a")), secret(hex("c")), secret(hex("a")), secret(hex("b")), secret(hex("c"))];
    const verdictOf = batchVerdicts(client, workflows, NOW);
    const verdicts = proofs.map(verdictOf);
    expect(verdicts).toEqual(proofs.map((p) => checkCredential(client, workflows, p, NOW)));
    expect(verdicts.map((v) => v.outcome)).toEqual(["valid", "denied", "valid", "valid", "denied"]);
    // The same verdict object for the same secret: it was decided once.
    expect(verdicts[2]).toBe(verdicts[0]);
    expect(verdicts[4]).toBe(verdicts[1]);
    // A new batch decides afresh (the client may have changed between calls).
    const revoked = batchVerdicts({ ...client, status: "revoked" }, workflows, NOW)(secret(hex("a")));
    expect(revoked).toEqual({ outcome: "denied", code: "client_revoked" });
  });
});
