/**
 * The D1 schema, written once here; `npm run db:generate` derives migrations/ from it.
 * Times are integer milliseconds since the Unix epoch (the API renders them as ISO 8601 UTC).
 * The layout and the reasons behind it are in docs/storage.md.
 */
import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { type AlertSettings, DEFAULT_ALERT_SETTINGS } from "../domain/alert-settings";
import { type ClientRecord, LOCATION_HINTS, type UsageHour, type WorkflowRecord } from "../domain/records";

/**
 * The customer teams one gateway serves, each with its plan. `org_default` is created by the
 * migration that introduced organizations and holds every client created before them.
 */
export const organizations = sqliteTable(
  "organizations",
  {
    id: text("id").primaryKey(),
    name: text("name").notNull(),
    maxRateLimit: integer("max_rate_limit").notNull(),
    maxClients: integer("max_clients").notNull(),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [index("organizations_created_idx").on(t.createdAt, t.id)],
);

export type OrganizationRow = typeof organizations.$inferSelect;

export const clients = sqliteTable(
  "clients",
  {
    id: text("id").primaryKey(),
    name: text("name").notNull(),
    environment: text("environment", { enum: ["production", "sandbox"] }).notNull(),
    rateLimit: integer("rate_limit").notNull(),
    retentionDays: integer("retention_days").notNull(),
    status: text("status", { enum: ["active", "inactive", "revoked"] }).notNull(),
    secretHash: text("secret_hash").notNull(),
    secretLastFour: text("secret_last_four").notNull(),
    secretVersion: integer("secret_version").notNull(),
    previousSecretHash: text("previous_secret_hash"),
    previousSecretVersion: integer("previous_secret_version"),
    previousSecretExpiresAt: integer("previous_secret_expires_at"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
    lastUsedAt: integer("last_used_at"),
    secretRotatedAt: integer("secret_rotated_at"),
    revokedAt: integer("revoked_at"),
    region: text("region", { enum: LOCATION_HINTS }),
    /**
     * Fixed at creation. SQLite can add a NOT NULL column only with a default, so the column has
     * one: `org_default`, which is exactly where the migration puts every existing client (and
     * where a client created by a token bound to no organization goes unless it names one). The
     * gateway always writes it explicitly. No REFERENCES clause: SQLite refuses to add a
     * referencing column with a non-NULL default while foreign keys are enforced (as on D1).
     */
    organizationId: text("organization_id").notNull().default("org_default"),
    /**
     * Every type and field, as the client's Durable Object evaluates them. The column's default (the
     * contract's defaults) is what the migration gives every existing client; the gateway always
     * writes it explicitly.
     */
    alertSettings: text("alert_settings", { mode: "json" })
      .$type<AlertSettings>()
      .notNull()
      .default(sql.raw(`'${JSON.stringify(DEFAULT_ALERT_SETTINGS)}'`)),
  },
  (t) => [
    index("clients_created_idx").on(t.createdAt, t.id),
    // The organization-filtered list (newest first) and the plan's client count.
    index("clients_organization_created_idx").on(t.organizationId, t.createdAt, t.id),
    index("clients_status_created_idx").on(t.status, t.createdAt, t.id),
    index("clients_environment_created_idx").on(t.environment, t.createdAt, t.id),
    // A leak report names a secret, not a client: these find its client without a scan.
    index("clients_secret_hash_idx").on(t.secretHash),
    index("clients_previous_secret_hash_idx").on(t.previousSecretHash),
  ],
);

export const workflows = sqliteTable(
  "workflows",
  {
    id: text("id").primaryKey(),
    clientId: text("client_id")
      .notNull()
      .references(() => clients.id),
    name: text("name").notNull(),
    status: text("status", { enum: ["active", "inactive"] }).notNull(),
    allowedOrigins: text("allowed_origins", { mode: "json" })
      .$type<string[]>()
      .notNull()
      .default(sql`'[]'`),
    /** The refresh token (a JWT). D1 is its home; KV only caches it for the edge. */
    refreshToken: text("refresh_token").notNull(),
    tokenId: text("token_id").notNull(),
    tokenSecretVersion: integer("token_secret_version").notNull(),
    tokenIssuedAt: integer("token_issued_at").notNull(),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
    lastUsedAt: integer("last_used_at"),
  },
  (t) => [
    index("workflows_client_created_idx").on(t.clientId, t.createdAt, t.id),
    index("workflows_created_idx").on(t.createdAt, t.id),
  ],
);

/**
 * Usage per client, hour and workflow ('' for secret-authenticated calls). Rows are written with
 * absolute values by the client's Durable Object, so a retried flush overwrites instead of adding.
 */
export const usageHourly = sqliteTable(
  "usage_hourly",
  {
    clientId: text("client_id").notNull(),
    hour: integer("hour").notNull(),
    workflowId: text("workflow_id").notNull(),
    requests: integer("requests").notNull(),
    successfulRequests: integer("successful_requests").notNull(),
    rateLimitedRequests: integer("rate_limited_requests").notNull(),
    failedAuthentications: integer("failed_authentications").notNull(),
    unitsConsumed: integer("units_consumed").notNull(),
    responseMsTotal: integer("response_ms_total").notNull(),
    /** Admitted requests whose answer was reported: the divisor of the average response time. */
    responses: integer("responses").notNull().default(0),
    /** JSON object: error code (or upstream_4xx / upstream_5xx) to count. */
    errors: text("errors", { mode: "json" }).$type<Record<string, number>>().notNull(),
  },
  // No index on `hour` alone: every read is per client (the key's prefix), and an index would be a
  // second row written for every new hour row (the purge scans the key's covering index either way).
  (t) => [primaryKey({ columns: [t.clientId, t.hour, t.workflowId] })],
);

export const alerts = sqliteTable(
  "alerts",
  {
    id: text("id").primaryKey(),
    clientId: text("client_id").notNull(),
    type: text("type").notNull(),
    message: text("message").notNull(),
    triggeredAt: integer("triggered_at").notNull(),
    details: text("details", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
  },
  (t) => [
    index("alerts_triggered_idx").on(t.triggeredAt, t.id),
    index("alerts_client_triggered_idx").on(t.clientId, t.triggeredAt, t.id),
  ],
);

export const auditLog = sqliteTable(
  "audit_log",
  {
    id: text("id").primaryKey(),
    at: integer("at").notNull(),
    actor: text("actor").notNull(),
    action: text("action").notNull(),
    targetId: text("target_id").notNull(),
    /** The client the target belongs to, so retention can purge by the client's retention_days. */
    clientId: text("client_id").notNull(),
    /** The organization of the target (null: about the gateway itself, e.g. an unbound admin token). */
    organizationId: text("organization_id"),
    ip: text("ip"),
    requestId: text("request_id"),
    details: text("details", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
  },
  (t) => [
    index("audit_at_idx").on(t.at, t.id),
    index("audit_target_at_idx").on(t.targetId, t.at, t.id),
    index("audit_client_at_idx").on(t.clientId, t.at),
    index("audit_organization_at_idx").on(t.organizationId, t.at, t.id),
  ],
);

/**
 * Admin tokens of the management API (the bootstrap ADMIN_TOKEN is not a row). The secret itself
 * is never stored: `secret_hash` is its SHA-256 hex, looked up through the unique index on every
 * admin call, so a revoke or an expiry decides the very next call.
 */
export const adminTokens = sqliteTable(
  "admin_tokens",
  {
    id: text("id").primaryKey(),
    name: text("name").notNull(),
    /** JSON array of permission names ("*" = all of them). */
    permissions: text("permissions", { mode: "json" }).$type<string[]>().notNull(),
    /** JSON array of client IDs the token is limited to; null = every client. */
    clientIds: text("client_ids", { mode: "json" }).$type<string[] | null>(),
    secretHash: text("secret_hash").notNull(),
    secretLastFour: text("secret_last_four").notNull(),
    createdAt: integer("created_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
    lastUsedAt: integer("last_used_at"),
    revokedAt: integer("revoked_at"),
    /** The audit actor that created it: "bootstrap" or another token's id. */
    createdBy: text("created_by").notNull(),
    /** The organization the token is bound to; null = not bound (sees every organization). */
    organizationId: text("organization_id"),
  },
  (t) => [
    index("admin_tokens_organization_created_idx").on(t.organizationId, t.createdAt, t.id),
    uniqueIndex("admin_tokens_secret_hash_idx").on(t.secretHash),
    index("admin_tokens_created_idx").on(t.createdAt, t.id),
  ],
);

/**
 * Answers to admin POSTs sent with an `Idempotency-Key`, kept 24 hours per token (src/admin/
 * idempotency.ts). The primary key is the claim: the first request inserts the row while it runs,
 * so concurrent requests with one key find it taken. Never a secret nor a secret's hash: an answer
 * that showed one is kept as the id of the object it belongs to, without its body.
 */
export const idempotencyKeys = sqliteTable(
  "idempotency_keys",
  {
    /** The token that sent it: "bootstrap" or an admin token's id (two tokens never share a key). */
    actor: text("actor").notNull(),
    /** The Idempotency-Key as sent (1..255 printable ASCII). */
    key: text("key").notNull(),
    method: text("method").notNull(),
    /** The path with its query string, if any. */
    path: text("path").notNull(),
    /** SHA-256 hex of the request body's exact bytes. */
    bodyHash: text("body_hash").notNull(),
    /** When the first request arrived; the row lives 24 hours from then. */
    createdAt: integer("created_at").notNull(),
    state: text("state", { enum: ["in_progress", "answered", "secret_shown"] }).notNull(),
    /** While in progress: a random id of the request that holds the key, and until when it may. */
    claimId: text("claim_id"),
    lockedUntil: integer("locked_until"),
    /** Once answered: the kept answer. */
    status: integer("status"),
    contentType: text("content_type"),
    body: text("body"),
    /** Once secret_shown: the id of the created or changed object whose secret the answer showed. */
    resourceId: text("resource_id"),
    /** Once secret_shown: how to get a new secret, as the route that showed it says (for the 409's message). */
    renewal: text("renewal"),
  },
  (t) => [primaryKey({ columns: [t.actor, t.key] }), index("idempotency_keys_created_idx").on(t.createdAt)],
);

/**
 * Managed webhook endpoints (contract "Alert settings and webhook endpoints"). The signing secret
 * is an HMAC key the gateway must use again, so it cannot be hashed: it is stored encrypted
 * (src/domain/webhook-secret.ts; docs/storage.md says how and why).
 */
export const webhookEndpoints = sqliteTable(
  "webhook_endpoints",
  {
    id: text("id").primaryKey(),
    url: text("url").notNull(),
    description: text("description"),
    /** JSON array of event types, or ["*"]. */
    events: text("events", { mode: "json" }).$type<string[]>().notNull(),
    /** JSON array of client IDs; null = every client of the endpoint's organization (or every one). */
    clientIds: text("client_ids", { mode: "json" }).$type<string[] | null>(),
    status: text("status", { enum: ["enabled", "disabled"] }).notNull(),
    disabledReason: text("disabled_reason", { enum: ["manual", "failing"] }),
    /** The organization of the token that created it; null = an operator's endpoint (every organization). */
    organizationId: text("organization_id"),
    /** `v1.<base64 IV ‖ AES-GCM ciphertext>` of the secret. */
    secretCiphertext: text("secret_ciphertext").notNull(),
    secretLastFour: text("secret_last_four").notNull(),
    /** The secret before the last rotation, encrypted the same way, still signing until the time below. */
    previousSecretCiphertext: text("previous_secret_ciphertext"),
    previousSecretExpiresAt: integer("previous_secret_expires_at"),
    /** When the first of an unbroken run of failed attempts happened; null after a success. */
    failingSince: integer("failing_since"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [
    index("webhook_endpoints_created_idx").on(t.createdAt, t.id),
    index("webhook_endpoints_organization_created_idx").on(t.organizationId, t.createdAt, t.id),
  ],
);

export type WebhookEndpointRow = typeof webhookEndpoints.$inferSelect;

/**
 * One row per event (an alert, or a test): the exact body every delivery of it sends, so that each
 * attempt signs the same bytes.
 */
export const webhookEvents = sqliteTable(
  "webhook_events",
  {
    id: text("id").primaryKey(),
    type: text("type").notNull(),
    /** The client the alert is about; null for webhook.test. */
    clientId: text("client_id"),
    body: text("body").notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [index("webhook_events_created_idx").on(t.createdAt)],
);

/** One row per (event, endpoint): its attempts so far and how the last one went. */
export const webhookDeliveries = sqliteTable(
  "webhook_deliveries",
  {
    id: text("id").primaryKey(),
    eventId: text("event_id").notNull(),
    endpointId: text("endpoint_id").notNull(),
    eventType: text("event_type").notNull(),
    status: text("status", { enum: ["pending", "succeeded", "failed"] }).notNull(),
    attempts: integer("attempts").notNull(),
    createdAt: integer("created_at").notNull(),
    lastAttemptAt: integer("last_attempt_at"),
    nextAttemptAt: integer("next_attempt_at"),
    responseStatus: integer("response_status"),
    error: text("error"),
  },
  (t) => [
    // An event is delivered once per endpoint, however often its fan-out runs.
    uniqueIndex("webhook_deliveries_event_endpoint_idx").on(t.eventId, t.endpointId),
    index("webhook_deliveries_endpoint_created_idx").on(t.endpointId, t.createdAt, t.id),
    index("webhook_deliveries_endpoint_status_created_idx").on(t.endpointId, t.status, t.createdAt, t.id),
    index("webhook_deliveries_created_idx").on(t.createdAt),
  ],
);

export type WebhookDeliveryRow = typeof webhookDeliveries.$inferSelect;

export type AdminTokenRow = typeof adminTokens.$inferSelect;

export type ClientRow = typeof clients.$inferSelect;
export type WorkflowRow = typeof workflows.$inferSelect;

// The domain's record types must stay the rows drizzle reads: a column added on one side only fails here.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export const rowsMatchRecords: [
  Same<ClientRow, ClientRecord>,
  Same<WorkflowRow, WorkflowRecord>,
  Same<typeof usageHourly.$inferSelect, UsageHour>,
] = [true, true, true];
