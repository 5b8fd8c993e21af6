/**
 * What the edge and a client's Durable Object say to each other on the data plane: one call per
 * request, carrying the credential proof, answered with the whole decision.
 */
import type { Environment } from "../domain/credentials";

export type CredentialProof =
  /** SHA-256 of the presented secret: the secret itself never leaves the edge isolate. */
  | { kind: "secret"; secretHash: string }
  /** Claims of a refresh token the edge has already verified (signature, iss, aud, typ). */
  | { kind: "workflow"; workflowId: string; tokenId: string; secretVersion: number; origin: string | null };

export interface AdmitRequest {
  clientId: string;
  proof: CredentialProof;
  /** Answers of earlier admitted requests of this client, carried along instead of a call of their own. */
  completions?: Completion[];
}

export type DenialCode =
  | "invalid_credentials"
  | "client_inactive"
  | "client_revoked"
  | "workflow_inactive"
  | "workflow_token_invalidated"
  | "origin_not_allowed";

export type AdmitResult =
  | {
      outcome: "denied";
      code: DenialCode;
      /** True when the secret itself is wrong for good, so the edge may remember it. */
      wrongSecret?: boolean;
    }
  /** The presented token is not the workflow's current one: the edge re-reads D1 and asks again. */
  | { outcome: "stale_token" }
  | {
      outcome: "decided";
      admitted: boolean;
      environment: Environment;
      limit: number;
      remaining: number;
      resetAt: number;
      /** The object's clock at the decision; also the admitted request's time for `complete`. */
      now: number;
    };

/** What the edge reports about an admitted request once it has answered it. */
export interface Completion {
  admittedAt: number;
  workflowId: string | null;
  status: number;
  responseMs: number;
  /** Our own error code when the gateway itself failed the request (e.g. upstream_unavailable). */
  code?: string;
}

/** A failed authentication decided at the edge without asking the object (batched per isolate). */
export interface FailedAuthEvent {
  /** Start of the second the failures fell in. */
  at: number;
  code: string;
  count: number;
}
