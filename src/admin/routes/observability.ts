import { OpenAPIHono } from "@hono/zod-openapi";
import { EXAMPLE_ALERT, EXAMPLE_AUDIT_ENTRY, EXAMPLE_USAGE } from "../schemas/examples";
import { adminRoute } from "../admin-route";
import { assertClientInScope, noSuchClient, organizationCondition, scopeCondition } from "../scope";
import { and, eq, gte, lt } from "drizzle-orm";
import type { AdminEnv } from "../context";
import { database } from "../../storage/database";
import { decodeCursor, keyset, page } from "../../storage/pagination";
import { alerts, auditLog, clients, usageHourly } from "../../storage/schema";
import { clockNow } from "../../lib/clock";
import { iso } from "../../lib/time";
import { validationHook } from "../../lib/validation";
import { ClientIdParam } from "../schemas/clients";
import { json } from "../schemas/common";
import { AlertList, AlertsQuery, AuditList, AuditQuery, UsageQuery, UsageSchema } from "../schemas/observability";
import { usageReport } from "../../domain/usage-report";
import { HOUR_MS, floorTo } from "../../lib/time";

export const observabilityRoutes = new OpenAPIHono<AdminEnv>({ defaultHook: validationHook });

observabilityRoutes.openapi(
  adminRoute("usage:read", {
    method: "get",
    path: "/admin/clients/{client_id}/usage",
    errors: ["not_found"],
    tags: ["Usage"],
    summary: "A client's usage statistics",
    description: "Figures lag real traffic by at most 60 s. Retained for the client's retention_days.",
    request: { params: ClientIdParam, query: UsageQuery },
    responses: { 200: json(UsageSchema, "Usage over the last `days` days", EXAMPLE_USAGE) },
  }),
  async (c) => {
    const { client_id } = c.req.valid("param");
    const { days } = c.req.valid("query");
    await assertClientInScope(c.env.DB, c.get("principal"), client_id);
    const db = database(c.env.DB);
    const client = await db.select({ id: clients.id }).from(clients).where(eq(clients.id, client_id)).get();
    if (!client) throw noSuchClient();
    const to = clockNow();
    const from = to - days * 86_400_000;
    const rows = await db
      .select()
      .from(usageHourly)
      .where(and(eq(usageHourly.clientId, client_id), gte(usageHourly.hour, floorTo(from, HOUR_MS))));
    return c.json(usageReport(client_id, rows, from, to), 200);
  },
);

observabilityRoutes.openapi(
  adminRoute("alerts:read", {
    method: "get",
    path: "/admin/alerts",
    errors: [],
    tags: ["Alerts"],
    summary: "Alerts, newest first",
    request: { query: AlertsQuery },
    responses: { 200: json(AlertList, "A page of alerts", { alerts: [EXAMPLE_ALERT], next_cursor: null }) },
  }),
  async (c) => {
    const q = c.req.valid("query");
    const { after, order } = keyset(alerts.triggeredAt, alerts.id, decodeCursor(q.cursor));
    const rows = await database(c.env.DB)
      .select()
      .from(alerts)
      .where(
        and(
          q.client_id ? eq(alerts.clientId, q.client_id) : undefined,
          q.type ? eq(alerts.type, q.type) : undefined,
          scopeCondition(c.get("principal"), alerts.clientId),
          after,
        ),
      )
      .orderBy(...order)
      .limit(q.limit + 1);
    const { items, next_cursor } = page(rows, q.limit, (r) => ({ t: r.triggeredAt, id: r.id }));
    return c.json(
      {
        alerts: items.map((a) => ({
          id: a.id,
          client_id: a.clientId,
          type: a.type as "rate_limit_approaching",
          message: a.message,
          triggered_at: iso(a.triggeredAt),
          details: a.details,
        })),
        next_cursor,
      },
      200,
    );
  },
);

observabilityRoutes.openapi(
  adminRoute("audit:read", {
    method: "get",
    path: "/admin/audit-log",
    errors: ["not_found"],
    tags: ["Audit"],
    summary: "Audit log of management changes, newest first",
    description:
      "Every management call that changed something: who (`actor`: \"bootstrap\" for ADMIN_TOKEN, otherwise the admin token's id), what, when, from which IP. Never a secret, hash or token. A client-scoped token sees only its own clients' entries (not those about admin tokens); a token bound to an organization only that organization's. The filters (`target_id`, `actor`, `action`, `from` inclusive, `to` exclusive) apply inside the query, so pages stay full and cursors stay valid.",
    request: { query: AuditQuery },
    responses: {
      200: json(AuditList, "A page of audit entries", { entries: [EXAMPLE_AUDIT_ENTRY], next_cursor: null }),
    },
  }),
  async (c) => {
    const q = c.req.valid("query");
    const { after, order } = keyset(auditLog.at, auditLog.id, decodeCursor(q.cursor));
    const rows = await database(c.env.DB)
      .select()
      .from(auditLog)
      .where(
        and(
          q.target_id ? eq(auditLog.targetId, q.target_id) : undefined,
          q.actor ? eq(auditLog.actor, q.actor) : undefined,
          q.action ? eq(auditLog.action, q.action) : undefined,
          q.from === undefined ? undefined : gte(auditLog.at, q.from),
          q.to === undefined ? undefined : lt(auditLog.at, q.to),
          organizationCondition(c.get("principal"), q.organization_id, auditLog.organizationId),
          scopeCondition(c.get("principal"), auditLog.clientId, auditLog.organizationId),
          after,
        ),
      )
      .orderBy(...order)
      .limit(q.limit + 1);
    const { items, next_cursor } = page(rows, q.limit, (r) => ({ t: r.at, id: r.id }));
    return c.json(
      {
        entries: items.map((e) => ({
          id: e.id,
          at: iso(e.at),
          actor: e.actor,
          action: e.action,
          target_id: e.targetId,
          organization_id: e.organizationId,
          ip: e.ip,
          request_id: e.requestId,
          details: e.details,
        })),
        next_cursor,
      },
      200,
    );
  },
);
