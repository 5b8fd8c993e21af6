import { z } from "@hono/zod-openapi";
import { Cursor, IsoTime, Limit, OrganizationId, text } from "./common";

export const UsageDays = z.coerce
  .number()
  .int()
  .min(1)
  .max(365)
  .default(30)
  .openapi({ description: "Days back from now (1..365, default 30)." });

export const UsageQuery = z.strictObject({ days: UsageDays });

/** One UTC day of a usage answer (per client, or summed over many). */
export const DailyUsage = z.object({
  date: z.string(),
  requests: z.number().int(),
  successful_requests: z.number().int(),
  units_consumed: z.number().int(),
});

export const UsageSchema = z
  .object({
    client_id: z.string(),
    from: IsoTime,
    to: IsoTime,
    total_requests: z.number().int(),
    successful_requests: z.number().int(),
    success_rate: z.number().nullable().openapi({ description: "successful / total; null with no requests." }),
    average_response_ms: z.number().nullable().openapi({ description: "Over admitted requests; null with none." }),
    rate_limited_requests: z.number().int(),
    failed_authentications: z.number().int(),
    units_consumed: z.number().int(),
    by_workflow: z.array(
      z.object({ workflow_id: z.string(), requests: z.number().int(), successful_requests: z.number().int() }),
    ),
    errors: z
      .record(z.string(), z.number().int())
      .openapi({ description: "Error code (or upstream_4xx / upstream_5xx) to count." }),
    daily: z.array(DailyUsage),
  })
  .openapi("Usage");

const AlertType = z.enum([
  "rate_limit_approaching",
  "high_error_rate",
  "failed_authentication",
  "unusual_usage",
  "secret_rotation_due",
  "secret_leaked",
]);

export const AlertsQuery = z.strictObject({
  client_id: text().max(200).optional(),
  type: AlertType.optional(),
  limit: Limit,
  cursor: Cursor,
});

export const AlertSchema = z
  .object({
    id: z.string(),
    client_id: z.string(),
    type: AlertType,
    message: z.string(),
    triggered_at: IsoTime,
    details: z.record(z.string(), z.unknown()),
  })
  .openapi("Alert");

export const AlertList = z
  .object({ alerts: z.array(AlertSchema), next_cursor: z.string().nullable() })
  .openapi("AlertList");

/**
 * A time bound of the audit log's filter: ISO 8601 with a time zone (`2026-04-26T10:00:00Z`,
 * `2026-04-26T12:00:00+02:00`) or a UTC date (`2026-04-26`, its midnight), as epoch milliseconds.
 */
const AuditTime = (description: string) =>
  z
    .union([z.iso.datetime({ offset: true }), z.iso.date()], {
      error: "Must be an ISO 8601 time with a time zone (2026-04-26T10:00:00Z) or a date (2026-04-26).",
    })
    .transform((value) => Date.parse(value))
    .optional()
    .openapi({ description, example: "2026-04-26T10:00:00Z" });

export const AuditQuery = z
  .strictObject({
    target_id: text().max(200).optional(),
    actor: text()
      .max(200)
      .optional()
      .openapi({ description: 'Who acted: "bootstrap", an admin token\'s id, or "github_secret_scanning".' }),
    action: text().max(100).optional().openapi({ description: "One action, such as client.update." }),
    from: AuditTime("Entries at or after this time."),
    to: AuditTime("Entries before this time."),
    organization_id: OrganizationId.optional(),
    limit: Limit,
    cursor: Cursor,
  })
  .refine((q) => q.from === undefined || q.to === undefined || q.from <= q.to, {
    message: "from must not be later than to.",
    path: ["from"],
  });

export const AuditEntrySchema = z
  .object({
    id: z.string(),
    at: IsoTime,
    actor: z.string(),
    action: z.string().openapi({ example: "client.regenerate_secret" }),
    target_id: z.string(),
    organization_id: z
      .string()
      .nullable()
      .openapi({ description: "The target's organization; null for the gateway's own (an unbound admin token)." }),
    ip: z.string().nullable(),
    request_id: z.string().nullable(),
    details: z.record(z.string(), z.unknown()),
  })
  .openapi("AuditEntry");

export const AuditList = z
  .object({ entries: z.array(AuditEntrySchema), next_cursor: z.string().nullable() })
  .openapi("AuditList");
