/**
 * The no-escalation rule (contract: "Admin tokens and permissions"): a token may only hand out what
 * it holds itself, for no longer than it lives itself. The same rule decides which tokens it may
 * revoke: only those it could have created, so that a narrow token cannot take down a wider one.
 * ADMIN_TOKEN (the bootstrap owner) holds "*", every client and never expires: nothing is beyond it.
 */
import { MINUTE_MS } from "../lib/time";
import { type Grant, grantsBeyond } from "./permissions";
import type { Principal } from "./principal";
import { inScope } from "./scope";

/** What a token carries that the rule weighs; the candidate is a token to create or to revoke. */
export interface TokenGrant {
  permissions: readonly string[];
  /** null = every client. */
  clientIds: readonly string[] | null;
  /** Epoch ms. */
  expiresAt: number;
}

/**
 * A creator's token expires at its own expires_at; a child made in the same minute with the same
 * lifetime ends a few milliseconds later. The slack lets a 1-day token make a 1-day token.
 */
export const EXPIRY_SLACK_MS = MINUTE_MS;

/** Why a creator could not have created the candidate; null when it could. */
export type Escalation =
  | { kind: "permission"; permission: string }
  | { kind: "unscoped" }
  | { kind: "client_scope" }
  | { kind: "expiry"; latest: number };

export function escalation(creator: Principal, candidate: TokenGrant): Escalation | null {
  // Permissions were validated as grants when the token was asked for.
  const beyond = grantsBeyond(creator.permissions, candidate.permissions as readonly Grant[]);
  if (beyond.length) return { kind: "permission", permission: beyond[0]! };
  if (creator.clientIds !== null) {
    if (candidate.clientIds === null) return { kind: "unscoped" };
    if (candidate.clientIds.some((id) => !inScope(creator, id))) return { kind: "client_scope" };
  }
  if (creator.expiresAt !== null && candidate.expiresAt > creator.expiresAt + EXPIRY_SLACK_MS) {
    return { kind: "expiry", latest: creator.expiresAt };
  }
  return null;
}
