/**
 * The client this object speaks for and the data-plane state of its workflows, in memory and in
 * the object's SQLite storage (so an eviction reloads it without D1). The object is the single
 * writer of the client's D1 rows, so what it holds is the client's current state.
 *
 * Storage is created only once the object holds a client: an ID that names no client (one that got
 * past the edge, e.g. minted under a previous tag key for a client that never existed) leaves no
 * tables and no SQLite file behind, so junk cannot make the platform store anything.
 */
import { eq } from "drizzle-orm";
import type { WorkflowState } from "../domain/admission";
import { completeAlertSettings } from "../domain/alert-settings";
import { DEFAULT_ORGANIZATION_ID } from "../domain/organization-rules";
import { primaryDatabase } from "../storage/database";
import { type ClientRow, type WorkflowRow, clients, workflows } from "../storage/schema";

export function workflowState(row: WorkflowRow): WorkflowState {
  return {
    status: row.status,
    tokenId: row.tokenId,
    secretVersion: row.tokenSecretVersion,
    allowedOrigins: row.allowedOrigins,
  };
}

/**
 * A row this object stored before organizations existed has no organizationId. Such a client was
 * created before the migration that introduced them, which put every existing client in
 * org_default, and a client never changes organization: so that is its organization. Likewise a
 * row stored before alert settings existed has none: the migration gave such clients the defaults.
 */
function completed(row: ClientRow): ClientRow {
  return {
    ...row,
    organizationId: row.organizationId ?? DEFAULT_ORGANIZATION_ID,
    alertSettings: completeAlertSettings(row.alertSettings),
  };
}

export class ClientState {
  client: ClientRow | null = null;
  readonly workflows = new Map<string, WorkflowState>();
  /** Set after D1 was asked and had no such client; cleared when the client is created here. */
  private knownAbsent = false;
  private tablesReady = false;

  constructor(
    private readonly sql: SqlStorage,
    private readonly db: () => D1Database,
  ) {
    const tables = sql
      .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'client_state'")
      .toArray();
    if (tables.length === 0) return;
    this.tablesReady = true;
    const stored = sql.exec<{ row: string }>("SELECT row FROM client_state WHERE id = 1").toArray()[0];
    if (stored) this.client = completed(JSON.parse(stored.row) as ClientRow);
    for (const w of sql.exec<{ id: string; state: string }>("SELECT id, state FROM workflow_state")) {
      this.workflows.set(w.id, JSON.parse(w.state) as WorkflowState);
    }
  }

  /**
   * The client, normally held here since its creation; when this object's storage has never seen
   * it (a client created before this object existed), it is read from D1's primary once.
   */
  async load(clientId: string): Promise<ClientRow | null> {
    if (this.client) return this.client.id === clientId ? this.client : null;
    if (this.knownAbsent) return null;
    const db = primaryDatabase(this.db());
    const row = await db.select().from(clients).where(eq(clients.id, clientId)).get();
    if (!row) {
      this.knownAbsent = true;
      return null;
    }
    // Another call may have loaded it while D1 answered.
    if (this.client) return this.client;
    const rows: WorkflowRow[] = await db.select().from(workflows).where(eq(workflows.clientId, clientId)).all();
    this.storeClient(row);
    for (const w of rows) this.storeWorkflow(w.id, workflowState(w));
    return row;
  }

  storeClient(row: ClientRow): void {
    this.ensureTables();
    this.client = row;
    this.knownAbsent = false;
    this.sql.exec("INSERT OR REPLACE INTO client_state (id, row) VALUES (1, ?)", JSON.stringify(row));
  }

  /**
   * last_used_at as the latest flush wrote it to D1, in memory only: D1 is its record (moved
   * forward by the flush itself), and a management answer that shows it may show it a flush late
   * after an eviction. Storing it here would cost a row written on every flush.
   */
  noteLastUsed(at: number): void {
    if (this.client && at > (this.client.lastUsedAt ?? 0)) this.client = { ...this.client, lastUsedAt: at };
  }

  storeWorkflow(id: string, state: WorkflowState): void {
    this.ensureTables();
    this.workflows.set(id, state);
    this.sql.exec("INSERT OR REPLACE INTO workflow_state (id, state) VALUES (?, ?)", id, JSON.stringify(state));
  }

  private ensureTables(): void {
    if (this.tablesReady) return;
    this.sql.exec(`CREATE TABLE IF NOT EXISTS client_state (id INTEGER PRIMARY KEY CHECK (id = 1), row TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS workflow_state (id TEXT PRIMARY KEY, state TEXT NOT NULL);`);
    this.tablesReady = true;
  }
}
