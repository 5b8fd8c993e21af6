/**
 * Webhook events and deliveries in D1, and the queue messages that carry each delivery's attempts.
 * A delivery is written to D1 before its message is sent, and its (event, endpoint) pair is
 * unique: fanning one event out twice (a retried alarm) adds no row, only a duplicate message,
 * which the consumer recognises (src/queue/webhook-consumer.ts).
 */
import { type SQL, and, eq } from "drizzle-orm";
import { newOpaqueId } from "../domain/credentials";
import { endpointWants } from "../domain/webhook-rules";
import { database, primaryDatabase } from "./database";
import { enabledEndpointsFor } from "./webhook-endpoints";
import { type WebhookDeliveryRow, type WebhookEndpointRow, clients, webhookDeliveries, webhookEvents } from "./schema";

/**
 * One queue message: a delivery, and its attempts recorded when the message was sent. A message
 * redelivered by the queue (message.retry or a crashed consumer) keeps its body and counts its own
 * deliveries in `message.attempts`: with both, the consumer tells the attempt this message is
 * due from one another message already made.
 */
export interface DeliveryMessage {
  delivery_id: string;
  prior_attempts: number;
}

/** What an event carries: the alert as GET /admin/alerts shows it, or the test's data. */
export interface WebhookEvent {
  id: string;
  type: string;
  clientId: string | null;
  /** Epoch ms: the alert's triggered_at. */
  at: number;
  data: Record<string, unknown>;
}

/** The request body every attempt of every delivery of `event` sends, byte for byte. */
export const eventBody = (event: WebhookEvent): string =>
  JSON.stringify({ type: event.type, timestamp: new Date(event.at).toISOString(), data: event.data });

/** A Queue accepts at most 100 messages per sendBatch. */
const SEND_BATCH = 100;

export async function enqueueDeliveries(queue: Queue, messages: DeliveryMessage[]): Promise<void> {
  for (let i = 0; i < messages.length; i += SEND_BATCH) {
    await queue.sendBatch(messages.slice(i, i + SEND_BATCH).map((body) => ({ body, contentType: "json" as const })));
  }
}

/**
 * Writes `event` and one pending delivery per endpoint in `endpoints` (skipping pairs that exist),
 * then sends a message for every still-unattempted delivery of the event. Idempotent: call it again
 * after any failure.
 */
async function recordAndEnqueue(
  db: D1Database,
  queue: Queue,
  event: WebhookEvent,
  endpoints: readonly WebhookEndpointRow[],
  now: number,
): Promise<WebhookDeliveryRow[]> {
  const d = database(db);
  await d.batch([
    d
      .insert(webhookEvents)
      .values({ id: event.id, type: event.type, clientId: event.clientId, body: eventBody(event), createdAt: now })
      .onConflictDoNothing(),
    ...endpoints.map((endpoint) =>
      d
        .insert(webhookDeliveries)
        .values({
          id: newOpaqueId("whd_"),
          eventId: event.id,
          endpointId: endpoint.id,
          eventType: event.type,
          status: "pending",
          attempts: 0,
          createdAt: now,
          lastAttemptAt: null,
          nextAttemptAt: now,
          responseStatus: null,
          error: null,
        })
        .onConflictDoNothing(),
    ),
  ]);
  const rows = await primaryDatabase(db)
    .select()
    .from(webhookDeliveries)
    .where(
      and(
        eq(webhookDeliveries.eventId, event.id),
        eq(webhookDeliveries.status, "pending"),
        eq(webhookDeliveries.attempts, 0),
      ),
    );
  await enqueueDeliveries(
    queue,
    rows.map((r) => ({ delivery_id: r.id, prior_attempts: 0 })),
  );
  return rows;
}

/** An alert's event for every enabled endpoint that wants it (the client's organization's, and the operator's). */
export async function publishAlertEvent(env: Env, event: WebhookEvent, now: number): Promise<number> {
  if (event.clientId === null) return 0;
  const client = await primaryDatabase(env.DB)
    .select({ organizationId: clients.organizationId })
    .from(clients)
    .where(eq(clients.id, event.clientId))
    .get();
  const candidates = await enabledEndpointsFor(env.DB, client?.organizationId ?? null);
  const endpoints = candidates.filter((e) => endpointWants(e, event.type, event.clientId));
  if (endpoints.length === 0) return 0;
  return (await recordAndEnqueue(env.DB, env.WEBHOOK_DELIVERIES, event, endpoints, now)).length;
}

/** A `webhook.test` event for one endpoint, whatever its events and status: the call asks for it. */
export async function publishTestEvent(
  env: Env,
  endpoint: WebhookEndpointRow,
  now: number,
): Promise<WebhookDeliveryRow> {
  const event: WebhookEvent = {
    id: newOpaqueId("evt_"),
    type: "webhook.test",
    clientId: null,
    at: now,
    data: { endpoint_id: endpoint.id, message: "A test event sent from the gateway's management API." },
  };
  try {
    const [row] = await recordAndEnqueue(env.DB, env.WEBHOOK_DELIVERIES, event, [endpoint], now);
    return row!;
  } catch (err) {
    // The caller gets a 503 and no delivery: none may stay pending without a message to carry it.
    await env.DB.batch([
      env.DB.prepare("DELETE FROM webhook_deliveries WHERE event_id = ?1").bind(event.id),
      env.DB.prepare("DELETE FROM webhook_events WHERE id = ?1").bind(event.id),
    ]);
    throw err;
  }
}

export async function deliveryById(db: D1Database, id: string): Promise<WebhookDeliveryRow | undefined> {
  return primaryDatabase(db).select().from(webhookDeliveries).where(eq(webhookDeliveries.id, id)).get();
}

export async function deliveryPage(
  db: D1Database,
  where: SQL | undefined,
  order: SQL[],
  limit: number,
): Promise<WebhookDeliveryRow[]> {
  return database(db)
    .select()
    .from(webhookDeliveries)
    .where(and(where))
    .orderBy(...order)
    .limit(limit);
}

/** `retry`: the delivery is pending again and a message for its next attempt is on the queue. */
export async function retryDelivery(env: Env, row: WebhookDeliveryRow, now: number): Promise<WebhookDeliveryRow> {
  await env.DB.prepare("UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = ?2 WHERE id = ?1")
    .bind(row.id, now)
    .run();
  try {
    await enqueueDeliveries(env.WEBHOOK_DELIVERIES, [{ delivery_id: row.id, prior_attempts: row.attempts }]);
  } catch (err) {
    // Not queued: the delivery is as it was (a pending one still has its own message).
    await env.DB.prepare("UPDATE webhook_deliveries SET status = ?2, next_attempt_at = ?3 WHERE id = ?1")
      .bind(row.id, row.status, row.nextAttemptAt)
      .run();
    throw err;
  }
  return { ...row, status: "pending", nextAttemptAt: now };
}

/** What the consumer needs for one attempt. */
export interface DueDelivery {
  delivery: WebhookDeliveryRow;
  body: string | null;
}

export async function dueDelivery(db: D1Database, id: string): Promise<DueDelivery | null> {
  const row = await primaryDatabase(db)
    .select({ delivery: webhookDeliveries, body: webhookEvents.body })
    .from(webhookDeliveries)
    .leftJoin(webhookEvents, eq(webhookEvents.id, webhookDeliveries.eventId))
    .where(eq(webhookDeliveries.id, id))
    .get();
  return row ?? null;
}

export interface AttemptOutcome {
  status: "pending" | "succeeded" | "failed";
  attempts: number;
  at: number;
  nextAttemptAt: number | null;
  responseStatus: number | null;
  error: string | null;
}

/**
 * Records one attempt, only over the row as the consumer read it (same attempt count): a duplicate
 * message that raced this one changes nothing. True when this write is the one that counted.
 */
export async function recordAttempt(db: D1Database, id: string, before: number, o: AttemptOutcome): Promise<boolean> {
  const { meta } = await db
    .prepare(
      `UPDATE webhook_deliveries SET status = ?3, attempts = ?4, last_attempt_at = ?5, next_attempt_at = ?6,
         response_status = ?7, error = ?8
       WHERE id = ?1 AND attempts = ?2`,
    )
    .bind(id, before, o.status, o.attempts, o.at, o.nextAttemptAt, o.responseStatus, o.error)
    .run();
  return meta.changes === 1;
}

/** Marks a pending delivery failed without an attempt (its endpoint is disabled or gone). */
export async function abandonDelivery(db: D1Database, id: string, error: string): Promise<void> {
  await db
    .prepare(
      "UPDATE webhook_deliveries SET status = 'failed', next_attempt_at = NULL, error = ?2 WHERE id = ?1 AND status = 'pending'",
    )
    .bind(id, error)
    .run();
}
