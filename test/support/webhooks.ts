/**
 * Webhook endpoints for tests: created through the real API, receiving at the `webhook.test`
 * receiver of the auxiliary worker (test/fixtures/upstream-worker.js), a real HTTP service.
 */
import { createExecutionContext, createMessageBatch, env, getQueueResult } from "cloudflare:test";
import worker from "../../src/index";
import { newOpaqueId } from "../../src/domain/credentials";
import type { DeliveryMessage } from "../../src/storage/webhook-deliveries";
import { adminJson, sleep } from "./helpers";
import { asJson } from "./tokens";

/** A receiver URL: `POST` records the request under `key`; `status` and `delay_ms` shape the answer. */
export const hookUrl = (key: string, query = "") => `https://webhook.test/hook/${key}${query}`;

export interface Received {
  headers: Record<string, string>;
  body: string;
  received_at: number;
}

export async function received(key: string): Promise<Received[]> {
  return (await (await fetch(`http://webhook.test/received/${key}`)).json()) as Received[];
}

/** Polls the receiver until `count` requests arrived under `key` (the real queue consumer delivers them). */
export async function waitForReceived(key: string, count = 1, timeoutMs = 15_000): Promise<Received[]> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const got = await received(key);
    if (got.length >= count) return got;
    if (Date.now() > until) throw new Error(`receiver ${key}: ${got.length} of ${count} requests arrived`);
    await sleep(50);
  }
}

export interface CreatedEndpoint {
  endpoint: any;
  secret: string;
}

export async function createEndpoint(fields: Record<string, unknown> = {}, token?: string): Promise<CreatedEndpoint> {
  const body = { url: hookUrl(crypto.randomUUID()), events: ["*"], ...fields };
  const { status, body: json } = token
    ? await asJson(token, "POST", "/admin/webhook-endpoints", body)
    : await adminJson("POST", "/admin/webhook-endpoints", body);
  if (status !== 201) throw new Error(`createEndpoint: ${status} ${JSON.stringify(json)}`);
  return json as CreatedEndpoint;
}

export async function deliveriesOf(endpointId: string): Promise<any[]> {
  const { status, body } = await adminJson("GET", `/admin/webhook-endpoints/${endpointId}/deliveries?limit=100`);
  if (status !== 200) throw new Error(`deliveriesOf: ${status}`);
  return body.deliveries;
}

/**
 * A pending delivery of a fresh event to `endpointId`, written straight to D1 with no queue
 * message: the test hands its messages to the consumer itself, on its own clock.
 */
export async function pendingDelivery(endpointId: string, now: number, type = "webhook.test"): Promise<string> {
  const eventId = newOpaqueId("evt_");
  const deliveryId = newOpaqueId("whd_");
  const body = JSON.stringify({ type, timestamp: new Date(now).toISOString(), data: { hello: "world" } });
  await env.DB.batch([
    env.DB.prepare(
      "INSERT INTO webhook_events (id, type, client_id, body, created_at) VALUES (?1, ?2, NULL, ?3, ?4)",
    ).bind(eventId, type, body, now),
    env.DB.prepare(
      `INSERT INTO webhook_deliveries (id, event_id, endpoint_id, event_type, status, attempts, created_at, next_attempt_at)
       VALUES (?1, ?2, ?3, ?4, 'pending', 0, ?5, ?5)`,
    ).bind(deliveryId, eventId, endpointId, type, now),
  ]);
  return deliveryId;
}

export interface QueuedMessage {
  body: DeliveryMessage;
  /** How many times the queue has handed this message over, this time included. */
  attempts: number;
}

/** Runs the Worker's queue() on one batch and answers what it did with each message. */
export async function consume(messages: QueuedMessage[]) {
  const batch = createMessageBatch<DeliveryMessage>(
    "nafsi-webhook-deliveries",
    messages.map((m, i) => ({ id: `msg-${i}-${crypto.randomUUID()}`, timestamp: new Date(), ...m })),
  );
  const ctx = createExecutionContext();
  await (worker.queue as ExportedHandlerQueueHandler<Env>)(batch as MessageBatch, env, ctx);
  return getQueueResult(batch, ctx);
}

export async function deliveryRow(id: string): Promise<Record<string, any> | null> {
  return env.DB.prepare("SELECT * FROM webhook_deliveries WHERE id = ?1").bind(id).first();
}
