/**
 * verifyWebhook on Standard Webhooks deliveries (a webhook endpoint's `whsec_…` secret): every
 * signature here is made by the reference implementation (the `standardwebhooks` package), not by
 * the SDK, so the two agree on the format and not merely with themselves.
 */
import { randomBytes } from "node:crypto";
import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { verifyWebhook } from "../src/index.js";
import { refusal } from "./refusal.js";

const secretOf = () => `whsec_${randomBytes(32).toString("base64")}`;
const SECRET = secretOf();
const NOW = Date.UTC(2026, 0, 28, 12);
const T = Math.floor(NOW / 1000);
const now = () => NOW;
const ID = "evt_2Lq9XvR4mT8sKp1Zb7Nc3Dw0";
const event = {
  type: "failed_authentication",
  timestamp: "2026-01-28T12:00:00.000Z",
  data: {
    id: "alr_1",
    client_id: "nafsi_live_a",
    type: "failed_authentication",
    message: "5 failed authentications in the last minute.",
    triggered_at: "2026-01-28T12:00:00.000Z",
    details: { failed_authentications: 5, threshold: 5 },
  },
};
const body = JSON.stringify(event);

/** The three headers, as the reference implementation signs them. */
function signed(opts: { secret?: string; id?: string; t?: number; payload?: string } = {}) {
  const { secret = SECRET, id = ID, t = T, payload = body } = opts;
  return {
    "webhook-id": id,
    "webhook-timestamp": String(t),
    "webhook-signature": new Webhook(secret).sign(id, new Date(t * 1000), payload),
  };
}

describe("verifyWebhook with Standard Webhooks headers", () => {
  it("accepts a delivery signed by the reference implementation, from a Headers, a plain object or Node's headers", async () => {
    const headers = signed();
    await expect(verifyWebhook(body, new Headers(headers), SECRET, { now })).resolves.toEqual(event);
    await expect(verifyWebhook(body, headers, SECRET, { now })).resolves.toEqual(event);
    // Any case, values as Node's IncomingHttpHeaders (string or string[]), bytes as a Buffer.
    const node = {
      "Webhook-Id": [headers["webhook-id"]],
      "WEBHOOK-TIMESTAMP": headers["webhook-timestamp"],
      "webhook-signature": [headers["webhook-signature"]],
      "content-type": "application/json",
      "x-forwarded-for": ["a", "b"],
      absent: undefined,
    };
    await expect(verifyWebhook(Buffer.from(body), node, SECRET, { now })).resolves.toEqual(event);
    await expect(verifyWebhook(new TextEncoder().encode(body).buffer, headers, SECRET, { now })).resolves.toEqual(
      event,
    );
  });

  it("the reference implementation accepts what it signed (the fixture itself is sound)", () => {
    const headers = signed({ t: Math.floor(Date.now() / 1000) });
    expect(new Webhook(SECRET).verify(body, headers)).toEqual(event);
  });

  it("accepts two signatures of which one matches (during a rotation), in either order", async () => {
    const fresh = signed();
    const old = signed({ secret: secretOf() });
    for (const signature of [
      `${old["webhook-signature"]} ${fresh["webhook-signature"]}`,
      `${fresh["webhook-signature"]} ${old["webhook-signature"]}`,
    ]) {
      await expect(verifyWebhook(body, { ...fresh, "webhook-signature": signature }, SECRET, { now })).resolves.toEqual(
        event,
      );
    }
    // A header repeated rather than space separated (Headers and Node join them with ", ").
    const repeated = new Headers(fresh);
    repeated.set("webhook-signature", old["webhook-signature"]);
    repeated.append("webhook-signature", fresh["webhook-signature"]);
    await expect(verifyWebhook(body, repeated, SECRET, { now })).resolves.toEqual(event);
  });

  it("rejects two signatures of which none matches, and signatures of another version", async () => {
    const a = signed({ secret: secretOf() })["webhook-signature"];
    const b = signed({ secret: secretOf() })["webhook-signature"];
    await refusal(verifyWebhook(body, { ...signed(), "webhook-signature": `${a} ${b}` }, SECRET, { now }));
    const v2 = signed()["webhook-signature"].replace("v1,", "v2,");
    await refusal(verifyWebhook(body, { ...signed(), "webhook-signature": v2 }, SECRET, { now }));
  });

  it("rejects a tampered body, id or timestamp", async () => {
    const headers = signed();
    await refusal(verifyWebhook(body.replace('"threshold":5', '"threshold":6'), headers, SECRET, { now }));
    await refusal(verifyWebhook(`${body} `, headers, SECRET, { now }));
    await refusal(verifyWebhook(body, { ...headers, "webhook-id": `${ID}x` }, SECRET, { now }));
    await refusal(verifyWebhook(body, { ...headers, "webhook-timestamp": String(T - 1) }, SECRET, { now }));
  });

  it("rejects a wrong secret, and a secret that is not base64", async () => {
    await refusal(verifyWebhook(body, signed(), secretOf(), { now }));
    await refusal(verifyWebhook(body, signed(), "whsec_not base64!", { now }));
    await refusal(verifyWebhook(body, signed(), "whsec_", { now }));
  });

  it("rejects a stale or future timestamp (300 s by default, either way), and takes toleranceSeconds", async () => {
    await expect(verifyWebhook(body, signed({ t: T - 300 }), SECRET, { now })).resolves.toEqual(event);
    await refusal(verifyWebhook(body, signed({ t: T - 301 }), SECRET, { now }));
    await refusal(verifyWebhook(body, signed({ t: T + 301 }), SECRET, { now }));
    await expect(
      verifyWebhook(body, signed({ t: T - 3600 }), SECRET, { now, toleranceSeconds: 3600 }),
    ).resolves.toEqual(event);
    await refusal(verifyWebhook(body, signed({ t: T - 11 }), SECRET, { now, toleranceSeconds: 10 }));
  });

  it("rejects every delivery when toleranceSeconds is not a positive finite number", async () => {
    for (const toleranceSeconds of [NaN, Infinity, -Infinity, 0, -1, "300" as unknown as number]) {
      const error = await refusal(verifyWebhook(body, signed(), SECRET, { now, toleranceSeconds }));
      expect(error.message, String(toleranceSeconds)).toContain("toleranceSeconds");
    }
  });

  it("rejects an empty secret", async () => {
    for (const secret of ["", undefined as unknown as string, null as unknown as string]) {
      await refusal(verifyWebhook(body, signed(), secret, { now }));
    }
  });

  it("rejects missing or malformed headers", async () => {
    const full = signed();
    for (const name of ["webhook-id", "webhook-timestamp", "webhook-signature"] as const) {
      const { [name]: _dropped, ...rest } = full;
      await refusal(verifyWebhook(body, rest, SECRET, { now }));
      await refusal(verifyWebhook(body, new Headers(rest), SECRET, { now }));
    }
    await refusal(verifyWebhook(body, {}, SECRET, { now }));
    await refusal(verifyWebhook(body, new Headers(), SECRET, { now }));
    await refusal(verifyWebhook(body, null, SECRET, { now }));
    for (const [name, value] of [
      ["webhook-timestamp", "soon"],
      ["webhook-timestamp", `${T}.5`],
      ["webhook-timestamp", ""],
      ["webhook-id", ""],
      ["webhook-signature", ""],
      ["webhook-signature", "v1"],
      ["webhook-signature", "v1,"],
      ["webhook-signature", "v1,not*base64"],
      ["webhook-signature", full["webhook-signature"].slice(0, -4)],
    ] as const) {
      await refusal(verifyWebhook(body, { ...full, [name]: value }, SECRET, { now }));
    }
    // Two different ids (a repeated header) are not one id.
    await refusal(verifyWebhook(body, { ...full, "webhook-id": [ID, "evt_other"] }, SECRET, { now }));
  });

  it("headers carrying X-Nafsi-Signature are checked the old way (the ALERT_WEBHOOK_URL scheme)", async () => {
    const { createHmac } = await import("node:crypto");
    const secret = "alert-webhook-secret";
    const header = `t=${T},v1=${createHmac("sha256", secret).update(`${T}.${body}`).digest("hex")}`;
    await expect(verifyWebhook(body, { "X-Nafsi-Signature": header }, secret, { now })).resolves.toEqual(event);
    await expect(verifyWebhook(body, new Headers({ "x-nafsi-signature": header }), secret, { now })).resolves.toEqual(
      event,
    );
    await refusal(verifyWebhook(body, { "X-Nafsi-Signature": header }, "other", { now }));
    // A whsec_ secret with neither kind of header expects Standard Webhooks: missing headers.
    await refusal(verifyWebhook(body, { "content-type": "application/json" }, SECRET, { now }));
  });
});
