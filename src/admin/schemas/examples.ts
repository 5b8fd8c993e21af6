import type { z } from "@hono/zod-openapi";
import type { ClientSchema } from "./clients";
import type { AlertSchema, AuditEntrySchema, UsageSchema } from "./observability";
import type { OrganizationSchema } from "./organizations";
import type { AdminTokenSchema, MeSchema } from "./tokens";
import type { UsageOverviewSchema } from "./usage-overview";
import type { WebhookDeliverySchema, WebhookEndpointSchema } from "./webhook-endpoints";
import type { WorkflowSchema } from "./workflows";
import { DEFAULT_ALERT_SETTINGS } from "../../domain/alert-settings";

/**
 * The objects the example answers of the OpenAPI document show (/docs, /openapi.json), one of each
 * kind, consistent with each other (the workflow is the client's, and so on). Typed by the schemas
 * the answers are validated against, so that a renamed or new field makes them fail to compile.
 */
export const CLIENT_ID = "nafsi_live_3Vq0cJm2xWb8PnKf5TzR1a0Nt9Zq";
const WORKFLOW_ID = "wf_7Lr2QeYb0sXk4TnV9cPz1mAhd8Jw3e";

export const EXAMPLE_CLIENT: z.output<typeof ClientSchema> = {
  id: CLIENT_ID,
  name: "Production iOS App",
  environment: "production",
  rate_limit: 100,
  retention_days: 90,
  region: null,
  organization_id: "org_default",
  status: "active",
  secret_last_four: "h2Qx",
  created_at: "2026-01-28T12:00:00.000Z",
  updated_at: "2026-01-28T12:00:00.000Z",
  last_used_at: "2026-02-03T09:41:07.000Z",
  secret_rotated_at: null,
  previous_secret_expires_at: null,
  revoked_at: null,
  rotation_due_at: "2026-04-28T12:00:00.000Z",
  alert_settings: DEFAULT_ALERT_SETTINGS,
};

/** Never a real secret: the shape of one. */
export const EXAMPLE_SECRET = "sk_live_5mKq8ZtP2vXw9RbN4cLd7YfJ1gHs3Ae6Uo0Tih2Qx";

export const EXAMPLE_WORKFLOW: z.output<typeof WorkflowSchema> = {
  id: WORKFLOW_ID,
  client_id: CLIENT_ID,
  name: "Onboarding KYC",
  status: "active",
  allowed_origins: ["https://app.example.com"],
  token_issued_at: "2026-01-28T12:05:00.000Z",
  needs_rekey: false,
  created_at: "2026-01-28T12:05:00.000Z",
  updated_at: "2026-01-28T12:05:00.000Z",
  last_used_at: "2026-02-03T09:41:07.000Z",
};

export const EXAMPLE_ORGANIZATION: z.output<typeof OrganizationSchema> = {
  id: "org_4fT9kQ2mXbV7cLp0sNw3Ze",
  name: "Acme Payments",
  max_rate_limit: 1000,
  max_clients: 100,
  client_count: 3,
  created_at: "2026-01-20T08:00:00.000Z",
  updated_at: "2026-01-20T08:00:00.000Z",
};

export const EXAMPLE_TOKEN: z.output<typeof AdminTokenSchema> = {
  id: "adt_4fT9kQ2mXbV7cLp0sNw3Ze",
  name: "CI deploys",
  permissions: ["clients:read", "clients:rotate"],
  client_ids: [CLIENT_ID],
  organization_id: null,
  created_at: "2026-01-28T12:10:00.000Z",
  expires_at: "2026-04-28T12:10:00.000Z",
  last_used_at: "2026-02-03T09:00:00.000Z",
  revoked_at: null,
  created_by: "bootstrap",
  secret_last_four: "9fQa",
};

export const EXAMPLE_ME: z.output<typeof MeSchema> = {
  actor: "bootstrap",
  name: "bootstrap",
  permissions: ["*"],
  client_ids: null,
  organization_id: null,
  organization: null,
  expires_at: null,
};

const DAY = { date: "2026-02-03", requests: 1200, successful_requests: 1190, units_consumed: 1190 };

export const EXAMPLE_USAGE: z.output<typeof UsageSchema> = {
  client_id: CLIENT_ID,
  from: "2026-01-04T10:00:00.000Z",
  to: "2026-02-03T10:00:00.000Z",
  total_requests: 1200,
  successful_requests: 1190,
  success_rate: 0.9917,
  average_response_ms: 38.5,
  rate_limited_requests: 3,
  failed_authentications: 0,
  units_consumed: 1190,
  by_workflow: [{ workflow_id: WORKFLOW_ID, requests: 800, successful_requests: 795 }],
  errors: { rate_limit_exceeded: 3, upstream_5xx: 7 },
  daily: [DAY],
};

export const EXAMPLE_USAGE_OVERVIEW: z.output<typeof UsageOverviewSchema> = {
  from: "2026-01-04T10:00:00.000Z",
  to: "2026-02-03T10:00:00.000Z",
  as_of: "2026-02-03T09:59:00.000Z",
  total_requests: 1200,
  successful_requests: 1190,
  units_consumed: 1190,
  rate_limited_requests: 3,
  failed_authentications: 0,
  clients: [
    {
      client_id: CLIENT_ID,
      name: "Production iOS App",
      organization_id: "org_default",
      environment: "production",
      total_requests: 1200,
      successful_requests: 1190,
      units_consumed: 1190,
      rate_limited_requests: 3,
      failed_authentications: 0,
    },
  ],
  daily: [DAY],
};

export const EXAMPLE_ALERT: z.output<typeof AlertSchema> = {
  id: "alt_2bR7mQ9xLc4VnT1kWp8Zs",
  client_id: CLIENT_ID,
  type: "rate_limit_approaching",
  message: "Production iOS App used 80% of its rate limit (80 of 100 requests in 60 s).",
  triggered_at: "2026-02-03T09:41:07.000Z",
  details: { used: 80, limit: 100 },
};

export const EXAMPLE_AUDIT_ENTRY: z.output<typeof AuditEntrySchema> = {
  id: "aud_6yH3pW8qNc1ZtR5mXb2Lk",
  at: "2026-02-03T09:45:00.000Z",
  actor: "bootstrap",
  action: "client.regenerate_secret",
  target_id: CLIENT_ID,
  organization_id: "org_default",
  ip: "203.0.113.7",
  request_id: "req_9Tq2mZ7xWc4BnL1kVp8Rs",
  details: { grace_period_seconds: 3600 },
};

export const EXAMPLE_WEBHOOK_ENDPOINT: z.output<typeof WebhookEndpointSchema> = {
  id: "whe_4fT9kQ2mXbV7cLp0sNw3Ze",
  url: "https://hooks.example.com/nafsi",
  description: "On-call alerts",
  events: ["rate_limit_approaching", "failed_authentication", "secret_leaked"],
  client_ids: null,
  status: "enabled",
  disabled_reason: null,
  organization_id: "org_default",
  secret_last_four: "Qx8=",
  created_at: "2026-02-01T08:00:00.000Z",
  updated_at: "2026-02-01T08:00:00.000Z",
};

/** Never a real secret: the shape of one. */
export const EXAMPLE_WEBHOOK_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw5ZSQ0rXqQx8=";

export const EXAMPLE_DELIVERY: z.output<typeof WebhookDeliverySchema> = {
  id: "whd_8Hn2VbQ5cXr1LpT7kZw0Ms",
  event_id: "evt_2Wq7NcT4vHb9XsK1rPm6Jd",
  event_type: "failed_authentication",
  status: "succeeded",
  attempts: 1,
  created_at: "2026-02-03T09:41:08.000Z",
  last_attempt_at: "2026-02-03T09:41:09.000Z",
  next_attempt_at: null,
  response_status: 204,
  error: null,
};
