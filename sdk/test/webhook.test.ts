import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { verifyWebhook } from "../src/index.js";
import { refusal } from "./refusal.js";

const SECRET = "whsec_test_secret";
const NOW = Date.UTC(2026, 0, 28, 12);
const T = Math.floor(NOW / 1000);
const alert = {
  id: "alt_1",
  client_id: "nafsi_live_a",
  type: "rate_limit_approaching",
  message: "90 % of the limit used",
  triggered_at: "2026-01-28T12:00:00.000Z",
  details: { used: 90 },
};
const body = JSON.stringify(alert);
// Signed independently of the SDK (node:crypto), exactly as the gateway's alert webhook signs.
const sign = (t: number, raw: string, secret = SECRET) =>
  `t=${t},v1=${createHmac("sha256", secret).update(`${t}.${raw}`).digest("hex")}`;
const now = () => NOW;

describe("verifyWebhook", () => {
  it("resolves with the parsed alert for a valid signature (string or bytes)", async () => {
    await expect(verifyWebhook(body, sign(T, body), SECRET, { now })).resolves.toEqual(alert);
    await expect(verifyWebhook(new TextEncoder().encode(body), sign(T, body), SECRET, { now })).resolves.toEqual(alert);
  });

  it("accepts any of several v1 signatures", async () => {
    const header = `${sign(T, body, "old_secret")},${sign(T, body).split(",")[1]}`;
    await expect(verifyWebhook(body, header, SECRET, { now })).resolves.toEqual(alert);
  });

  it("rejects a changed body, a wrong secret and a changed timestamp", async () => {
    await refusal(verifyWebhook(body.replace("90", "10"), sign(T, body), SECRET, { now }));
    await refusal(verifyWebhook(body, sign(T, body, "other"), SECRET, { now }));
    await refusal(verifyWebhook(body, sign(T, body).replace(`t=${T}`, `t=${T + 1}`), SECRET, { now }));
  });

  it("rejects every delivery when toleranceSeconds is not a positive finite number", async () => {
    const old = T - 10 * 365 * 86_400; // ten years ago
    await refusal(verifyWebhook(body, sign(old, body), SECRET, { now, toleranceSeconds: 300 }));
    for (const toleranceSeconds of [NaN, Infinity, -Infinity, 0, -1, -300, "300" as unknown as number]) {
      const error = await refusal(verifyWebhook(body, sign(old, body), SECRET, { now, toleranceSeconds }));
      expect(error.message, String(toleranceSeconds)).toContain("toleranceSeconds");
      // Even a fresh, valid signature: the option itself is wrong.
      await refusal(verifyWebhook(body, sign(T, body), SECRET, { now, toleranceSeconds }));
    }
    await expect(verifyWebhook(body, sign(T - 5, body), SECRET, { now, toleranceSeconds: 10 })).resolves.toEqual(alert);
    await expect(verifyWebhook(body, sign(T - 1, body), SECRET, { now, toleranceSeconds: 1.5 })).resolves.toEqual(
      alert,
    );
  });

  it("rejects an empty secret, even for a body signed with the empty key", async () => {
    for (const secret of ["", undefined as unknown as string, null as unknown as string]) {
      await refusal(verifyWebhook(body, sign(T, body, ""), secret, { now }));
    }
  });

  it("rejects malformed and missing headers", async () => {
    for (const header of [
      null,
      undefined,
      "",
      `t=${T}`,
      "v1=" + "0".repeat(64),
      `t=${T},v1=xyz`,
      `t=abc,v1=${"0".repeat(64)}`,
    ]) {
      await refusal(verifyWebhook(body, header, SECRET, { now }));
    }
  });

  it("rejects a timestamp outside the tolerance (300 s by default), either way", async () => {
    await expect(verifyWebhook(body, sign(T - 300, body), SECRET, { now })).resolves.toEqual(alert);
    await refusal(verifyWebhook(body, sign(T - 301, body), SECRET, { now }));
    await refusal(verifyWebhook(body, sign(T + 301, body), SECRET, { now }));
    await expect(verifyWebhook(body, sign(T - 3600, body), SECRET, { now, toleranceSeconds: 3600 })).resolves.toEqual(
      alert,
    );
  });
});
