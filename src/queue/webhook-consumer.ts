/**
 * The webhook delivery queue's consumer (the Worker's `queue()` handler). Each message is one
 * attempt of one delivery: a signed POST (Standard Webhooks headers, src/domain/webhook-
 * signature.ts) that succeeds on a 2xx within 15 s, redirects not followed. A failure is recorded
 * and the same message retried after the schedule's next wait (message.retry with delaySeconds), so
 * the queue, not memory, holds every delivery in between: it survives restarts and deploys.
 *
 * At least once: the delivery row is written before the message is acked or retried, and a write
 * counts only over the row as it was read (same attempt count), so a message redelivered after a
 * crash, or a duplicate from a repeated fan-out, never counts an attempt twice. The messages of a
 * batch run concurrently: a hanging endpoint holds only its own message, for at most 15 s.
 */
import { MAX_DELIVERY_ATTEMPTS, retryDelayMs } from "../domain/webhook-rules";
import { webhookHeaders } from "../domain/webhook-signature";
import { decryptWebhookSecret } from "../domain/webhook-secret";
import { ATTEMPT_TIMEOUT_MS } from "../domain/webhook-rules";
import { clockNow } from "../lib/clock";
import { describeError, log } from "../lib/log";
import type { WebhookEndpointRow } from "../storage/schema";
import {
  type AttemptOutcome,
  type DeliveryMessage,
  abandonDelivery,
  dueDelivery,
  recordAttempt,
} from "../storage/webhook-deliveries";
import { endpointById, recordEndpointFailure, recordEndpointSuccess } from "../storage/webhook-endpoints";

/** How long an attempt waits for an answer: tests shorten it (they never wait 15 s). */
export const attemptTimeout = { ms: ATTEMPT_TIMEOUT_MS };

interface AttemptResult {
  ok: boolean;
  responseStatus: number | null;
  error: string | null;
}

/** One POST; never throws. */
async function attempt(url: string, headers: Record<string, string>, body: string): Promise<AttemptResult> {
  try {
    const res = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", ...headers },
      body,
      redirect: "manual",
      signal: AbortSignal.timeout(attemptTimeout.ms),
    });
    await res.body?.cancel();
    if (res.status >= 200 && res.status < 300) return { ok: true, responseStatus: res.status, error: null };
    const error = res.status >= 300 && res.status < 400 ? "redirect_not_followed" : "non_2xx_response";
    return { ok: false, responseStatus: res.status, error };
  } catch (err) {
    const timeout = err instanceof Error && (err.name === "TimeoutError" || err.name === "AbortError");
    return { ok: false, responseStatus: null, error: timeout ? "timeout" : "connection_error" };
  }
}

/** The secrets that sign now: the current one, and the previous one during its 24 h overlap. */
async function signingSecrets(env: Env, endpoint: WebhookEndpointRow, now: number): Promise<string[] | null> {
  const current = await decryptWebhookSecret(env, endpoint.id, endpoint.secretCiphertext);
  if (current === null) return null;
  const overlap =
    endpoint.previousSecretCiphertext !== null &&
    endpoint.previousSecretExpiresAt !== null &&
    endpoint.previousSecretExpiresAt > now;
  const previous = overlap ? await decryptWebhookSecret(env, endpoint.id, endpoint.previousSecretCiphertext!) : null;
  return previous === null ? [current] : [current, previous];
}

type Verdict = { kind: "ack" } | { kind: "retry"; delaySeconds: number };

/** What one message comes to: the attempt it is due for (if any), recorded, and ack or retry. */
export async function handleDeliveryMessage(env: Env, message: Message<DeliveryMessage>): Promise<Verdict> {
  const { delivery_id: deliveryId, prior_attempts: prior } = message.body;
  const due = await dueDelivery(env.DB, deliveryId);
  // Gone (its endpoint was deleted, or purged) or already settled: nothing to do.
  if (!due || due.delivery.status !== "pending" || due.body === null) return { kind: "ack" };
  const { delivery } = due;
  // Another message already made the attempt this one is due for (a duplicate, or a retry call's).
  if (delivery.attempts > prior + message.attempts - 1) return { kind: "ack" };
  const endpoint = await endpointById(env.DB, delivery.endpointId);
  if (!endpoint || endpoint.status !== "enabled") {
    await abandonDelivery(env.DB, delivery.id, "endpoint_disabled");
    return { kind: "ack" };
  }
  const now = clockNow();
  const secrets = await signingSecrets(env, endpoint, now);
  if (secrets === null) {
    // CREDENTIAL_TAG_KEY is missing or changed without its previous value: a configuration error
    // an operator fixes; the queue keeps the message meanwhile.
    log("error", "webhook_secret_unreadable", { endpoint_id: endpoint.id });
    return { kind: "retry", delaySeconds: 60 };
  }
  const headers = await webhookHeaders(secrets, delivery.eventId, Math.floor(now / 1000), due.body);
  const result = await attempt(endpoint.url, headers, due.body);
  const attempts = delivery.attempts + 1;
  const delay = result.ok ? null : retryDelayMs(attempts);
  const final = result.ok || delay === null || attempts >= MAX_DELIVERY_ATTEMPTS;
  const outcome: AttemptOutcome = {
    status: result.ok ? "succeeded" : final ? "failed" : "pending",
    attempts,
    at: now,
    nextAttemptAt: final ? null : now + delay!,
    responseStatus: result.responseStatus,
    error: result.error,
  };
  const counted = await recordAttempt(env.DB, delivery.id, delivery.attempts, outcome);
  if (!counted) return { kind: "ack" };
  if (result.ok) await recordEndpointSuccess(env.DB, endpoint.id);
  else if (await recordEndpointFailure(env.DB, endpoint.id, now))
    log("warn", "webhook_endpoint_disabled", { endpoint_id: endpoint.id, reason: "failing" });
  return final ? { kind: "ack" } : { kind: "retry", delaySeconds: Math.max(1, Math.round(delay! / 1000)) };
}

/**
 * The batch: every message at once. A message whose handling failed (D1 did not answer) is retried
 * by the queue shortly, its row unchanged; the others are settled on their own.
 */
export async function consumeWebhookDeliveries(batch: MessageBatch<DeliveryMessage>, env: Env): Promise<void> {
  await Promise.all(
    batch.messages.map(async (message) => {
      try {
        const verdict = await handleDeliveryMessage(env, message);
        if (verdict.kind === "ack") message.ack();
        else message.retry({ delaySeconds: verdict.delaySeconds });
      } catch (err) {
        log("error", "webhook_delivery_failed", { message_id: message.id, ...describeError(err) });
        message.retry({ delaySeconds: 5 });
      }
    }),
  );
}
