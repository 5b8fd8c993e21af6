/**
 * The shapes the rules work on. They are the D1 rows as drizzle reads them (src/storage/schema.ts
 * checks at compile time that both stay identical), declared here so that the domain depends on
 * nothing but lib. Times are epoch milliseconds.
 */
import type { AlertSettings } from "./alert-settings";
import type { Environment } from "./credentials";

export type ClientStatus = "active" | "inactive" | "revoked";

/** Cloudflare's Durable Object location hints: where a client's object is created (contract: `region`). */
export const LOCATION_HINTS = ["wnam", "enam", "sam", "weur", "eeur", "apac", "oc", "afr", "me"] as const;
export type LocationHint = (typeof LOCATION_HINTS)[number];
export type WorkflowStatus = "active" | "inactive";

export interface ClientRecord {
  id: string;
  name: string;
  environment: Environment;
  rateLimit: number;
  retentionDays: number;
  status: ClientStatus;
  secretHash: string;
  secretLastFour: string;
  secretVersion: number;
  previousSecretHash: string | null;
  previousSecretVersion: number | null;
  previousSecretExpiresAt: number | null;
  createdAt: number;
  updatedAt: number;
  lastUsedAt: number | null;
  secretRotatedAt: number | null;
  revokedAt: number | null;
  /** Fixed at creation; null: Cloudflare places the object near the first call that reaches it. */
  region: LocationHint | null;
  /** The organization the client belongs to; fixed at creation. */
  organizationId: string;
  /** Which alerts the client raises, and at which thresholds (every type and field present). */
  alertSettings: AlertSettings;
}

export interface WorkflowRecord {
  id: string;
  clientId: string;
  name: string;
  status: WorkflowStatus;
  allowedOrigins: string[];
  /** The refresh token (a JWT). D1 is its home; KV only caches it for the edge. */
  refreshToken: string;
  tokenId: string;
  tokenSecretVersion: number;
  tokenIssuedAt: number;
  createdAt: number;
  updatedAt: number;
  lastUsedAt: number | null;
}

/** Usage of one client, hour and workflow ('' for secret-authenticated calls). */
export interface UsageHour {
  clientId: string;
  hour: number;
  workflowId: string;
  requests: number;
  successfulRequests: number;
  rateLimitedRequests: number;
  failedAuthentications: number;
  unitsConsumed: number;
  responseMsTotal: number;
  responses: number;
  errors: Record<string, number>;
}
