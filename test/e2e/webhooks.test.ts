// Webhook endpoints against the real Worker (wrangler dev, with its local queue): a receiver on a
// loopback port gets real alerts, signed as Standard Webhooks and verified with the reference
// `standardwebhooks` package, and a delivery answered with a 500 comes back with the same webhook-id.
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NafsiAdmin } from "../../sdk/src/index.js";
import { eventually } from "./support/console";
import { gateway } from "./support/shared";
import { type Receiver, startReceiver } from "./support/webhook-receiver";

/** Paths that answer 500 to their first request, then 204. */
const failOnce = new Set<string>();
let server: Receiver;
let receiver: string;
let admin: NafsiAdmin;

beforeAll(async () => {
  server = await startReceiver((path) => (failOnce.delete(path) ? 500 : 204));
  receiver = server.url;
  admin = new NafsiAdmin({ baseUrl: gateway().baseUrl, token: gateway().adminToken });
});

afterAll(() => server.close());

const arrivalsAt = (path: string) => server.arrivalsAt(path);

describe("webhook endpoints against the gateway", () => {
  it("failed authentications raise an alert that arrives signed and verifies with standardwebhooks", async () => {
    const { client, client_secret: oldSecret } = await admin.clients.create({
      name: "Webhook e2e",
      environment: "production",
    });
    const path = `/alerts/${client.id}`;
    const { endpoint, secret } = await admin.webhookEndpoints.create({
      url: receiver + path,
      events: ["failed_authentication"],
      client_ids: [client.id],
    });
    expect(endpoint.status).toBe("enabled");
    // The first secret, replaced at once: well-formed, tagged, and wrong.
    await admin.clients.regenerateSecret(client.id);
    for (let i = 0; i < 6; i++) {
      const res = await fetch(`${gateway().baseUrl}/v1/ping`, {
        headers: { "X-Client-ID": client.id, "X-Client-Secret": oldSecret },
      });
      expect(res.status).toBe(401);
      await res.body?.cancel();
    }
    const [arrival] = await eventually(async () => (arrivalsAt(path).length ? arrivalsAt(path) : undefined), 45_000);
    const payload = new Webhook(secret).verify(arrival!.body, arrival!.headers) as any;
    expect(payload.type).toBe("failed_authentication");
    expect(payload.data).toMatchObject({ client_id: client.id, type: "failed_authentication" });
    expect(arrival!.headers["content-type"]).toBe("application/json");
    expect(arrival!.headers["webhook-id"]).toMatch(/^evt_/);

    const deliveries = [];
    for await (const d of admin.webhookEndpoints.deliveries(endpoint.id)) deliveries.push(d);
    expect(deliveries).toHaveLength(1);
    expect(deliveries[0]!.event_id).toBe(arrival!.headers["webhook-id"]);
  });

  it("a receiver that answers 500 once gets the retry about 5 s later, with the same webhook-id", async () => {
    const path = `/flaky/${Math.random().toString(36).slice(2)}`;
    failOnce.add(path);
    const { endpoint, secret } = await admin.webhookEndpoints.create({ url: receiver + path, events: ["*"] });
    const { delivery } = await admin.webhookEndpoints.test(endpoint.id);
    const [first, second] = await eventually(
      async () => (arrivalsAt(path).length >= 2 ? arrivalsAt(path) : undefined),
      45_000,
    );
    expect(second!.headers["webhook-id"]).toBe(first!.headers["webhook-id"]);
    expect(second!.headers["webhook-id"]).toBe(delivery.event_id);
    // The schedule's first wait is 5 s ± 10 %: never sooner.
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(4_000);
    expect(new Webhook(secret).verify(second!.body, second!.headers)).toMatchObject({ type: "webhook.test" });
    const settled = await eventually(async () => {
      const { endpoint: e } = await admin.webhookEndpoints.get(endpoint.id);
      for await (const d of admin.webhookEndpoints.deliveries(e.id)) if (d.status === "succeeded") return d;
      return undefined;
    });
    expect(settled).toMatchObject({ attempts: 2, response_status: 204, error: null });
  });
});
