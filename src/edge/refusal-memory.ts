/**
 * Refusals from memory (the contract's "Refusals from memory"): once a client's Durable Object has
 * answered a request 429, this isolate answers later requests of the same client with the same
 * credential 429 by itself, until the earlier of that refusal's reset and one second after the
 * object's answer. A client flooding far past its limit then costs its object about one call per
 * second per isolate instead of one per request (or per coalesced batch) — which matters most where
 * many isolates each see part of a flood and coalescing saves little.
 *
 * It never admits: a miss only means "ask the object". Before the reset no request could be
 * admitted at the refused limit, so the only answers it can get wrong are those of the second after
 * a management call (a raised limit, a revocation, a regeneration), which the contract allows.
 *
 * Keyed by the credential, not the client alone, so that a caller with another credential of the
 * same client (a second secret in its grace period, a workflow, another origin of the workflow) is
 * never refused on the strength of someone else's 429: each learns its own refusal from the object.
 */
import type { CredentialProof } from "../object/protocol";
import type { RateLimitState } from "../domain/rate-limit-headers";
import { clockNow } from "../lib/clock";
import { Lru } from "../lib/lru";

/** The contract's bound: a refusal is repeated for at most a second after the object's answer. */
export const REMEMBER_MS = 1_000;
/** Flooding credentials per isolate; a flood of made-up ones never gets here (tags fail first). */
const MAX_ENTRIES = 10_000;

interface Refusal {
  limit: number;
  resetAt: number;
  /** Edge time after which the object must be asked again. */
  until: number;
}

const refusals = new Lru<string, Refusal>(MAX_ENTRIES);

/** The credential as the contract names it: the secret, or the workflow with its token and origin. */
function keyOf(clientId: string, proof: CredentialProof): string | null {
  switch (proof.kind) {
    case "secret":
      return `${clientId}|s|${proof.secretHash}`;
    case "workflow":
      return `${clientId}|w|${proof.workflowId}|${proof.tokenId}|${proof.origin ?? ""}`;
    default:
      // No verified token to key on: such a request (rare) always asks its object.
      return null;
  }
}

/**
 * Remembers the object's 429. `askedAt` is the edge's time before the call was sent, which is
 * before the object answered on any clock, so `askedAt + REMEMBER_MS` never outlasts the second the
 * contract allows, whatever the skew between the edge's clock and the object's.
 */
export function rememberRefusal(
  clientId: string,
  proof: CredentialProof,
  state: RateLimitState,
  askedAt: number,
): void {
  const key = keyOf(clientId, proof);
  if (key === null) return;
  refusals.set(key, {
    limit: state.limit,
    resetAt: state.resetAt,
    until: Math.min(state.resetAt, askedAt + REMEMBER_MS),
  });
}

/** The window state to refuse with, when this credential was refused less than its time ago; else null. */
export function recalledRefusal(clientId: string, proof: CredentialProof): RateLimitState | null {
  const key = keyOf(clientId, proof);
  if (key === null) return null;
  const refusal = refusals.get(key);
  if (refusal === undefined) return null;
  const now = clockNow();
  if (now >= refusal.until) {
    refusals.delete(key);
    return null;
  }
  return { limit: refusal.limit, remaining: 0, resetAt: refusal.resetAt, now };
}
