import type { Operations as Documented, Schemas } from "./generated/openapi.js";

export type { Schemas };

/**
 * Calls of the contract that the gateway's OpenAPI document does not describe yet (admin tokens,
 * issue 11), typed from the contract until it does. The generated type takes over for each call as
 * soon as the document has it (see `Operations`), and sdk/test/openapi-types.test.ts fails if the
 * document has an /admin call that NafsiAdmin does not make.
 */
export interface PendingOperations {
  "POST /admin/tokens": {
    query: never;
    body: { name: string; permissions: string[]; client_ids?: string[]; expires_in_days?: number };
    response: { token: AdminTokenFallback; secret: string };
  };
  "GET /admin/tokens": {
    query: { limit?: number; cursor?: string };
    body: never;
    response: { tokens: AdminTokenFallback[]; next_cursor: string | null };
  };
  "GET /admin/tokens/{token_id}": { query: never; body: never; response: { token: AdminTokenFallback } };
  "POST /admin/tokens/{token_id}/revoke": { query: never; body: never; response: { token: AdminTokenFallback } };
  "GET /admin/me": {
    query: never;
    body: never;
    response: { actor: string; permissions: string[]; client_ids: string[] | null; expires_at: string | null };
  };
}

/** An admin token as the contract describes it (until the OpenAPI document has one). */
export interface AdminTokenFallback {
  id: string;
  name: string;
  permissions: string[];
  client_ids: string[] | null;
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
  revoked_at: string | null;
  created_by: string;
  secret_last_four: string;
}

/** Every management call: generated from the gateway's OpenAPI document, else from the contract. */
export type Operations = Documented & Omit<PendingOperations, keyof Documented>;
export type OperationKey = keyof Operations;
export type Query<K extends OperationKey> = Operations[K]["query"];
export type Body<K extends OperationKey> = Operations[K]["body"];
export type Answer<K extends OperationKey> = Operations[K]["response"];

export type Client = Answer<"GET /admin/clients/{client_id}">["client"];
export type Workflow = Answer<"GET /admin/workflows/{workflow_id}">["workflow"];
export type Usage = Answer<"GET /admin/clients/{client_id}/usage">;
export type Alert = Answer<"GET /admin/alerts">["alerts"][number];
export type AuditEntry = Answer<"GET /admin/audit-log">["entries"][number];
export type AdminToken = Answer<"GET /admin/tokens/{token_id}">["token"];
export type Me = Answer<"GET /admin/me">;
export type Organization = Answer<"GET /admin/organizations/{organization_id}">["organization"];
export type UsageOverview = Answer<"GET /admin/usage">;
export type WebhookEndpoint = Answer<"GET /admin/webhook-endpoints/{endpoint_id}">["endpoint"];
export type WebhookDelivery = Answer<"POST /admin/webhook-endpoints/{endpoint_id}/test">["delivery"];
