/**
 * Our reading of GitHub's DER signatures, checked against an implementation we did not write:
 * OpenSSL (node:crypto, `dsaEncoding: "der"`), which takes only the one DER encoding of a
 * signature. Runs in Node (vitest.node.config.ts) because the Workers runtime has no OpenSSL.
 */
import { type KeyObject, generateKeyPairSync, sign, verify } from "node:crypto";
import { describe, expect, it } from "vitest";
import { derToRaw } from "../../src/partners/github-signature";
import { hasPaddedInteger, malformedVariants } from "../support/der-variants";

const { publicKey, privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
const body = Buffer.from(JSON.stringify([{ token: "nafsi_sk_example", type: "nafsi_client_secret" }]));

const opensslTakes = (key: KeyObject, signature: Uint8Array, dsaEncoding: "der" | "ieee-p1363") => {
  try {
    return verify("sha256", body, { key, dsaEncoding }, signature);
  } catch {
    return false; // OpenSSL refuses some encodings by throwing rather than answering false
  }
};

const signDer = () => new Uint8Array(sign("sha256", body, { key: privateKey, dsaEncoding: "der" }));

describe("GitHub signature DER, against OpenSSL", () => {
  it("OpenSSL's own signatures (short integers included) convert to an r||s that OpenSSL verifies", () => {
    // 400 signatures: about one r or s in 128 has a leading zero byte, so short integers occur.
    for (let i = 0; i < 400; i++) {
      const der = signDer();
      const raw = derToRaw(der);
      expect(raw, Buffer.from(der).toString("hex")).not.toBeNull();
      expect(opensslTakes(publicKey, raw!, "ieee-p1363")).toBe(true);
    }
  });

  let der = signDer();
  while (!hasPaddedInteger(der)) der = signDer();

  it.each(malformedVariants(der))("%s: OpenSSL refuses it, and so do we", (_, variant) => {
    expect(opensslTakes(publicKey, der, "der")).toBe(true);
    expect(opensslTakes(publicKey, variant, "der")).toBe(false);
    expect(derToRaw(variant)).toBeNull();
  });
});
