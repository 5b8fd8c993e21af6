import { z } from "@hono/zod-openapi";
import { Cursor, IsoTime, Limit, text } from "./common";

const MAX_ORIGINS = 50;

/**
 * What a browser can send as a host: DNS labels (letters, digits, hyphens, underscores; no wildcard, which could
 * never match an Origin literally), an IPv4 address, or a bracketed IPv6 address.
 */
const ORIGIN_HOST = /^(?:[a-z0-9_-]+(?:\.[a-z0-9_-]+)*|\[[0-9a-f:.]+\])$/;

/** A browser origin exactly as browsers send it: scheme://host[:port], nothing after. */
const Origin = text()
  .max(300)
  .refine(
    (value) => {
      try {
        const url = new URL(value);
        return (
          (url.protocol === "https:" || url.protocol === "http:") &&
          url.origin === value &&
          ORIGIN_HOST.test(url.hostname)
        );
      } catch {
        return false;
      }
    },
    {
      message:
        "Must be an origin such as https://app.example.com (http or https, a lower-case host without wildcards, an optional port; no path or trailing slash).",
    },
  )
  .openapi({ example: "https://app.example.com" });

const AllowedOrigins = z
  .array(Origin)
  .max(MAX_ORIGINS)
  .transform((origins) => [...new Set(origins)])
  .openapi({ description: "Browser origins allowed to use this workflow. Empty: any origin." });

const Name = text().trim().min(1).max(200).openapi({ example: "Onboarding KYC" });
const ClientSecret = text({ keepControls: true })
  .max(200)
  .openapi({ description: "The client's current secret (proves ownership; never stored or returned)." });

export const WorkflowSchema = z
  .object({
    id: z.string().openapi({ example: "wf_7Lr2QeYb0sXk4TnV9cPz1mAhd8Jw3e" }),
    client_id: z.string(),
    name: z.string(),
    status: z.enum(["active", "inactive"]),
    allowed_origins: z.array(z.string()),
    token_issued_at: IsoTime,
    needs_rekey: z.boolean().openapi({
      description:
        "True when the workflow's token was minted from a secret other than the client's current one: it stops working when the previous secret's grace period ends (or already has). Re-key it with the current secret.",
    }),
    created_at: IsoTime,
    updated_at: IsoTime,
    last_used_at: IsoTime,
  })
  .openapi("Workflow");

export const WorkflowIdParam = z.object({
  workflow_id: text()
    .max(200)
    .openapi({ param: { name: "workflow_id", in: "path" } }),
});

export const CreateWorkflowBody = z
  .strictObject({
    client_id: text().max(200),
    client_secret: ClientSecret,
    name: Name,
    allowed_origins: AllowedOrigins.optional(),
  })
  .openapi("CreateWorkflow");

export const IMMUTABLE_WORKFLOW_FIELDS = ["id", "client_id", "refresh_token", "token_issued_at", "created_at"];

export const PatchWorkflowBody = z
  .strictObject({
    name: Name.optional(),
    status: z.enum(["active", "inactive"]).optional(),
    allowed_origins: AllowedOrigins.optional(),
    client_secret: ClientSecret.optional().openapi({
      description: "The client's current secret: re-mints the workflow's refresh token (after a secret regeneration).",
    }),
  })
  .openapi("PatchWorkflow");

export const ListWorkflowsQuery = z.strictObject({
  client_id: text().max(200).optional(),
  limit: Limit,
  cursor: Cursor,
});

export const WorkflowEnvelope = z.object({ workflow: WorkflowSchema }).openapi("WorkflowEnvelope");
export const WorkflowList = z
  .object({ workflows: z.array(WorkflowSchema), next_cursor: z.string().nullable() })
  .openapi("WorkflowList");
