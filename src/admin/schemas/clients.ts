import { z } from "@hono/zod-openapi";
import { MAX_RATE_LIMIT } from "../../domain/client-rules";
import { LOCATION_HINTS } from "../../domain/records";
import { AlertSettingsInput, AlertSettingsSchema } from "./alert-settings";
import { Cursor, IsoTime, Limit, OrganizationId, text } from "./common";

const Name = text().trim().min(1).max(200).openapi({ example: "Production iOS App" });
const Environment = z.enum(["production", "sandbox"]);
const RateLimit = z
  .number()
  .int()
  .min(1)
  .max(MAX_RATE_LIMIT)
  .openapi({ description: "Requests per minute (production 1..1000, default 100; sandbox fixed at 10)." });
// The per-environment range (production 7..365, sandbox 1..7) is checked in clients/rules.ts.
const RetentionDays = z.number().int().min(1).max(365).openapi({
  description:
    "Days usage, alerts and audit entries are kept (production 7..365, default 90; sandbox 1..7, default 7).",
});

const Region = z.enum(LOCATION_HINTS).nullable().openapi({
  description:
    "Where the client's callers are: the Cloudflare location hint its Durable Object is created near (fixed at creation). null: near the first call that reaches it.",
});

export const ClientSchema = z
  .object({
    id: z.string().openapi({ example: "nafsi_live_3Vq0cJm2xWb8PnKf5TzR1a0Nt9Zq" }),
    name: z.string(),
    environment: Environment,
    rate_limit: z.number().int(),
    retention_days: z.number().int(),
    region: Region,
    organization_id: z.string().openapi({ example: "org_default", description: "Fixed at creation." }),
    alert_settings: AlertSettingsSchema,
    status: z.enum(["active", "inactive", "revoked"]),
    secret_last_four: z.string(),
    created_at: IsoTime,
    updated_at: IsoTime,
    last_used_at: IsoTime,
    secret_rotated_at: IsoTime,
    previous_secret_expires_at: IsoTime,
    revoked_at: IsoTime,
    rotation_due_at: z.string().datetime().openapi({
      description: "(secret_rotated_at or created_at) + SECRET_MAX_AGE_DAYS; the daily cron reminds once it passes.",
      example: "2026-04-28T12:00:00.000Z",
    }),
  })
  .openapi("Client");

export const ClientIdParam = z.object({
  client_id: text()
    .max(200)
    .openapi({ param: { name: "client_id", in: "path" } }),
});

export const CreateClientBody = z
  .strictObject({
    name: Name,
    environment: Environment,
    rate_limit: RateLimit.optional(),
    retention_days: RetentionDays.optional(),
    region: Region.optional(),
    organization_id: OrganizationId.optional().openapi({
      description:
        "The organization the client belongs to (fixed). A token bound to an organization creates in its own; an unbound token's default is `org_default`.",
    }),
    alert_settings: AlertSettingsInput.optional(),
  })
  .openapi("CreateClient");

/** Fields a PATCH may never carry: they are answered with immutable_field, not invalid_request. */
export const IMMUTABLE_CLIENT_FIELDS = [
  "id",
  "environment",
  "client_secret",
  "secret",
  "secret_hash",
  "secret_last_four",
  "created_at",
  "region",
  "organization_id",
];

export const PatchClientBody = z
  .strictObject({
    name: Name.optional(),
    rate_limit: RateLimit.optional(),
    retention_days: RetentionDays.optional(),
    status: z.enum(["active", "inactive"]).optional().openapi({ description: "Revoking has its own call." }),
    alert_settings: AlertSettingsInput.optional(),
  })
  .openapi("PatchClient");

export const RegenerateBody = z
  .strictObject({
    grace_period_seconds: z.number().int().min(0).max(604800).default(0).openapi({
      description: "How long the replaced secret (and workflows minted from it) keeps working. 0..604800, default 0.",
    }),
  })
  .openapi("RegenerateSecret");

export const ListClientsQuery = z.strictObject({
  status: z.enum(["active", "inactive", "revoked"]).optional(),
  environment: Environment.optional(),
  organization_id: OrganizationId.optional(),
  limit: Limit,
  cursor: Cursor,
});

export const ClientEnvelope = z.object({ client: ClientSchema }).openapi("ClientEnvelope");
export const ClientWithSecret = z
  .object({ client: ClientSchema, client_secret: z.string().openapi({ example: "sk_live_..." }) })
  .openapi("ClientWithSecret");
export const RegeneratedSecret = z
  .object({ client: ClientSchema, client_secret: z.string(), previous_secret_expires_at: IsoTime })
  .openapi("RegeneratedSecret");
export const ClientList = z
  .object({ clients: z.array(ClientSchema), next_cursor: z.string().nullable() })
  .openapi("ClientList");
