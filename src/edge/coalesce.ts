/**
 * One client's concurrent requests in this isolate share one call to its Durable Object.
 *
 * The first request with no call in flight leads: it calls `admitBatch` with its own proof. Requests
 * arriving while a call is in flight queue for the next batch. When a call returns, the leader
 * stores each follower's answer on its waiter as plain data (its own AdmitResult: never a Response,
 * stream or RPC stub) and, from its own request (kept alive with waitUntil), sends the batch that
 * queued meanwhile (after one turn of the event loop, so that requests already received join it),
 * up to MAX_CHAIN batches; then the next arrival leads.
 *
 * Followers poll with their own timers instead of awaiting a promise the leader resolves. What
 * workerd 1.20260426 (compatibility date 2026-04-26) does with the alternatives, from the smallest
 * reproductions (docs/repro/cross-request-wait):
 * - A follower awaiting only a promise it created and the leader resolves with plain data is
 *   cancelled as hung before the leader gets to it ("The Workers runtime canceled this request
 *   because it detected that your Worker's code had hung"; then "A promise was resolved or rejected
 *   from a different request context … the creating request has already been completed").
 * - With a timer of its own racing that promise, the same Worker answers every follower under
 *   `wrangler dev`; but in vitest-pool-workers 0.15.1, which runs this suite, each woken follower
 *   gets its result and its request then fails with "jsg.Error: Promise will never complete"
 *   (io-context.h:1454), failing 5 concurrency tests in test/edge/rate-limit.test.ts.
 * Polling is the one design that both runtimes run, so that the tests exercise the shipped code.
 *
 * Safety: the object decides a batch's entries in order, each on its own proof, so the answers are
 * those of one call per request made in that order. A follower never retries a batch it was part
 * of: if the call fails, every entry of it answers 503 (fail closed), so nothing is counted twice.
 * A queued follower waits for the lane as long as the lane moves: a far-away object's calls may
 * each take hundreds of milliseconds, and calling on its own then would only add calls to the
 * object at the moment it is slowest. When the lane's chain ended without it, or its call hangs
 * (STUCK_MS), the follower leads the next batch itself. An entry whose request is gone
 * (ABANDONED_MS) is never sent; a sent entry whose call never answers gives up after SENT_WAIT_MS.
 */
import type { AdmitResult, Completion, CredentialProof } from "../object/protocol";
import { authorityFor } from "../object/stub";
import { completionsLost, takeCompletions } from "./completions";
import { clockNow } from "../lib/clock";
import { Lru } from "../lib/lru";

/**
 * A queued follower looks every POLL_MS whether its batch was answered, and less often the longer
 * it has waited (1/POLL_BACKOFF of the wait so far, at most MAX_POLL_MS): a flood of one client
 * near its object waits a few milliseconds and polls each one; a follower behind a far-away
 * object's calls polls tens of times rather than hundreds, and learns its answer at most an
 * eighth of its wait late.
 */
const POLL_MS = 1;
const POLL_BACKOFF = 8;
const MAX_POLL_MS = 16;
/**
 * A queued entry that has not polled for this long has lost its request (a live one polls at least
 * every MAX_POLL_MS): it is answered as failed, never sent, so that no later call counts a request
 * that nobody waits for.
 */
const ABANDONED_MS = 1_000;
/**
 * A sent follower whose call has not answered after this long answers 503 (never retried: the call
 * may yet be counted). The chain that carries it runs in its leader's waitUntil, which the runtime
 * cuts 30 s after the leader's answer; its followers' own requests would otherwise wait until
 * their clients give up.
 */
const SENT_WAIT_MS = 30_000;
/**
 * A leader sends at most this many batches in a row, and takes no new batch after MAX_CHAIN_MS:
 * the chain runs in the leader's waitUntil, which the runtime cuts 30 s after its answer, and its
 * last call must still settle the entries it carries. Then the next arrival leads.
 */
const MAX_CHAIN = 64;
const MAX_CHAIN_MS = 10_000;
/**
 * A lane whose current call has run this long is stuck (its chain died, or the object hangs): the
 * next arrival, or a follower queued behind it, takes it over. The old chain then finishes on its
 * own and leaves the lane to the new one.
 */
const STUCK_MS = 5_000;
/**
 * A lane whose last call, ended at most HOT_MS ago, carried more than one request is hot: its next
 * leader waits GATHER_MS before calling, so that the client's concurrent requests join its batch.
 * Without it, when the object answers faster than requests arrive (it ran in this very process in
 * the bench), a flood of one client costs one call per request; with it, about one per
 * connection-round. A client whose calls each carry one request (a sequential caller) never waits.
 */
const HOT_MS = 5;
const GATHER_MS = 1;

type Settled = { kind: "result"; result: AdmitResult } | { kind: "failed"; error: unknown };

interface Waiter {
  proof: CredentialProof;
  state: "queued" | "sent" | "gone";
  settled: Settled | null;
  /** When its request last looked at it while queued (ABANDONED_MS), and when it was sent (SENT_WAIT_MS). */
  seenAt: number;
  sentAt: number;
}

interface Lane {
  busy: boolean;
  busySince: number;
  /** The chain that set `busy`: only it clears it (a lane taken over as stuck has a new one). */
  owner: object | null;
  next: Waiter[];
  /** When the last call ended, and how many requests it carried. */
  lastEndedAt: number;
  lastSize: number;
}

export class BatchFailed extends Error {
  constructor(override readonly cause: unknown) {
    super("The batch's call to the client's authority failed.");
  }
}

/**
 * Lanes kept per isolate, least recently used forgotten first, so that a long-lived isolate does
 * not hold one for every client it ever served. Forgetting a busy lane is safe: its leader and
 * followers keep their reference and finish, and the client's next request starts a new lane whose
 * calls the object decides in order with the old one's, as it does any two calls.
 */
const MAX_LANES = 10_000;

const lanesByEnv = new WeakMap<object, Lru<string, Lane>>();

function laneOf(env: Env, clientId: string): Lane {
  let lanes = lanesByEnv.get(env);
  if (!lanes) lanesByEnv.set(env, (lanes = new Lru(MAX_LANES)));
  let lane = lanes.get(clientId);
  if (!lane)
    lanes.set(clientId, (lane = { busy: false, busySince: 0, owner: null, next: [], lastEndedAt: 0, lastSize: 0 }));
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
  const arrived = clockNow();
  const self: Waiter = { proof, state: "queued", settled: null, seenAt: arrived, sentAt: 0 };
  if (!isBusy(lane, arrived)) {
    return lead(env, ctx, clientId, lane, self, lane.lastSize > 1 && arrived - lane.lastEndedAt <= HOT_MS);
  }
  lane.next.push(self);
  // Woken only by its own timers, so that it runs in its own request (see above); the leader only
  // stores plain data on the waiter.
  while (self.settled === null) {
    await scheduler.wait(Math.min(MAX_POLL_MS, Math.max(POLL_MS, Math.floor((clockNow() - arrived) / POLL_BACKOFF))));
    const now = clockNow();
    if (self.state === "queued") {
      self.seenAt = now;
      // The chain ended without this entry (after MAX_CHAIN batches), or its call hangs: this
      // request leads the next batch, and the queue behind it rides along.
      if (!isBusy(lane, now)) {
        lane.next.splice(lane.next.indexOf(self), 1);
        return lead(env, ctx, clientId, lane, self, false);
      }
    } else if (self.settled === null && now - self.sentAt >= SENT_WAIT_MS) {
      self.state = "gone";
      throw new BatchFailed(new Error("The batch's call did not answer in time."));
    }
  }
  return outcomeOf(self.settled);
}

/** Whether the lane has a call in flight that has not run past STUCK_MS. */
function isBusy(lane: Lane, now: number): boolean {
  return lane.busy && now - lane.busySince <= STUCK_MS;
}

/** An entry's answer, or the BatchFailed of the call that carried it. */
function outcomeOf(settled: Settled): AdmitResult {
  if (settled.kind === "result") return settled.result;
  throw new BatchFailed(settled.error);
}

const NONE: Waiter[] = [];

/** The queue, to send now; an entry abandoned in it (ABANDONED_MS) is answered as failed instead. */
function takeQueued(lane: Lane): Waiter[] {
  // The common case (a client's requests one after another): nothing queued, nothing allocated.
  if (lane.next.length === 0) return NONE;
  const now = clockNow();
  const taken: Waiter[] = [];
  for (const w of lane.next.splice(0)) {
    if (now - w.seenAt < ABANDONED_MS) {
      w.state = "sent";
      w.sentAt = now;
      taken.push(w);
    } else {
      w.state = "gone";
      w.settled = { kind: "failed", error: new Error("Left in the queue past its deadline.") };
    }
  }
  return taken;
}

/** One call for `proofs`, in order: their answers, or the call's failure. */
async function send(env: Env, clientId: string, proofs: CredentialProof[]): Promise<AdmitResult[]> {
  const completions: Completion[] | undefined = takeCompletions(env, clientId);
  try {
    return await authorityFor(env, clientId).admitBatch({ clientId, proofs, completions });
  } catch (error) {
    if (completions?.length) completionsLost(clientId, completions.length, error);
    throw error;
  }
}

/**
 * Sends the leader's batch, answers its followers, then sends what queued meanwhile, batch after
 * batch, from the leader's own request; resolves to the leader's own entry as soon as it is known.
 */
function lead(
  env: Env,
  ctx: ExecutionContext | undefined,
  clientId: string,
  lane: Lane,
  self: Waiter,
  gather: boolean,
): Promise<AdmitResult> {
  const owner = {};
  const startedAt = clockNow();
  self.state = "sent";
  self.sentAt = startedAt;
  lane.busy = true;
  lane.busySince = startedAt;
  lane.owner = owner;
  // The leader's own answer is its promise; followers get theirs as plain data on their waiter.
  const own = Promise.withResolvers<AdmitResult>();
  const settle = (current: Waiter[], results: AdmitResult[] | null, error: unknown) => {
    for (let i = 0; i < current.length; i++) {
      const w = current[i]!;
      if (w === self) {
        if (results) own.resolve(results[i]!);
        else own.reject(new BatchFailed(error));
      } else {
        w.settled = results ? { kind: "result", result: results[i]! } : { kind: "failed", error };
      }
    }
  };
  const chain = (async () => {
    let current: Waiter[] = [self];
    try {
      // Waited here, inside waitUntil, so that a leader whose client goes away meanwhile still sends.
      if (gather) await scheduler.wait(GATHER_MS);
      const queued = takeQueued(lane);
      if (queued.length > 0) current = [self, ...queued];
      for (let round = 0; ; round++) {
        const proofs = current.map((w) => w.proof);
        let results: AdmitResult[] | null = null;
        let error: unknown = null;
        try {
          results = await send(env, clientId, proofs);
        } catch (err) {
          error = err;
        }
        lane.lastEndedAt = clockNow();
        lane.lastSize = current.length;
        settle(current, results, error);
        current = NONE;
        // A chain whose lane was taken over (its call ran past STUCK_MS) leaves the queue to the new one.
        if (lane.owner !== owner || lane.next.length === 0) break;
        if (round + 1 >= MAX_CHAIN || clockNow() - startedAt >= MAX_CHAIN_MS) break;
        lane.busySince = clockNow();
        // One turn of the event loop first: requests the runtime has already taken in, but not yet
        // run this far, join this batch rather than wait a whole call for the next. In the bench's
        // flood this took calls per request from 0.26–0.28 to 0.21 (median of 10–14 rounds).
        await scheduler.wait(0);
        current = lane.owner === owner ? takeQueued(lane) : NONE;
        // Everything queued had been abandoned (ABANDONED_MS), or the lane was taken over meanwhile.
        if (current.length === 0) break;
      }
    } catch (error) {
      // Nothing above should throw (send's failure is caught); if it does, the entries in hand
      // answer 503 rather than wait forever.
      settle(current, null, error);
    } finally {
      if (lane.owner === owner) lane.busy = false;
    }
  })();
  // The followers depend on this chain: it finishes even if the leader's own client goes away.
  ctx?.waitUntil(chain);
  return own.promise;
}
