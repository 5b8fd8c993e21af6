import { OpenAPIHono } from "@hono/zod-openapi";
import { EXAMPLE_USAGE_OVERVIEW } from "../schemas/examples";
import { and } from "drizzle-orm";
import type { Context } from "hono";
import { csvRow } from "../../domain/csv";
import { type ClientDay, usageOverview } from "../../domain/usage-overview";
import { organizationById } from "../../storage/organizations";
import { clients } from "../../storage/schema";
import { usagePages } from "../../storage/usage-pages";
import { clockNow } from "../../lib/clock";
import { DAY_MS, HOUR_MS, MINUTE_MS, floorTo } from "../../lib/time";
import { validationHook } from "../../lib/validation";
import { adminRoute } from "../admin-route";
import type { AdminEnv } from "../context";
import { noSuchOrganization, organizationCondition, scopeCondition } from "../scope";
import { USAGE_CSV_COLUMNS, UsageCsv, UsageOverviewQuery, UsageOverviewSchema } from "../schemas/usage-overview";

export const usageOverviewRoutes = new OpenAPIHono<AdminEnv>({ defaultHook: validationHook });

/** Usage reaches D1 at most this long after the traffic (the objects' flush interval and more). */
const USAGE_LAG_MS = MINUTE_MS;

usageOverviewRoutes.openapi(
  adminRoute("usage:read", {
    method: "get",
    path: "/admin/usage",
    errors: ["not_found"],
    tags: ["Usage"],
    summary: "Usage over every client the token sees, as JSON or as a CSV export",
    description:
      "Sums by client and by day over the last `days` days, of every client the token sees (or of the organization named). `format=csv` or `Accept: text/csv` answers the export instead: one row per client per day with traffic, streamed (it does not depend on how many clients there are).",
    request: { query: UsageOverviewQuery },
    responses: {
      200: {
        description: "The overview (JSON) or the export (CSV)",
        content: {
          "application/json": { schema: UsageOverviewSchema, example: EXAMPLE_USAGE_OVERVIEW },
          "text/csv": { schema: UsageCsv },
        },
      },
    },
  }),
  async (c) => {
    const q = c.req.valid("query");
    const principal = c.get("principal");
    const organization = organizationCondition(principal, q.organization_id, clients.organizationId);
    if (q.organization_id !== undefined && !(await organizationById(c.env.DB, q.organization_id))) {
      throw noSuchOrganization();
    }
    const where = and(organization, scopeCondition(principal, clients.id, clients.organizationId));
    const to = clockNow();
    const from = to - q.days * DAY_MS;
    const pages = () => usagePages(c.env.DB, where, floorTo(from, HOUR_MS));
    const csv = q.format === "csv" || (q.format === undefined && /\btext\/csv\b/i.test(c.req.header("Accept") ?? ""));
    if (csv) return (await csvAnswer(c, pages(), to)) as never;
    return c.json(await usageOverview(pages(), from, to, to - USAGE_LAG_MS), 200);
  },
);

const csvLine = (r: ClientDay) =>
  csvRow([
    r.date,
    r.organizationId,
    r.clientId,
    r.name,
    r.environment,
    r.requests,
    r.successfulRequests,
    r.unitsConsumed,
    r.rateLimitedRequests,
    r.failedAuthentications,
  ]);

/** The export, streamed: one D1 page at a time is read as the body is pulled. */
async function csvAnswer(c: Context<AdminEnv>, pages: AsyncGenerator<ClientDay[]>, to: number) {
  const encoder = new TextEncoder();
  let header = true;
  // The first page is read before answering: a storage failure then is a clean error answer, not
  // a file cut off after its header.
  let first: IteratorResult<ClientDay[]> | null = await pages.next();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (header) {
        header = false;
        controller.enqueue(encoder.encode(csvRow(USAGE_CSV_COLUMNS)));
        return;
      }
      // A page of clients without traffic has no rows: read on until there is something to send,
      // since a pull that enqueues nothing is not called again.
      for (;;) {
        const next = first ?? (await pages.next());
        first = null;
        if (next.done) {
          controller.close();
          return;
        }
        if (next.value.length === 0) continue;
        controller.enqueue(encoder.encode(next.value.map(csvLine).join("")));
        return;
      }
    },
    async cancel() {
      await pages.return(undefined);
    },
  });
  const date = new Date(to).toISOString().slice(0, 10);
  return c.body(body, 200, {
    "Content-Type": "text/csv; charset=utf-8",
    "Content-Disposition": `attachment; filename="nafsi-usage-${date}.csv"`,
  });
}
