import { describe, expect, it } from "vitest";
import { decryptWebhookSecret, encryptWebhookSecret, newWebhookSecret, webhookKeyBytes } from "./webhook-secret";

const KEYS = { CREDENTIAL_TAG_KEY: "current-tag-key-0123456789abcdef0123" };

describe("webhook signing secrets", () => {
  it("are whsec_ + base64 of 32 random bytes", () => {
    const secret = newWebhookSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(webhookKeyBytes(secret)).toHaveLength(32);
    expect(newWebhookSecret()).not.toBe(secret);
  });

  it("are stored encrypted, readable only for their own endpoint, under the current or the previous key", async () => {
    const secret = newWebhookSecret();
    const sealed = await encryptWebhookSecret(KEYS, "whe_a", secret);
    expect(sealed).toMatch(/^v1\./);
    expect(sealed).not.toContain(secret.slice(6));
    expect(await encryptWebhookSecret(KEYS, "whe_a", secret)).not.toBe(sealed); // a fresh IV each time
    expect(await decryptWebhookSecret(KEYS, "whe_a", sealed)).toBe(secret);
    // Copied to another endpoint's row: the additional data no longer matches.
    expect(await decryptWebhookSecret(KEYS, "whe_b", sealed)).toBeNull();
    // After CREDENTIAL_TAG_KEY is rotated, the previous key still opens it; without it, nothing does.
    const rotated = {
      CREDENTIAL_TAG_KEY: "next-tag-key-0123456789abcdef012345",
      CREDENTIAL_TAG_KEY_PREVIOUS: KEYS.CREDENTIAL_TAG_KEY,
    };
    expect(await decryptWebhookSecret(rotated, "whe_a", sealed)).toBe(secret);
    expect(await decryptWebhookSecret({ CREDENTIAL_TAG_KEY: rotated.CREDENTIAL_TAG_KEY }, "whe_a", sealed)).toBeNull();
  });
});
