/** Shared expectations and storage probes for the workflow tests (not a test file itself). */
import { forgetHeldTokens } from "../../src/edge/token-memo";
import { decodeJwt, decodeProtectedHeader } from "jose";
import { expect } from "vitest";
import { newWorkflowId } from "./credentials";
import { env, withWorkflow } from "./helpers";

export const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;
export const JWT_PATTERN = /eyJ[\w-]+\.[\w-]+\.[\w-]*/;

/** The contract's `workflow` object, every field (and nothing else: no token). */
export const WORKFLOW_FIELDS = [
  "id",
  "client_id",
  "name",
  "status",
  "allowed_origins",
  "token_issued_at",
  "needs_rekey",
  "created_at",
  "updated_at",
  "last_used_at",
].sort();

export function expectWorkflowShape(workflow: any): void {
  expect(Object.keys(workflow).sort()).toEqual(WORKFLOW_FIELDS);
  expect(workflow.id).toMatch(/^wf_[A-Za-z0-9]+$/);
  expect(workflow.client_id).toMatch(/^nafsi_(live|test)_[A-Za-z0-9]+$/);
  expect(typeof workflow.name).toBe("string");
  expect(["active", "inactive"]).toContain(workflow.status);
  expect(Array.isArray(workflow.allowed_origins)).toBe(true);
  expect(typeof workflow.needs_rekey).toBe("boolean");
  for (const field of ["token_issued_at", "created_at", "updated_at"]) expect(workflow[field], field).toMatch(ISO_UTC);
  if (workflow.last_used_at !== null) expect(workflow.last_used_at).toMatch(ISO_UTC);
  expect(JSON.stringify(workflow)).not.toMatch(JWT_PATTERN);
}

export const TOKEN_KEY = (workflowId: string) => `wf:${workflowId}`;

/** What KV holds for a workflow: the JWT, "-" (absent marker) or null (no entry). */
export const kvToken = (workflowId: string): Promise<string | null> => env.TOKEN_CACHE.get(TOKEN_KEY(workflowId));

/** The refresh token in D1 (the token's home), or null when there is no such row. */
export async function d1Token(workflowId: string): Promise<string | null> {
  const row = await env.DB.prepare("SELECT refresh_token FROM workflows WHERE id = ?")
    .bind(workflowId)
    .first<{ refresh_token: string }>();
  return row?.refresh_token ?? null;
}

/** Writes a token into KV only (simulates a stale or poisoned cache). */
export const putKv = async (workflowId: string, value: string): Promise<void> => {
  await env.TOKEN_CACHE.put(TOKEN_KEY(workflowId), value);
  // The edge holds KV's value for a few seconds per isolate: a test's direct write is seen at once.
  forgetHeldTokens();
};

/** Writes a token into both KV and D1, so that no fallback can rescue a bad one. */
export async function plantToken(workflowId: string, token: string): Promise<void> {
  await putKv(workflowId, token);
  const result = await env.DB.prepare("UPDATE workflows SET refresh_token = ? WHERE id = ?")
    .bind(token, workflowId)
    .run();
  expect(result.meta.changes).toBe(1);
}

/** The workflow's current refresh token (from D1), with its decoded header and claims. */
export async function currentToken(
  workflowId: string,
): Promise<{ token: string; header: Record<string, any>; claims: Record<string, any> }> {
  const token = await d1Token(workflowId);
  if (!token) throw new Error(`no token in D1 for ${workflowId}`);
  return { token, header: decodeProtectedHeader(token), claims: decodeJwt(token) };
}

/** A workflow ID with a valid checksum that was never created. */
export const unknownWorkflowId = () => newWorkflowId();

/** Status and error code (or "ok") of a workflow-authenticated data-plane call. */
export async function workflowOutcome(
  clientId: string,
  workflowId: string,
  headers: Record<string, string> = {},
): Promise<string> {
  const res = await withWorkflow(clientId, workflowId, "/v1/anything", { headers });
  const body = (await res.json()) as any;
  if (res.status === 200) {
    expect(body).toMatchObject({ authenticated: true, client_id: clientId, workflow_id: workflowId });
    return "ok";
  }
  return `${res.status} ${body.error?.code}`;
}

const b64url = (value: unknown) =>
  btoa(JSON.stringify(value)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");

/** An unsecured JWT (`alg: none`), hand-built: header and claims as given, empty signature. */
export const unsignedJwt = (header: Record<string, unknown>, claims: Record<string, unknown>) =>
  `${b64url({ ...header, alg: "none" })}.${b64url(claims)}.`;

/** The token with its payload replaced by `claims`, header and signature kept. */
export function withEditedPayload(token: string, claims: Record<string, unknown>): string {
  const [header, , signature] = token.split(".");
  return `${header}.${b64url(claims)}.${signature}`;
}
