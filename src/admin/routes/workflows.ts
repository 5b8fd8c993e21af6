import { OpenAPIHono } from "@hono/zod-openapi";
import { CLIENT_ID, EXAMPLE_SECRET, EXAMPLE_WORKFLOW } from "../schemas/examples";
import { and, eq } from "drizzle-orm";
import { adminRoute } from "../admin-route";
import { auditContextOf } from "../audit-context";
import { clientVisible, noSuchClient, scopeCondition } from "../scope";
import { storedClientIdEnvironment } from "../../domain/credentials";
import { adminCredentials } from "../credentials";
import { sha256Hex } from "../../domain/hash";
import { authorityFor } from "../../object/stub";
import type { AdminEnv } from "../context";
import { database, primaryDatabase } from "../../storage/database";
import { decodeCursor, keyset, page } from "../../storage/pagination";
import { clients, workflows } from "../../storage/schema";
import { ApiError } from "../../lib/errors";
import { unwrap } from "../../lib/result";
import { patchHook, validationHook } from "../../lib/validation";
import { json, jsonRequest } from "../schemas/common";
import {
  CreateWorkflowBody,
  IMMUTABLE_WORKFLOW_FIELDS,
  ListWorkflowsQuery,
  PatchWorkflowBody,
  WorkflowEnvelope,
  WorkflowIdParam,
  WorkflowList,
} from "../schemas/workflows";
import { presentWorkflow } from "../present-workflow";
import { precheckSecret } from "../../domain/workflow-rules";

const tags = ["Workflows"];

export const workflowRoutes = new OpenAPIHono<AdminEnv>({ defaultHook: validationHook });

const noSuchWorkflow = () => new ApiError("not_found", "No such workflow.");

/** A workflow row with its client's current secret version, which needs_rekey compares with. */
const withSecretVersion = { workflow: workflows, secretVersion: clients.secretVersion };

workflowRoutes.openapi(
  adminRoute("workflows:write", {
    method: "post",
    path: "/admin/workflows",
    errors: ["not_found", "invalid_client_secret", "client_revoked_conflict", "client_inactive_conflict"],
    tags,
    summary: "Create a workflow (mints its refresh token from the client's current secret)",
    description:
      "Frontend SDKs then authenticate with X-Client-ID + X-Workflow-ID; the secret never reaches the browser. The refresh token is never returned.",
    request: {
      body: jsonRequest(CreateWorkflowBody, {
        client_id: CLIENT_ID,
        client_secret: EXAMPLE_SECRET,
        name: "Onboarding KYC",
        allowed_origins: ["https://app.example.com"],
      }),
    },
    responses: { 201: json(WorkflowEnvelope, "The workflow", { workflow: EXAMPLE_WORKFLOW }) },
  }),
  async (c) => {
    const body = c.req.valid("json");
    const credentials = await adminCredentials(c.env);
    const environment = await credentials.clientIdEnvironment(body.client_id);
    if (!environment || !(await clientVisible(c.env.DB, c.get("principal"), body.client_id))) throw noSuchClient();
    precheckSecret(body.client_secret, environment);
    const row = unwrap(
      await authorityFor(c.env, body.client_id).createWorkflow(
        {
          clientId: body.client_id,
          workflowId: await credentials.newWorkflowId(),
          secretHash: await sha256Hex(body.client_secret),
          name: body.name,
          allowedOrigins: body.allowed_origins ?? [],
        },
        auditContextOf(c),
      ),
    );
    // Minted inside the client's object from the secret it holds now: current by construction.
    return c.json({ workflow: presentWorkflow(row, row.tokenSecretVersion) }, 201);
  },
);

workflowRoutes.openapi(
  adminRoute("workflows:read", {
    method: "get",
    path: "/admin/workflows",
    errors: [],
    tags,
    summary: "List workflows, newest first",
    request: { query: ListWorkflowsQuery },
    responses: { 200: json(WorkflowList, "A page of workflows", { workflows: [EXAMPLE_WORKFLOW], next_cursor: null }) },
  }),
  async (c) => {
    const q = c.req.valid("query");
    const { after, order } = keyset(workflows.createdAt, workflows.id, decodeCursor(q.cursor));
    const rows = await database(c.env.DB)
      .select(withSecretVersion)
      .from(workflows)
      .innerJoin(clients, eq(clients.id, workflows.clientId))
      .where(
        and(
          q.client_id ? eq(workflows.clientId, q.client_id) : undefined,
          scopeCondition(c.get("principal"), workflows.clientId),
          after,
        ),
      )
      .orderBy(...order)
      .limit(q.limit + 1);
    const { items, next_cursor } = page(rows, q.limit, (r) => ({ t: r.workflow.createdAt, id: r.workflow.id }));
    return c.json({ workflows: items.map((r) => presentWorkflow(r.workflow, r.secretVersion)), next_cursor }, 200);
  },
);

workflowRoutes.openapi(
  adminRoute("workflows:read", {
    method: "get",
    path: "/admin/workflows/{workflow_id}",
    errors: ["not_found"],
    tags,
    summary: "Get a workflow",
    request: { params: WorkflowIdParam },
    responses: { 200: json(WorkflowEnvelope, "The workflow", { workflow: EXAMPLE_WORKFLOW }) },
  }),
  async (c) => {
    const { workflow_id } = c.req.valid("param");
    const found = await database(c.env.DB)
      .select(withSecretVersion)
      .from(workflows)
      .innerJoin(clients, eq(clients.id, workflows.clientId))
      .where(eq(workflows.id, workflow_id))
      .get();
    if (!found || !(await clientVisible(c.env.DB, c.get("principal"), found.workflow.clientId))) throw noSuchWorkflow();
    return c.json({ workflow: presentWorkflow(found.workflow, found.secretVersion) }, 200);
  },
);

workflowRoutes.openapi(
  adminRoute("workflows:write", {
    method: "patch",
    path: "/admin/workflows/{workflow_id}",
    errors: [
      "immutable_field",
      "not_found",
      "invalid_client_secret",
      "client_revoked_conflict",
      "client_inactive_conflict",
    ],
    tags,
    summary: "Edit a workflow's name, status or allowed origins, or re-key it",
    description:
      "With `client_secret` (the client's current secret) the refresh token is re-minted: use it after regenerating the secret.",
    request: {
      params: WorkflowIdParam,
      body: jsonRequest(PatchWorkflowBody, {
        allowed_origins: ["https://app.example.com", "https://staging.example.com"],
      }),
    },
    responses: {
      200: json(WorkflowEnvelope, "The updated workflow", {
        workflow: { ...EXAMPLE_WORKFLOW, allowed_origins: ["https://app.example.com", "https://staging.example.com"] },
      }),
    },
  }),
  async (c) => {
    const { workflow_id } = c.req.valid("param");
    const patch = c.req.valid("json");
    const owner = await database(c.env.DB)
      .select({ clientId: workflows.clientId })
      .from(workflows)
      .where(eq(workflows.id, workflow_id))
      .get();
    if (!owner || !(await clientVisible(c.env.DB, c.get("principal"), owner.clientId))) throw noSuchWorkflow();
    const environment = storedClientIdEnvironment(owner.clientId);
    if (patch.client_secret !== undefined) precheckSecret(patch.client_secret, environment);
    const row = unwrap(
      await authorityFor(c.env, owner.clientId).updateWorkflow(
        owner.clientId,
        workflow_id,
        {
          name: patch.name,
          status: patch.status,
          allowedOrigins: patch.allowed_origins,
          secretHash: patch.client_secret === undefined ? undefined : await sha256Hex(patch.client_secret),
        },
        auditContextOf(c),
      ),
    );
    // The client's secret as of now (the primary: a regeneration a moment ago counts).
    const client = await primaryDatabase(c.env.DB)
      .select({ secretVersion: clients.secretVersion })
      .from(clients)
      .where(eq(clients.id, owner.clientId))
      .get();
    return c.json({ workflow: presentWorkflow(row, client?.secretVersion ?? row.tokenSecretVersion) }, 200);
  },
  patchHook(IMMUTABLE_WORKFLOW_FIELDS),
);
