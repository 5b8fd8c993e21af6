import { z } from "@hono/zod-openapi";
import {
  DEFAULT_MAX_CLIENTS,
  DEFAULT_MAX_RATE_LIMIT,
  MAX_CLIENTS_CEILING,
  MAX_RATE_LIMIT_CEILING,
} from "../../domain/organization-rules";
import { Cursor, IsoTime, Limit, text } from "./common";

const Name = text().trim().min(1).max(200).openapi({ example: "Acme Payments" });
const MaxRateLimit = z
  .number()
  .int()
  .min(1)
  .max(MAX_RATE_LIMIT_CEILING)
  .openapi({ description: `Highest rate_limit of a production client (1..${MAX_RATE_LIMIT_CEILING}).` });
const MaxClients = z
  .number()
  .int()
  .min(1)
  .max(MAX_CLIENTS_CEILING)
  .openapi({ description: `Most clients that are not revoked (1..${MAX_CLIENTS_CEILING}).` });

export const OrganizationSchema = z
  .object({
    id: z.string().openapi({ example: "org_4fT9kQ2mXbV7cLp0sNw3Ze" }),
    name: z.string(),
    max_rate_limit: z.number().int(),
    max_clients: z.number().int(),
    client_count: z.number().int().openapi({ description: "Clients of the organization that are not revoked." }),
    created_at: IsoTime,
    updated_at: IsoTime,
  })
  .openapi("Organization");

export const CreateOrganizationBody = z
  .strictObject({
    name: Name,
    max_rate_limit: MaxRateLimit.optional().openapi({ description: `Default ${DEFAULT_MAX_RATE_LIMIT}.` }),
    max_clients: MaxClients.optional().openapi({ description: `Default ${DEFAULT_MAX_CLIENTS}.` }),
  })
  .openapi("CreateOrganization");

export const PatchOrganizationBody = z
  .strictObject({ name: Name.optional(), max_rate_limit: MaxRateLimit.optional(), max_clients: MaxClients.optional() })
  .openapi("PatchOrganization");

/** Fields a PATCH may never carry: answered with immutable_field. */
export const IMMUTABLE_ORGANIZATION_FIELDS = ["id", "created_at", "client_count"];

export const OrganizationIdParam = z.object({
  organization_id: text()
    .max(200)
    .openapi({ param: { name: "organization_id", in: "path" } }),
});

export const ListOrganizationsQuery = z.strictObject({ limit: Limit, cursor: Cursor });

export const OrganizationEnvelope = z.object({ organization: OrganizationSchema }).openapi("OrganizationEnvelope");
export const OrganizationList = z
  .object({ organizations: z.array(OrganizationSchema), next_cursor: z.string().nullable() })
  .openapi("OrganizationList");
