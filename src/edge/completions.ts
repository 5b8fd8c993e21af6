/**
 * The answers of admitted requests (status, response time), queued per isolate and client. They
 * ride along on the client's next admit call from this isolate, or, when none comes, are sent on
 * their own within a second. The request itself was already counted, durably, when the object
 * admitted it; what a lost batch (only with its isolate) would lose is whether it succeeded.
 */
import type { Completion } from "../object/protocol";
import { authorityFor } from "../object/stub";
import { describeError, log } from "../lib/log";

const SEND_AFTER_MS = 1000;
const SEND_AT_SIZE = 256;

const pendingByEnv = new WeakMap<object, Map<string, Completion[]>>();

function pendingOf(env: Env): Map<string, Completion[]> {
  let pending = pendingByEnv.get(env);
  if (!pending) pendingByEnv.set(env, (pending = new Map()));
  return pending;
}

/** Takes this client's queued completions (to send with an admit call). */
export function takeCompletions(env: Env, clientId: string): Completion[] | undefined {
  const pending = pendingOf(env);
  const list = pending.get(clientId);
  if (list) pending.delete(clientId);
  return list;
}

export function queueCompletion(
  env: Env,
  ctx: ExecutionContext | undefined,
  clientId: string,
  completion: Completion,
): void {
  const pending = pendingOf(env);
  const list = pending.get(clientId);
  if (list) {
    list.push(completion);
    if (list.length >= SEND_AT_SIZE) {
      const now = send(env, clientId);
      if (ctx) ctx.waitUntil(now);
    }
    return;
  }
  const batch = [completion];
  pending.set(clientId, batch);
  // The first completion of a batch sets the timer, inside its own request's waitUntil. It sends
  // that batch only if it is still waiting: a batch that rode along on an admit call is done, and
  // the batch queued after it has a timer of its own.
  const later = new Promise((resolve) => setTimeout(resolve, ctx ? SEND_AFTER_MS : 0)).then(() =>
    pending.get(clientId) === batch ? send(env, clientId) : undefined,
  );
  if (ctx) ctx.waitUntil(later);
}

async function send(env: Env, clientId: string): Promise<void> {
  const list = takeCompletions(env, clientId);
  if (!list) return;
  try {
    await authorityFor(env, clientId).complete(clientId, list);
  } catch (err) {
    log("warn", "usage_completions_lost", { client_id: clientId, count: list.length, ...describeError(err) });
  }
}
