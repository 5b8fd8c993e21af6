import { DurableObject } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { timingSafeEqualHex } from "../auth/hash";
import { mintRefreshToken, SigningKeyMissing } from "../auth/refresh-token";
import {
  type ClientPatch,
  type NewSecret,
  inGrace,
  patchClient,
  regenerateSecret,
  revokeClient,
  secretRefusal,
  workflowChangeRefusal,
} from "../clients/rules";
import { database, primaryDatabase } from "../db/client";
import { type ClientRow, type WorkflowRow, clients, workflows } from "../db/schema";
import { type Outcome, accept, refuse } from "../lib/result";
import { SlidingWindow, WINDOW_MS } from "../ratelimit/sliding-window";
import { describeError, log } from "../lib/log";
import { cacheToken } from "../workflows/token-cache";
import type { AdmitRequest, AdmitResult } from "./protocol";

/** The part of a workflow the data plane decides on; the rest lives in D1 only. */
interface WorkflowState {
  status: "active" | "inactive";
  tokenId: string;
  secretVersion: number;
  allowedOrigins: string[];
}

/**
 * One object per client ID: the single writer of that client's D1 rows and the consistent
 * authority the data plane asks on every request (status, secret hashes, workflow states, and the
 * exact sliding rate window). Its own SQLite storage survives eviction, so a restart loses neither
 * state nor window. Layout: docs/storage.md.
 */
export class ClientAuthority extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  private client: ClientRow | null = null;
  private workflows = new Map<string, WorkflowState>();
  private window = new SlidingWindow();
  /** Set after D1 was asked and had no such client; cleared by createClient (which runs here too). */
  private knownAbsent = false;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    ctx.blockConcurrencyWhile(async () => {
      this.sql.exec(`CREATE TABLE IF NOT EXISTS client_state (id INTEGER PRIMARY KEY CHECK (id = 1), row TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS workflow_state (id TEXT PRIMARY KEY, state TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS window_hits (ts INTEGER NOT NULL);
        CREATE INDEX IF NOT EXISTS window_hits_ts ON window_hits (ts);`);
      const stored = this.sql.exec<{ row: string }>("SELECT row FROM client_state WHERE id = 1").toArray()[0];
      if (stored) this.client = JSON.parse(stored.row) as ClientRow;
      for (const w of this.sql.exec<{ id: string; state: string }>("SELECT id, state FROM workflow_state")) {
        this.workflows.set(w.id, JSON.parse(w.state) as WorkflowState);
      }
      const cutoff = Date.now() - WINDOW_MS;
      this.sql.exec("DELETE FROM window_hits WHERE ts <= ?", cutoff);
      const hits = this.sql.exec<{ ts: number }>("SELECT ts FROM window_hits ORDER BY ts").toArray();
      this.window = new SlidingWindow(hits.map((h) => h.ts));
    });
  }

  // ---- data plane ---------------------------------------------------------------------------

  async admit(request: AdmitRequest): Promise<AdmitResult> {
    const client = await this.load(request.clientId);
    if (!client) return { outcome: "denied", code: "invalid_credentials" };
    const now = Date.now();
    const proof = request.proof;

    if (proof.kind === "secret") {
      // The secret is checked before the status, so that status is told only to holders of the secret.
      const current = timingSafeEqualHex(proof.secretHash, client.secretHash);
      const previous =
        !current && client.previousSecretHash !== null && inGrace(client, now)
          ? timingSafeEqualHex(proof.secretHash, client.previousSecretHash)
          : false;
      if (!current && !previous) return { outcome: "denied", code: "invalid_credentials", wrongSecret: true };
      const status = this.statusDenial(client);
      if (status) return status;
    } else {
      const status = this.statusDenial(client);
      if (status) return status;
      const workflow = this.workflows.get(proof.workflowId);
      if (!workflow) return { outcome: "denied", code: "invalid_credentials" };
      if (workflow.tokenId !== proof.tokenId) return { outcome: "stale_token" };
      if (workflow.status !== "active") return { outcome: "denied", code: "workflow_inactive" };
      if (workflow.allowedOrigins.length > 0 && (proof.origin === null || !workflow.allowedOrigins.includes(proof.origin))) {
        return { outcome: "denied", code: "origin_not_allowed" };
      }
      const versionValid =
        proof.secretVersion === client.secretVersion ||
        (proof.secretVersion === client.previousSecretVersion && inGrace(client, now));
      if (!versionValid) return { outcome: "denied", code: "workflow_token_invalidated" };
    }

    const expired = this.window.expire(now);
    if (expired) this.sql.exec("DELETE FROM window_hits WHERE ts <= ?", now - WINDOW_MS);
    const decision = this.window.admit(now, client.rateLimit);
    if (decision.admitted > 0) this.sql.exec("INSERT INTO window_hits (ts) VALUES (?)", now);
    return {
      outcome: "decided",
      admitted: decision.admitted > 0,
      environment: client.environment,
      limit: decision.limit,
      remaining: decision.remaining[0] ?? 0,
      resetAt: decision.resetAt,
      now,
    };
  }

  private statusDenial(client: ClientRow): AdmitResult | null {
    if (client.status === "revoked") return { outcome: "denied", code: "client_revoked" };
    if (client.status === "inactive") return { outcome: "denied", code: "client_inactive" };
    return null;
  }

  // ---- management: every change is written to D1 first, then here, before the caller answers ----

  async createClient(row: ClientRow): Promise<Outcome<ClientRow>> {
    return this.mutate(async () => {
      await this.db().insert(clients).values(row);
      this.knownAbsent = false;
      this.storeClient(row);
      return accept(row);
    });
  }

  async updateClient(clientId: string, patch: ClientPatch): Promise<Outcome<ClientRow>> {
    return this.change(clientId, (row, now) => patchClient(row, patch, now));
  }

  async regenerateSecret(clientId: string, secret: NewSecret, graceSeconds: number): Promise<Outcome<ClientRow>> {
    return this.change(clientId, (row, now) => regenerateSecret(row, secret, graceSeconds, now));
  }

  async revoke(clientId: string): Promise<Outcome<ClientRow>> {
    return this.mutate(async () => {
      const row = await this.load(clientId);
      if (!row) return refuse("not_found", "No such client.");
      if (row.status === "revoked") return accept(row);
      const now = Date.now();
      const next = revokeClient(row, now);
      const db = this.db();
      // One D1 batch is one transaction: the client and all its workflows change together or not at all.
      await db.batch([
        db.update(clients).set(next).where(eq(clients.id, clientId)),
        db.update(workflows).set({ status: "inactive", updatedAt: now }).where(eq(workflows.clientId, clientId)),
      ]);
      this.storeClient(next);
      for (const [id, state] of this.workflows) this.storeWorkflow(id, { ...state, status: "inactive" });
      return accept(next);
    });
  }

  // ---- workflows: minted here, so a token's secret version is the one this object holds ----------

  async createWorkflow(input: NewWorkflow): Promise<Outcome<WorkflowRow>> {
    return this.mutate(async () => {
      const client = await this.load(input.clientId);
      if (!client) return refuse("not_found", "No such client.");
      const refusal = workflowChangeRefusal(client, true) ?? secretRefusal(client, input.secretHash, Date.now());
      if (refusal) return refusal;
      const now = Date.now();
      const minted = await this.mint(input.workflowId, client, now);
      if (!minted.ok) return minted;
      const row: WorkflowRow = {
        id: input.workflowId,
        clientId: client.id,
        name: input.name,
        status: "active",
        allowedOrigins: input.allowedOrigins,
        refreshToken: minted.value.token,
        tokenId: minted.value.tokenId,
        tokenSecretVersion: client.secretVersion,
        tokenIssuedAt: minted.value.issuedAt,
        createdAt: now,
        updatedAt: now,
        lastUsedAt: null,
      };
      await this.db().insert(workflows).values(row);
      this.storeWorkflow(row.id, workflowState(row));
      await this.refreshCache(row);
      return accept(row);
    });
  }

  async updateWorkflow(clientId: string, workflowId: string, patch: WorkflowPatch): Promise<Outcome<WorkflowRow>> {
    return this.mutate(async () => {
      const client = await this.load(clientId);
      if (!client) return refuse("not_found", "No such workflow.");
      const current = await primaryDatabase(this.env.DB).select().from(workflows).where(eq(workflows.id, workflowId)).get();
      if (!current || current.clientId !== clientId) return refuse("not_found", "No such workflow.");
      const now = Date.now();
      const rekey = patch.secretHash !== undefined;
      const refusal = workflowChangeRefusal(client, rekey) ?? (rekey ? secretRefusal(client, patch.secretHash!, now) : null);
      if (refusal) return refusal;
      let next: WorkflowRow = {
        ...current,
        name: patch.name ?? current.name,
        status: patch.status ?? current.status,
        allowedOrigins: patch.allowedOrigins ?? current.allowedOrigins,
        updatedAt: now,
      };
      if (rekey) {
        const minted = await this.mint(workflowId, client, now);
        if (!minted.ok) return minted;
        next = {
          ...next,
          refreshToken: minted.value.token,
          tokenId: minted.value.tokenId,
          tokenSecretVersion: client.secretVersion,
          tokenIssuedAt: minted.value.issuedAt,
        };
      }
      await this.db().update(workflows).set(next).where(eq(workflows.id, workflowId));
      this.storeWorkflow(workflowId, workflowState(next));
      if (rekey) await this.refreshCache(next);
      return accept(next);
    });
  }

  private async mint(workflowId: string, client: ClientRow, now: number) {
    try {
      return accept(await mintRefreshToken(this.env, { workflowId, clientId: client.id, secretVersion: client.secretVersion }, now));
    } catch (err) {
      if (err instanceof SigningKeyMissing) return refuse("service_unavailable", "Workflow tokens cannot be minted: TOKEN_SIGNING_KEY is not set.");
      throw err;
    }
  }

  /**
   * KV is only a cache in front of D1 and this object checks every token's ID, so a failed or
   * slow-to-propagate write here can cost a D1 read at the edge, never a wrong answer.
   */
  private async refreshCache(row: WorkflowRow): Promise<void> {
    try {
      await cacheToken(this.env, row.id, row.refreshToken);
    } catch (err) {
      log("warn", "token_cache_write_failed", { workflow_id: row.id, ...describeError(err) });
    }
  }

  // ---- internals ----------------------------------------------------------------------------

  private db() {
    return database(this.env.DB);
  }

  /**
   * Mutations hold the object's input gate for their whole run, D1 write included: no data-plane
   * request can be decided from a half-applied change, and two admin calls cannot interleave.
   */
  private mutate<T>(fn: () => Promise<Outcome<T>>): Promise<Outcome<T>> {
    return this.ctx.blockConcurrencyWhile(fn);
  }

  private change(clientId: string, apply: (row: ClientRow, now: number) => Outcome<ClientRow>): Promise<Outcome<ClientRow>> {
    return this.mutate(async () => {
      const row = await this.load(clientId);
      if (!row) return refuse("not_found", "No such client.");
      const next = apply(row, Date.now());
      if (!next.ok) return next;
      await this.db().update(clients).set(next.value).where(eq(clients.id, clientId));
      this.storeClient(next.value);
      return next;
    });
  }

  /**
   * The client this object speaks for. Normally held here since creation; when this object's
   * storage has never seen it (a client created before this object existed), it is read from D1 once.
   */
  private async load(clientId: string): Promise<ClientRow | null> {
    if (this.client) return this.client.id === clientId ? this.client : null;
    if (this.knownAbsent) return null;
    const db = primaryDatabase(this.env.DB);
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

  private storeClient(row: ClientRow): void {
    this.client = row;
    this.sql.exec("INSERT OR REPLACE INTO client_state (id, row) VALUES (1, ?)", JSON.stringify(row));
  }

  protected storeWorkflow(id: string, state: WorkflowState): void {
    this.workflows.set(id, state);
    this.sql.exec("INSERT OR REPLACE INTO workflow_state (id, state) VALUES (?, ?)", id, JSON.stringify(state));
  }
}

export interface NewWorkflow {
  clientId: string;
  workflowId: string;
  secretHash: string;
  name: string;
  allowedOrigins: string[];
}

export interface WorkflowPatch {
  name?: string;
  status?: "active" | "inactive";
  allowedOrigins?: string[];
  /** Present for a re-key: the SHA-256 of the secret the admin pasted. */
  secretHash?: string;
}

export function workflowState(row: WorkflowRow): WorkflowState {
  return {
    status: row.status,
    tokenId: row.tokenId,
    secretVersion: row.tokenSecretVersion,
    allowedOrigins: row.allowedOrigins,
  };
}
