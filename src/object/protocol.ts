/**
 * Every call the edge and the admin API make to a client's Durable Object, and what it answers.
 * On the data plane: one call per request (or per batch of one isolate's concurrent requests), carrying the credential proof, answered with the whole
 * decision. For management: one call per change, applied to D1 and to the object before it returns.
 */
import type { CredentialProof, DenialCode, WorkflowState } from "../domain/admission";
import type { ClientPatch, NewSecret } from "../domain/client-rules";
import type { Environment } from "../domain/credentials";
import type { LeakedSecretAction } from "../domain/secret-hygiene";

export type { ClientPatch, CredentialProof, DenialCode, NewSecret, WorkflowState };

// ---- data plane ------------------------------------------------------------------------------

export interface AdmitRequest {
  clientId: string;
  proof: CredentialProof;
  /** Answers of earlier admitted requests of this client, carried along instead of a call of their own. */
  completions?: Completion[];
}

/**
 * Concurrent requests of one client from one isolate, coalesced into one call: each entry with its
 * own proof, decided in order and atomically (no other call is decided in between).
 */
export interface AdmitBatch {
  clientId: string;
  proofs: CredentialProof[];
  completions?: Completion[];
}

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
      /** The client's organization, from the row the object holds: forwarding names it with no read. */
      organizationId: string;
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

/**
 * Answers decided at the edge without asking the object (batched per isolate): failed
 * authentications, and 429s repeated from memory (`rate_limit_exceeded`).
 */
export interface FailedAuthEvent {
  /** Start of the second the answers fell in. */
  at: number;
  code: string;
  count: number;
  /** The workflow a refused workflow call named (counted in that workflow's usage). */
  workflowId?: string;
}

// ---- management ------------------------------------------------------------------------------

/** Who made a management call, passed from the route to the client's Durable Object. */
export interface AuditContext {
  actor: string;
  ip: string | null;
  requestId: string | null;
}

export interface NewWorkflow {
  clientId: string;
  workflowId: string;
  secretHash: string;
  name: string;
  allowedOrigins: string[];
}

export interface WorkflowPatch {
  name?: string;
  status?: "active" | "inactive";
  allowedOrigins?: string[];
  /** Present for a re-key: the SHA-256 of the secret the admin pasted. */
  secretHash?: string;
}

// ---- secret hygiene --------------------------------------------------------------------------

/** A client secret reported public (GitHub secret scanning): the hash of the reported token. */
export interface LeakReport {
  secretHash: string;
  /** The reported token's last four characters (a previous secret's are not stored anywhere else). */
  secretLastFour: string;
  url: string;
  source: string;
  /** LEAKED_SECRET_ACTION: also deactivate the client when its current secret leaked. */
  action: LeakedSecretAction;
}

/** GitHub's feedback label: the token is one of ours that still authenticates, or it is not. */
export type LeakLabel = "true_positive" | "false_positive";
