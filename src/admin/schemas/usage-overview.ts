import { z } from "@hono/zod-openapi";
import { IsoTime, OrganizationId } from "./common";
import { DailyUsage, UsageDays } from "./observability";

export const USAGE_CSV_COLUMNS = [
  "date",
  "organization_id",
  "client_id",
  "client_name",
  "environment",
  "requests",
  "successful_requests",
  "units_consumed",
  "rate_limited_requests",
  "failed_authentications",
] as const;

export const UsageOverviewQuery = z.strictObject({
  days: UsageDays,
  organization_id: OrganizationId.optional().openapi({
    description: "Only this organization's clients (a token bound to an organization: only its own).",
  }),
  format: z
    .enum(["json", "csv"])
    .optional()
    .openapi({ description: "`csv` for the export (as does `Accept: text/csv`); default JSON." }),
});

const Sums = {
  total_requests: z.number().int(),
  successful_requests: z.number().int(),
  units_consumed: z.number().int(),
  rate_limited_requests: z.number().int(),
  failed_authentications: z.number().int(),
};

export const UsageOverviewSchema = z
  .object({
    from: IsoTime,
    to: IsoTime,
    as_of: IsoTime.openapi({
      description: "The figures are complete up to this time (usage lags traffic by at most 60 s).",
    }),
    ...Sums,
    clients: z
      .array(
        z.object({
          client_id: z.string(),
          name: z.string(),
          organization_id: z.string(),
          environment: z.enum(["production", "sandbox"]),
          ...Sums,
        }),
      )
      .openapi({ description: "Every client with traffic in the period, busiest first." }),
    daily: z.array(DailyUsage),
  })
  .openapi("UsageOverview");

export const UsageCsv = z.string().openapi({
  description: `One row per client per day with traffic, after a header row: ${USAGE_CSV_COLUMNS.join(",")}. RFC 4180 quoting; a cell starting with =, +, - or @ is prefixed with '.`,
  example: `${USAGE_CSV_COLUMNS.join(",")}\r\n2026-01-28,org_default,nafsi_live_3Vq0cJm2xWb8PnKf5TzR1a0Nt9Zq,Production iOS App,production,1200,1190,1190,3,0\r\n`,
});
