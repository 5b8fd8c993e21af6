/**
 * The answers of admitted requests (status, response time), queued per isolate and client. They
 * ride along on the client's next admit call from this isolate, or, when none comes, are sent on
 * their own a second after the first of them. The request itself was already counted, durably,
 * when the object admitted it; what a lost batch (with its isolate, or with a failed call that
 * carried it, logged as usage_completions_lost) would lose is whether it succeeded.
 */
import type { Completion } from "../object/protocol";
import { authorityFor } from "../object/stub";
import { clockNow } from "../lib/clock";
import { describeError, log } from "../lib/log";

const SEND_AFTER_MS = 1000;
const SEND_AT_SIZE = 256;
/**
 * A client's timer hands itself on from batch to batch inside the request that armed it, at most
 * this long: a request's waitUntil is cut 30 s after its answer, and one timer per client (rather
 * than one per request, kept alive a second by each request's waitUntil) is what this saves.
 * Not one timer for the whole isolate: its calls, for every client, would all count against the
 * one request that armed it (subrequests per invocation: 50 on Workers Free), whereas a client's
 * timer calls only its own object. Tried: in the bench's `secret` it took timer wakes from
 * 0.15–0.36 to 0.002 per request with no difference in CPU per request (10 interleaved rounds).
 */
const MAX_TIMER_CHAIN_MS = 20_000;

interface Batch {
  list: Completion[];
  since: number;
}

interface Pending {
  batches: Map<string, Batch>;
  /** Clients whose timer is armed. */
  armed: Set<string>;
}

const pendingByEnv = new WeakMap<object, Pending>();

function pendingOf(env: Env): Pending {
  let pending = pendingByEnv.get(env);
  if (!pending) pendingByEnv.set(env, (pending = { batches: new Map(), armed: new Set() }));
  return pending;
}

/** Takes this client's queued completions (to send with an admit call). */
export function takeCompletions(env: Env, clientId: string): Completion[] | undefined {
  const { batches } = pendingOf(env);
  const batch = batches.get(clientId);
  if (batch) batches.delete(clientId);
  return batch?.list;
}

export function queueCompletion(
  env: Env,
  ctx: ExecutionContext | undefined,
  clientId: string,
  completion: Completion,
): void {
  const pending = pendingOf(env);
  const batch = pending.batches.get(clientId);
  if (batch) {
    batch.list.push(completion);
    if (batch.list.length >= SEND_AT_SIZE) {
      const now = send(env, clientId);
      if (ctx) ctx.waitUntil(now);
    }
    return;
  }
  pending.batches.set(clientId, { list: [completion], since: clockNow() });
  if (!ctx) {
    // Called without an execution context (directly, in some tests): nothing can wait, so now.
    void send(env, clientId);
    return;
  }
  if (pending.armed.has(clientId)) return;
  pending.armed.add(clientId);
  ctx.waitUntil(sendWhenDue(env, pending, clientId, clockNow()));
}

/**
 * The client's one timer: each batch is sent a second after its first completion unless an admit
 * call took it first; a batch queued meanwhile gets the rest of its own second from the same timer.
 */
async function sendWhenDue(env: Env, pending: Pending, clientId: string, chainStart: number): Promise<void> {
  for (;;) {
    const batch = pending.batches.get(clientId);
    const wait = batch ? batch.since + SEND_AFTER_MS - clockNow() : 0;
    if (!batch || wait <= 0 || clockNow() - chainStart >= MAX_TIMER_CHAIN_MS) {
      pending.armed.delete(clientId);
      if (batch) await send(env, clientId);
      return;
    }
    await scheduler.wait(wait);
  }
}

async function send(env: Env, clientId: string): Promise<void> {
  const list = takeCompletions(env, clientId);
  if (!list) return;
  try {
    await authorityFor(env, clientId).complete(clientId, list);
  } catch (err) {
    completionsLost(clientId, list.length, err);
  }
}

/** Completions whose call failed: not sent again, since the object may have recorded them. */
export function completionsLost(clientId: string, count: number, err: unknown): void {
  log("warn", "usage_completions_lost", { client_id: clientId, count, ...describeError(err) });
}
