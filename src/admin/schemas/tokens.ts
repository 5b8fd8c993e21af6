import { z } from "@hono/zod-openapi";
import { GRANTS, PERMISSIONS } from "../permissions";
import { Cursor, IsoTime, Limit, OrganizationId, text } from "./common";
import { OrganizationSchema } from "./organizations";

export const DEFAULT_TOKEN_DAYS = 90;
export const MAX_TOKEN_DAYS = 365;
export const MAX_TOKEN_CLIENTS = 100;

const Grant = z.enum(GRANTS as [string, ...string[]]).openapi({
  description: `One of ${PERMISSIONS.map((p) => `\`${p}\``).join(", ")}, or \`*\` (all of them).`,
});

export const AdminTokenSchema = z
  .object({
    id: z.string().openapi({ example: "adt_4fT9kQ2mXbV7cLp0sNw3Ze" }),
    name: z.string(),
    permissions: z.array(z.string()),
    client_ids: z
      .array(z.string())
      .nullable()
      .openapi({ description: "The clients the token is limited to; null = every client." }),
    organization_id: z
      .string()
      .nullable()
      .openapi({ description: "The organization the token is bound to; null = not bound to one." }),
    created_at: IsoTime,
    expires_at: IsoTime,
    last_used_at: IsoTime.openapi({ description: "Lags real use by at most 60 s." }),
    revoked_at: IsoTime,
    created_by: z
      .string()
      .openapi({ description: 'The creator as the audit log names it: "bootstrap" or a token id.' }),
    secret_last_four: z.string(),
  })
  .openapi("AdminToken");

export const CreateTokenBody = z
  .strictObject({
    name: text().trim().min(1).max(200).openapi({ example: "CI deploys" }),
    permissions: z
      .array(Grant)
      .min(1)
      .max(GRANTS.length)
      .transform((grants) => [...new Set(grants)]),
    client_ids: z
      .array(text().max(200))
      .min(1)
      .max(MAX_TOKEN_CLIENTS)
      .transform((ids) => [...new Set(ids)])
      .optional()
      .openapi({ description: "Limit the token to these clients (omit for every client)." }),
    organization_id: OrganizationId.optional().openapi({
      description:
        "Bind the token to this organization. A bound creator's tokens are always bound to its own organization (naming another: 404).",
    }),
    expires_in_days: z
      .number()
      .int()
      .min(1)
      .max(MAX_TOKEN_DAYS)
      .optional()
      .openapi({ description: `1..${MAX_TOKEN_DAYS}, default ${DEFAULT_TOKEN_DAYS}.` }),
  })
  .openapi("CreateAdminToken");

export const TokenIdParam = z.object({
  token_id: text()
    .max(200)
    .openapi({ param: { name: "token_id", in: "path" } }),
});

export const ListTokensQuery = z.strictObject({ limit: Limit, cursor: Cursor });

export const TokenEnvelope = z.object({ token: AdminTokenSchema }).openapi("AdminTokenEnvelope");
export const TokenWithSecret = z
  .object({
    token: AdminTokenSchema,
    secret: z.string().openapi({ example: "nafsi_admin_...", description: "Shown once, never again." }),
  })
  .openapi("AdminTokenWithSecret");
export const TokenList = z
  .object({ tokens: z.array(AdminTokenSchema), next_cursor: z.string().nullable() })
  .openapi("AdminTokenList");

export const MeSchema = z
  .object({
    actor: z.string().openapi({ description: '"bootstrap" for ADMIN_TOKEN, otherwise the token id.' }),
    name: z.string().openapi({ description: 'The token\'s name ("bootstrap" for ADMIN_TOKEN).' }),
    permissions: z.array(z.string()),
    client_ids: z.array(z.string()).nullable(),
    organization_id: z.string().nullable(),
    // The token's organization; null when unbound. A union, not .nullable(): the document
    // generator would otherwise make the named Organization schema itself nullable everywhere.
    organization: z.union([OrganizationSchema, z.null()]),
    expires_at: IsoTime,
  })
  .openapi("AdminMe");
