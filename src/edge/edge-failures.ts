/**
 * Answers this isolate decides by itself — failed authentications (a bad checksum, a secret it
 * already knows to be wrong, a workflow token that does not verify) and refusals repeated from
 * memory (refusal-memory.ts) — are counted for the named client in per-isolate batches sent at most
 * a second later, so a flood of junk, or of one client past its limit, costs the client's Durable
 * Object one call per second rather than one per request. A batch is lost only with its isolate
 * (the contract's one stated exception).
 */
import type { FailedAuthEvent } from "../object/protocol";
import { authorityFor } from "../object/stub";
import { clockNow } from "../lib/clock";
import { describeError, log } from "../lib/log";

const BATCH_DELAY_MS = 1000;
/** Distinct (second, code) entries kept per client before further ones fold into the last. */
const MAX_EVENTS_PER_CLIENT = 120;

let pending = new Map<string, Map<string, FailedAuthEvent>>();
let scheduled = false;

/** `workflowId`: the workflow the request named, for refusals counted in that workflow's usage. */
export function recordEdgeFailure(
  env: Env,
  ctx: ExecutionContext,
  clientId: string,
  code: string,
  workflowId: string | null = null,
): void {
  const at = Math.floor(clockNow() / 1000) * 1000;
  let events = pending.get(clientId);
  if (!events) pending.set(clientId, (events = new Map()));
  const key = `${at}|${code}|${workflowId ?? ""}`;
  const existing = events.get(key) ?? (events.size >= MAX_EVENTS_PER_CLIENT ? [...events.values()].at(-1) : undefined);
  if (existing) existing.count++;
  else events.set(key, workflowId === null ? { at, code, count: 1 } : { at, code, count: 1, workflowId });
  if (!scheduled) {
    scheduled = true;
    ctx.waitUntil(scheduler.wait(BATCH_DELAY_MS).then(() => send(env)));
  }
}

async function send(env: Env): Promise<void> {
  const batch = pending;
  pending = new Map();
  scheduled = false;
  await Promise.all(
    [...batch].map(async ([clientId, events]) => {
      try {
        await authorityFor(env, clientId).recordFailedAuth(clientId, [...events.values()]);
      } catch (err) {
        log("warn", "failed_auth_batch_lost", { client_id: clientId, ...describeError(err) });
      }
    }),
  );
}
