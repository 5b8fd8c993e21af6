export { Nafsi, type NafsiOptions, type RateLimitInfo, type RequestOptions } from "./nafsi.js";
export { NafsiAdmin, type NafsiAdminOptions, type UsageExport, type UsageOverviewOptions } from "./admin.js";
export { NafsiError, type NafsiErrorDetail } from "./errors.js";
export { verifyWebhook, type VerifyWebhookOptions, type WebhookEvent, type WebhookHeaders } from "./webhook.js";
export type { RetryInfo, RetryOptions } from "./retry.js";
export type {
  AdminToken,
  Alert,
  Answer,
  AuditEntry,
  Body,
  Client,
  Me,
  OperationKey,
  Operations,
  Organization,
  Query,
  Schemas,
  Usage,
  UsageOverview,
  WebhookDelivery,
  WebhookEndpoint,
  Workflow,
} from "./types.js";
