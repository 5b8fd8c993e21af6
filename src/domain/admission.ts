/**
 * Whether a presented credential is good for a client right now: the pure part of the Durable
 * Object's admission, before the rate window is asked.
 */
import { inGrace } from "./client-rules";
import { timingSafeEqualHex } from "./hash";
import type { ClientRecord, WorkflowStatus } from "./records";

export type CredentialProof =
  /** SHA-256 of the presented secret: the secret itself never leaves the edge isolate. */
  | { kind: "secret"; secretHash: string }
  /** Claims of a refresh token the edge has already verified (signature, iss, aud, typ, cid). */
  | { kind: "workflow"; workflowId: string; tokenId: string; secretVersion: number; origin: string | null }
  /** KV remembers this workflow ID as absent: the object either refuses it or knows it is newer than KV. */
  | { kind: "uncached_workflow"; workflowId: string; origin: string | null };

export type DenialCode =
  | "invalid_credentials"
  | "client_inactive"
  | "client_revoked"
  | "workflow_inactive"
  | "workflow_token_invalidated"
  | "origin_not_allowed";

/** The part of a workflow the data plane decides on; the rest lives in D1 only. */
export interface WorkflowState {
  status: WorkflowStatus;
  tokenId: string;
  secretVersion: number;
  allowedOrigins: string[];
}

export type Verdict =
  | { outcome: "valid" }
  | { outcome: "denied"; code: DenialCode; wrongSecret?: boolean }
  /** The presented token is not the workflow's current one: the edge re-reads D1 and asks again. */
  | { outcome: "stale_token" };

/** 401 answers: the "failed authentications" of the usage figures and of the alert. */
export const FAILED_AUTH_CODES: ReadonlySet<DenialCode> = new Set<DenialCode>([
  "invalid_credentials",
  "client_inactive",
  "client_revoked",
  "workflow_inactive",
  "workflow_token_invalidated",
]);

export function statusDenial(client: ClientRecord): DenialCode | null {
  if (client.status === "revoked") return "client_revoked";
  if (client.status === "inactive") return "client_inactive";
  return null;
}

export function checkCredential(
  client: ClientRecord,
  workflows: ReadonlyMap<string, WorkflowState>,
  proof: CredentialProof,
  now: number,
): Verdict {
  if (proof.kind === "secret") {
    // The secret is checked before the status, so that status is told only to holders of the secret.
    const current = timingSafeEqualHex(proof.secretHash, client.secretHash);
    const previous =
      !current && client.previousSecretHash !== null && inGrace(client, now)
        ? timingSafeEqualHex(proof.secretHash, client.previousSecretHash)
        : false;
    if (!current && !previous) return { outcome: "denied", code: "invalid_credentials", wrongSecret: true };
    const status = statusDenial(client);
    return status ? { outcome: "denied", code: status } : { outcome: "valid" };
  }
  // An unknown workflow is refused before the status: the edge refuses IDs D1 lacks without asking
  // here, and the answer must not depend on whether KV remembered the absence.
  const workflow = workflows.get(proof.workflowId);
  if (!workflow) return { outcome: "denied", code: "invalid_credentials" };
  const status = statusDenial(client);
  if (status) return { outcome: "denied", code: status };
  if (proof.kind === "uncached_workflow" || workflow.tokenId !== proof.tokenId) return { outcome: "stale_token" };
  if (workflow.status !== "active") return { outcome: "denied", code: "workflow_inactive" };
  if (
    workflow.allowedOrigins.length > 0 &&
    (proof.origin === null || !workflow.allowedOrigins.includes(proof.origin))
  ) {
    return { outcome: "denied", code: "origin_not_allowed" };
  }
  const versionValid =
    proof.secretVersion === client.secretVersion ||
    (proof.secretVersion === client.previousSecretVersion && inGrace(client, now));
  return versionValid ? { outcome: "valid" } : { outcome: "denied", code: "workflow_token_invalidated" };
}

/**
 * checkCredential for the entries of one batch, in order. Nothing a verdict reads changes within a
 * batch (the window is decided after it), so a secret repeated in the batch (a flood of one
 * client) is compared once.
 */
export function batchVerdicts(
  client: ClientRecord,
  workflows: ReadonlyMap<string, WorkflowState>,
  now: number,
): (proof: CredentialProof) => Verdict {
  const bySecret = new Map<string, Verdict>();
  return (proof) => {
    if (proof.kind !== "secret") return checkCredential(client, workflows, proof, now);
    let verdict = bySecret.get(proof.secretHash);
    if (!verdict) bySecret.set(proof.secretHash, (verdict = checkCredential(client, workflows, proof, now)));
    return verdict;
  };
}
