export { Nafsi, type NafsiOptions, type RateLimitInfo, type RequestOptions } from "./nafsi.js";
export { NafsiAdmin, type NafsiAdminOptions } from "./admin.js";
export { NafsiError, type NafsiErrorDetail } from "./errors.js";
export { verifyWebhook, type VerifyWebhookOptions } from "./webhook.js";
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
  Query,
  Schemas,
  Usage,
  Workflow,
} from "./types.js";
