/**
 * Organizations in D1 and the one statement that keeps a plan's client count: a client is inserted
 * only while its organization has room, decided by D1 itself rather than read, then written.
 */
import { type SQL, and, eq, getTableColumns, sql } from "drizzle-orm";
import { SQLiteSyncDialect, type SQLiteTable } from "drizzle-orm/sqlite-core";
import { type AuditActor, auditRow } from "./admin-tokens";
import { database, primaryDatabase } from "./database";
import { type ClientRow, type OrganizationRow, auditLog, clients, organizations } from "./schema";

export interface OrganizationWithCount extends OrganizationRow {
  /** Clients of the organization that are not revoked: what max_clients counts. */
  clientCount: number;
}

/** The count max_clients limits, as a SQL expression over an organization id. */
const activeClientCount = (organizationId: SQL | string) =>
  sql<number>`(SELECT count(*) FROM ${clients} WHERE ${clients.organizationId} = ${organizationId} AND ${clients.status} <> 'revoked')`;

const withCount = {
  ...getTableColumns(organizations),
  clientCount: activeClientCount(sql`${organizations.id}`).mapWith(Number),
};

/** The organization with its client count, from D1's primary (a plan just raised decides the next call). */
export async function organizationById(db: D1Database, id: string): Promise<OrganizationWithCount | undefined> {
  return primaryDatabase(db).select(withCount).from(organizations).where(eq(organizations.id, id)).get();
}

/** A page of organizations (the caller's keyset condition and order), with their client counts. */
export async function organizationPage(
  db: D1Database,
  where: SQL | undefined,
  order: SQL[],
  limit: number,
): Promise<OrganizationWithCount[]> {
  return database(db)
    .select(withCount)
    .from(organizations)
    .where(and(where))
    .orderBy(...order)
    .limit(limit);
}

/** Inserts the organization and its `organization.create` audit entry together. */
export async function insertOrganization(db: D1Database, row: OrganizationRow, audit: AuditActor): Promise<void> {
  const d = database(db);
  const details = { name: row.name, max_rate_limit: row.maxRateLimit, max_clients: row.maxClients };
  await d.batch([
    d.insert(organizations).values(row),
    d.insert(auditLog).values(auditRow(audit, "organization.create", row.id, row.createdAt, details, row.id)),
  ]);
}

/** Writes the changed organization and its `organization.update` audit entry (the changes) together. */
export async function updateOrganization(
  db: D1Database,
  next: OrganizationRow,
  changes: Record<string, { from: unknown; to: unknown }>,
  audit: AuditActor,
): Promise<void> {
  const d = database(db);
  const { id, createdAt: _createdAt, ...columns } = next;
  await d.batch([
    d.update(organizations).set(columns).where(eq(organizations.id, id)),
    d.insert(auditLog).values(auditRow(audit, "organization.update", id, next.updatedAt, { changes }, id)),
  ]);
}

const dialect = new SQLiteSyncDialect();

/** `INSERT INTO table (columns) SELECT <the row's values> WHERE <condition>`, as a D1 statement. */
function insertWhere<T extends SQLiteTable>(
  db: D1Database,
  table: T,
  row: T["$inferInsert"],
  condition: SQL,
): D1PreparedStatement {
  const columns = Object.entries(getTableColumns(table));
  const names = sql.raw(columns.map(([, c]) => `"${c.name}"`).join(", "));
  const values = columns.map(
    ([key, column]) => sql`${column.mapToDriverValue((row as Record<string, unknown>)[key] ?? null)}`,
  );
  const query = dialect.sqlToQuery(
    sql`INSERT INTO ${table} (${names}) SELECT ${sql.join(values, sql`, `)} WHERE ${condition}`,
  );
  return db.prepare(query.sql).bind(...query.params);
}

/**
 * Inserts a new client and its audit entry only if its organization has room (fewer than
 * max_clients clients that are not revoked), and answers whether it did. The count and the insert
 * are one INSERT … SELECT … WHERE statement: D1 runs each statement atomically against a single
 * writer, so no other create can slip in between the count and the insert, and 20 concurrent
 * creates at max_clients − 5 insert exactly 5. The audit entry follows in the same batch (one
 * transaction) on `changes() = 1`, i.e. only when the client was inserted.
 */
export async function insertClientWithinPlan(
  db: D1Database,
  row: ClientRow,
  entry: typeof auditLog.$inferInsert,
): Promise<boolean> {
  const hasRoom = sql`${activeClientCount(row.organizationId)} <
    (SELECT ${organizations.maxClients} FROM ${organizations} WHERE ${organizations.id} = ${row.organizationId})`;
  const [inserted] = await db.batch([
    insertWhere(db, clients, row, hasRoom),
    insertWhere(db, auditLog, entry, sql`changes() = 1`),
  ]);
  return inserted!.meta.changes === 1;
}
