/**
 * One client's concurrent requests in this isolate share one call to its Durable Object.
 *
 * The first request with no call in flight leads: it calls `admitBatch` with its own proof. Requests
 * arriving while a call is in flight queue for the next batch, each waiting on a promise it created
 * in its own request (`Promise.withResolvers`). When the call returns, the leader resolves every
 * follower of its batch with plain data (the follower's own AdmitResult: never a Response, stream or
 * RPC stub, which workerd ties to the request that made them), then promotes the first queued
 * request, which makes the next call from its own request with everything queued by then.
 *
 * Safety: the object decides a batch's entries in order, each on its own proof, so the answers are
 * those of one call per request made in that order. A follower never retries a batch it was part
 * of: if the leader's call fails, every entry of it answers 503 (fail closed), so nothing is counted
 * twice. A follower that waits in the queue too long (a leader that never comes back) leaves the
 * queue and makes its own call; a follower whose batch was sent waits for that batch only.
 */
import type { AdmitResult, Completion, CredentialProof } from "../object/protocol";
import { authorityFor } from "../object/stub";
import { takeCompletions } from "./completions";

/** Longest wait in the queue before a follower calls on its own. */
const QUEUE_WAIT_MS = 1_000;
/** Longest wait for a batch that was sent; then 503 (the batch may have been counted). */
const BATCH_WAIT_MS = 15_000;
/** A lane whose promoted leader never started its call (its request died) is taken over after this. */
const STUCK_MS = 2_000;

type Settled = { kind: "result"; result: AdmitResult } | { kind: "failed"; error: unknown } | { kind: "lead" };

interface Waiter {
  proof: CredentialProof;
  state: "queued" | "sent" | "gone";
  settle: (settled: Settled) => void;
}

interface Lane {
  busy: boolean;
  busySince: number;
  next: Waiter[];
}

export class BatchFailed extends Error {
  constructor(override readonly cause: unknown) {
    super("The batch's call to the client's authority failed.");
  }
}

const lanesByEnv = new WeakMap<object, Map<string, Lane>>();

function laneOf(env: Env, clientId: string): Lane {
  let lanes = lanesByEnv.get(env);
  if (!lanes) lanesByEnv.set(env, (lanes = new Map()));
  let lane = lanes.get(clientId);
  if (!lane) lanes.set(clientId, (lane = { busy: false, busySince: 0, next: [] }));
  return lane;
}

/**
 * This request's decision, from a call it leads or one it rides on. Throws BatchFailed when the
 * call that carried it failed (the caller answers 503).
 */
export async function admitCoalesced(
  env: Env,
  ctx: ExecutionContext | undefined,
  clientId: string,
  proof: CredentialProof,
): Promise<AdmitResult> {
  const lane = laneOf(env, clientId);
  const now = Date.now();
  if (!lane.busy || now - lane.busySince > STUCK_MS) {
    lane.busy = true;
    lane.busySince = now;
    const self: Waiter = { proof, state: "sent", settle: () => {} };
    return lead(env, ctx, clientId, lane, [self, ...takeQueued(lane)]);
  }
  const { promise, resolve } = Promise.withResolvers<Settled>();
  const self: Waiter = { proof, state: "queued", settle: resolve };
  lane.next.push(self);
  let timer = setTimeout(() => {
    if (self.state !== "queued") {
      // Its batch was sent: wait for that one only (a call of its own could count it twice).
      timer = setTimeout(() => resolve({ kind: "failed", error: new Error("batch timed out") }), BATCH_WAIT_MS);
      return;
    }
    self.state = "gone";
    lane.next.splice(lane.next.indexOf(self), 1);
    resolve({ kind: "lead" });
  }, QUEUE_WAIT_MS);
  const settled = await promise;
  clearTimeout(timer);
  if (settled.kind === "result") return settled.result;
  if (settled.kind === "failed") throw new BatchFailed(settled.error);
  // Never sent and waited too long: its own call, outside the lane.
  if (self.state === "gone") return callAlone(env, clientId, proof);
  // Promoted: this request leads what queued meanwhile (the lane stayed busy for it).
  lane.busySince = Date.now();
  return lead(env, ctx, clientId, lane, [self, ...takeQueued(lane)]);
}

function takeQueued(lane: Lane): Waiter[] {
  const queued = lane.next.splice(0);
  for (const w of queued) w.state = "sent";
  return queued;
}

async function lead(
  env: Env,
  ctx: ExecutionContext | undefined,
  clientId: string,
  lane: Lane,
  batch: Waiter[],
): Promise<AdmitResult> {
  const completions: Completion[] | undefined = takeCompletions(env, clientId);
  const call = authorityFor(env, clientId)
    .admitBatch({ clientId, proofs: batch.map((w) => w.proof), completions })
    .then(
      (results): Settled[] => results.map((result) => ({ kind: "result", result })),
      (error: unknown): Settled[] => batch.map(() => ({ kind: "failed", error })),
    )
    .then((settled) => {
      // The leader's own entry is first; the others are followers waiting in their own requests.
      for (let i = 1; i < batch.length; i++) batch[i]!.settle(settled[i] ?? { kind: "failed", error: null });
      handOver(lane);
      return settled[0]!;
    });
  // The followers depend on this call: it finishes even if the leader's own client goes away.
  ctx?.waitUntil(call);
  const own = await call;
  if (own.kind === "result") return own.result;
  throw new BatchFailed(own.kind === "failed" ? own.error : null);
}

/** After a call: the first queued request leads the next batch, or the lane goes idle. */
function handOver(lane: Lane): void {
  const next = lane.next.shift();
  if (!next) {
    lane.busy = false;
    return;
  }
  lane.busySince = Date.now();
  next.state = "sent";
  next.settle({ kind: "lead" });
}

async function callAlone(env: Env, clientId: string, proof: CredentialProof): Promise<AdmitResult> {
  try {
    const [result] = await authorityFor(env, clientId).admitBatch({ clientId, proofs: [proof] });
    return result!;
  } catch (error) {
    throw new BatchFailed(error);
  }
}
