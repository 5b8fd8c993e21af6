import { DurableObject } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import {
  type Alert,
  ALERT_COOLDOWN_MS,
  ERROR_RATE_WINDOW_MS,
  FAILED_AUTH_THRESHOLD,
  FAILED_AUTH_WINDOW_MS,
  failedAuthentications,
  highErrorRate,
  rateLimitApproaching,
  unusualUsage,
} from "../domain/alert-rules";
import { type AuditContext, auditEntry, changes } from "./audit-entry";
import { newOpaqueId } from "../domain/credentials";
import { timingSafeEqualHex } from "../domain/hash";
import { SigningKeyMissing, mintRefreshToken } from "../domain/refresh-token";
import {
  type ClientPatch,
  type NewSecret,
  inGrace,
  patchClient,
  regenerateSecret,
  revokeClient,
  secretRefusal,
  workflowChangeRefusal,
} from "../domain/client-rules";
import { database, primaryDatabase } from "../storage/database";
import { type ClientRow, type WorkflowRow, auditLog, clients, workflows } from "../storage/schema";
import { describeError, log } from "../lib/log";
import { type Outcome, accept, refuse } from "../lib/result";
import { SlidingWindow, WINDOW_MS } from "../domain/sliding-window";
import { type UsageKind, UsageLedger } from "./usage-ledger";
import { cacheToken } from "../storage/token-cache";
import { AlertOutbox } from "./alert-outbox";
import { flushStatements } from "./flush";
import type { AdmitRequest, AdmitResult, Completion, DenialCode, FailedAuthEvent } from "./protocol";

/** The part of a workflow the data plane decides on; the rest lives in D1 only. */
export interface WorkflowState {
  status: "active" | "inactive";
  tokenId: string;
  secretVersion: number;
  allowedOrigins: string[];
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

/** Usage reaches D1 at most this long after the request (the contract allows 60 s). */
export const FLUSH_INTERVAL_MS = 20_000;
const FLUSH_RETRY_MS = 30_000;

/** 401 answers: the "failed authentications" of the usage figures and of the alert. */
const FAILED_AUTH_CODES = new Set<DenialCode>([
  "invalid_credentials",
  "client_inactive",
  "client_revoked",
  "workflow_inactive",
  "workflow_token_invalidated",
]);

/**
 * One object per client ID: the single writer of that client's D1 rows and the consistent
 * authority the data plane asks on every request (status, secret hashes, workflow states, and the
 * exact sliding rate window). It also keeps the client's usage and alerts until they reach D1.
 * Its own SQLite storage survives eviction, so a restart loses neither state, window nor counts.
 * Layout: docs/storage.md.
 */
export class ClientAuthority extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  private readonly usage: UsageLedger;
  private readonly outbox: AlertOutbox;
  private client: ClientRow | null = null;
  private workflows = new Map<string, WorkflowState>();
  private window = new SlidingWindow();
  /** Set after D1 was asked and had no such client; cleared by createClient (which runs here too). */
  private knownAbsent = false;
  /** Failed authentications of the last minute, for the alert (memory only: an alert, not a count). */
  private recentFailures: number[] = [];
  private flushPending = false;
  private windowPurgedAt = 0;
  private windowStale = false;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.usage = new UsageLedger(this.sql);
    this.outbox = new AlertOutbox(this.sql);
    ctx.blockConcurrencyWhile(async () => {
      this.sql.exec(`CREATE TABLE IF NOT EXISTS client_state (id INTEGER PRIMARY KEY CHECK (id = 1), row TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS workflow_state (id TEXT PRIMARY KEY, state TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS window_hits (ts INTEGER NOT NULL);
        CREATE INDEX IF NOT EXISTS window_hits_ts ON window_hits (ts);
        CREATE TABLE IF NOT EXISTS recent_failures (at INTEGER NOT NULL);`);
      this.recentFailures = this.sql
        .exec<{ at: number }>(
          "SELECT at FROM recent_failures WHERE at > ? ORDER BY at",
          Date.now() - FAILED_AUTH_WINDOW_MS,
        )
        .toArray()
        .map((r) => r.at);
      const stored = this.sql.exec<{ row: string }>("SELECT row FROM client_state WHERE id = 1").toArray()[0];
      if (stored) this.client = JSON.parse(stored.row) as ClientRow;
      for (const w of this.sql.exec<{ id: string; state: string }>("SELECT id, state FROM workflow_state")) {
        this.workflows.set(w.id, JSON.parse(w.state) as WorkflowState);
      }
      this.sql.exec("DELETE FROM window_hits WHERE ts <= ?", Date.now() - WINDOW_MS);
      const hits = this.sql.exec<{ ts: number }>("SELECT ts FROM window_hits ORDER BY ts").toArray();
      this.window = new SlidingWindow(hits.map((h) => h.ts));
    });
  }

  // ---- data plane ---------------------------------------------------------------------------

  async admit(request: AdmitRequest): Promise<AdmitResult> {
    const client = await this.load(request.clientId);
    if (!client) return { outcome: "denied", code: "invalid_credentials" };
    if (request.completions?.length) this.recordCompletions(client, request.completions);
    const now = Date.now();
    const proof = request.proof;
    const known = proof.kind === "workflow" && this.workflows.has(proof.workflowId);
    const bucket = known && proof.kind === "workflow" ? proof.workflowId : "";

    const deny = (code: DenialCode, wrongSecret = false): AdmitResult => {
      this.count(now, bucket, FAILED_AUTH_CODES.has(code) ? "failed_auth" : "denied", code);
      return wrongSecret ? { outcome: "denied", code, wrongSecret } : { outcome: "denied", code };
    };

    if (proof.kind === "secret") {
      // The secret is checked before the status, so that status is told only to holders of the secret.
      const current = timingSafeEqualHex(proof.secretHash, client.secretHash);
      const previous =
        !current && client.previousSecretHash !== null && inGrace(client, now)
          ? timingSafeEqualHex(proof.secretHash, client.previousSecretHash)
          : false;
      if (!current && !previous) return deny("invalid_credentials", true);
      const status = statusDenial(client);
      if (status) return deny(status);
    } else {
      // An unknown workflow is refused before the status: the edge refuses IDs D1 lacks without
      // asking here, and the answer must not depend on whether KV remembered the absence.
      const workflow = this.workflows.get(proof.workflowId);
      if (!workflow) return deny("invalid_credentials");
      const status = statusDenial(client);
      if (status) return deny(status);
      // Not counted: the edge re-reads D1 and asks again, and that second call is the request.
      if (workflow.tokenId !== proof.tokenId) return { outcome: "stale_token" };
      if (workflow.status !== "active") return deny("workflow_inactive");
      if (
        workflow.allowedOrigins.length > 0 &&
        (proof.origin === null || !workflow.allowedOrigins.includes(proof.origin))
      ) {
        return deny("origin_not_allowed");
      }
      const versionValid =
        proof.secretVersion === client.secretVersion ||
        (proof.secretVersion === client.previousSecretVersion && inGrace(client, now));
      if (!versionValid) return deny("workflow_token_invalidated");
    }

    // Expired rows are deleted at most once a second: they are harmless (a restart reloads only
    // the last 60 s) and one DELETE per request would double the window's storage writes.
    if (this.window.expire(now)) this.windowStale = true;
    if (this.windowStale && now - this.windowPurgedAt >= 1000) {
      this.sql.exec("DELETE FROM window_hits WHERE ts <= ?", now - WINDOW_MS);
      this.windowPurgedAt = now;
      this.windowStale = false;
    }
    const decision = this.window.admit(now, client.rateLimit);
    const admitted = decision.admitted > 0;
    if (admitted) {
      this.sql.exec("INSERT INTO window_hits (ts) VALUES (?)", now);
      this.count(now, bucket, "admitted");
      const alert = this.outbox.cooling("rate_limit_approaching", now, ALERT_COOLDOWN_MS)
        ? null
        : rateLimitApproaching(this.window.size, client.rateLimit);
      if (alert) this.raise(alert, now);
    }
    if (!admitted) this.count(now, bucket, "rate_limited", "rate_limit_exceeded");
    return {
      outcome: "decided",
      admitted,
      environment: client.environment,
      limit: decision.limit,
      remaining: decision.remaining[0] ?? 0,
      resetAt: decision.resetAt,
      now,
    };
  }

  /** Answers of admitted requests, reported by the edge after responding when no admit call came along. */
  async complete(clientId: string, completions: Completion[]): Promise<void> {
    const client = await this.load(clientId);
    if (client) this.recordCompletions(client, completions);
  }

  private recordCompletions(client: ClientRow, completions: Completion[]): void {
    const units = client.environment === "production" ? 1 : 0;
    let failed = false;
    for (const completion of completions) {
      const bucket = this.workflows.has(completion.workflowId ?? "") ? completion.workflowId! : "";
      this.usage.complete(
        completion.admittedAt,
        bucket,
        completion.status,
        completion.responseMs,
        units,
        completion.code,
      );
      failed ||= completion.status < 200 || completion.status >= 300;
    }
    if (failed) this.checkErrorRate(Date.now());
    this.scheduleFlush();
  }

  /** Failed authentications an edge isolate decided by itself, sent in batches. */
  async recordFailedAuth(clientId: string, events: FailedAuthEvent[]): Promise<void> {
    const client = await this.load(clientId);
    if (!client) return;
    for (const e of events) {
      // Malformed credential headers (400) count as requests with their error, not as failed authentications.
      this.count(
        e.at,
        "",
        e.code === "invalid_request" ? "denied" : "failed_auth",
        e.code,
        Math.max(1, Math.floor(e.count)),
      );
    }
  }

  private count(at: number, bucket: string, kind: UsageKind, code?: string, n = 1): void {
    this.usage.record(at, bucket, kind, code, n);
    // Alert bookkeeping is skipped while its alert cannot fire again anyway (once per hour).
    if (kind === "failed_auth" && !this.outbox.cooling("failed_authentication", Date.now(), ALERT_COOLDOWN_MS)) {
      const now = Date.now();
      // Only whether 5 fell within a minute matters: the newest 5 suffice, kept across restarts.
      for (let i = 0; i < Math.min(n, FAILED_AUTH_THRESHOLD); i++) this.recentFailures.push(at);
      this.recentFailures = this.recentFailures
        .filter((t) => t > now - FAILED_AUTH_WINDOW_MS)
        .sort((a, b) => a - b)
        .slice(-FAILED_AUTH_THRESHOLD);
      this.sql.exec("DELETE FROM recent_failures");
      for (const t of this.recentFailures) this.sql.exec("INSERT INTO recent_failures (at) VALUES (?)", t);
      const alert = failedAuthentications(this.recentFailures.filter((t) => t > now - FAILED_AUTH_WINDOW_MS).length);
      if (alert) this.raise(alert, now);
    }
    if (kind !== "admitted") this.checkErrorRate(Date.now());
    this.scheduleFlush();
  }

  private checkErrorRate(now: number): void {
    if (this.outbox.cooling("high_error_rate", now, ALERT_COOLDOWN_MS)) return;
    const { requests, failed } = this.usage.since(now - ERROR_RATE_WINDOW_MS);
    const alert = highErrorRate(requests, failed);
    if (alert) this.raise(alert, now);
  }

  /** Queues an alert unless one of its type was raised for this client within the hour. */
  private raise(alert: Alert, now: number): void {
    if (!this.client) return;
    if (!this.outbox.claim(alert.type, now, ALERT_COOLDOWN_MS)) return;
    this.outbox.add({ id: newOpaqueId("alr_"), clientId: this.client.id, triggeredAt: now, ...alert }, now);
    this.scheduleFlush();
  }

  // ---- background: usage and alerts to D1, alert webhooks ------------------------------------

  private scheduleFlush(): void {
    if (this.flushPending) return;
    this.flushPending = true;
    // An alarm set here survives a restart of this object; the flag only avoids resetting it.
    void this.ctx.storage.getAlarm().then((at) => {
      if (at === null || at > Date.now() + FLUSH_INTERVAL_MS)
        return this.ctx.storage.setAlarm(Date.now() + FLUSH_INTERVAL_MS);
    });
  }

  override async alarm(): Promise<void> {
    this.flushPending = false;
    const now = Date.now();
    if (this.client) {
      try {
        await this.flush(now);
      } catch (err) {
        // Absolute values make the retry idempotent; nothing is dropped until a flush succeeds.
        log("warn", "usage_flush_failed", { client_id: this.client.id, ...describeError(err) });
        await this.ctx.storage.setAlarm(now + FLUSH_RETRY_MS);
        this.flushPending = true;
        return;
      }
      await this.outbox.deliver(this.env, now);
    }
    // Requests counted while this alarm ran (flushPending) need their flush on time: a webhook's
    // backoff must never postpone it.
    const next = Math.min(
      this.outbox.nextAttemptAt() ?? Infinity,
      this.flushPending ? Date.now() + FLUSH_INTERVAL_MS : Infinity,
    );
    if (next !== Infinity) await this.ctx.storage.setAlarm(Math.max(next, Date.now() + 1000));
  }

  private async flush(now: number): Promise<void> {
    const client = this.client!;
    const lastHour = this.usage.since(now - 3_600_000).requests;
    const unusual = unusualUsage(lastHour, this.usage.trailingHourlyMean(now));
    if (unusual) this.raise(unusual, now);
    // Successes can carry the 5-minute count to 20 after the failures came in: check here too.
    this.checkErrorRate(now);
    this.flushPending = false;

    const totals = this.usage.hourTotals();
    const pendingAlerts = this.outbox.unwritten();
    if (totals.length === 0 && pendingAlerts.length === 0) return;
    const db = this.db();
    const statements = flushStatements(db, client.id, totals, pendingAlerts);
    if (statements.length > 0) await db.batch(statements as [(typeof statements)[0], ...typeof statements]);
    this.usage.afterFlush(totals, now);
    this.outbox.markWritten(pendingAlerts.map((a) => a.id));
    const lastUsed = Math.max(0, ...totals.map((t) => t.lastAdmittedAt ?? 0));
    if (lastUsed > (this.client?.lastUsedAt ?? 0)) this.storeClient({ ...this.client!, lastUsedAt: lastUsed });
  }

  // ---- management: every change is written to D1 first (with its audit entry, in one batch),
  //      then here, before the caller answers ----------------------------------------------------

  async createClient(row: ClientRow, audit: AuditContext): Promise<Outcome<ClientRow>> {
    return this.mutate(async () => {
      const db = this.db();
      const entry = auditEntry(
        audit,
        "client.create",
        { id: row.id, clientId: row.id },
        {
          name: row.name,
          environment: row.environment,
          rate_limit: row.rateLimit,
          retention_days: row.retentionDays,
        },
        row.createdAt,
      );
      await db.batch([db.insert(clients).values(row), db.insert(auditLog).values(entry)]);
      this.knownAbsent = false;
      this.storeClient(row);
      return accept(row);
    });
  }

  async updateClient(clientId: string, patch: ClientPatch, audit: AuditContext): Promise<Outcome<ClientRow>> {
    return this.change(
      clientId,
      audit,
      "client.update",
      (row, now) => patchClient(row, patch, now),
      (before, after) => ({
        changes: changes(before, after, {
          name: "name",
          rate_limit: "rateLimit",
          retention_days: "retentionDays",
          status: "status",
        }),
      }),
    );
  }

  async regenerateSecret(
    clientId: string,
    secret: NewSecret,
    graceSeconds: number,
    audit: AuditContext,
  ): Promise<Outcome<ClientRow>> {
    return this.change(
      clientId,
      audit,
      "client.regenerate_secret",
      (row, now) => regenerateSecret(row, secret, graceSeconds, now),
      (_b, after) => ({
        grace_period_seconds: graceSeconds,
        previous_secret_expires_at:
          after.previousSecretExpiresAt === null ? null : new Date(after.previousSecretExpiresAt).toISOString(),
        secret_version: after.secretVersion,
      }),
    );
  }

  async revoke(clientId: string, audit: AuditContext): Promise<Outcome<ClientRow>> {
    return this.mutate(async () => {
      const row = await this.load(clientId);
      if (!row) return refuse("not_found", "No such client.");
      if (row.status === "revoked") return accept(row);
      const now = Date.now();
      const next = revokeClient(row, now);
      const db = this.db();
      const active = [...this.workflows.entries()].filter(([, w]) => w.status === "active").map(([id]) => id);
      // One D1 batch is one transaction: the client, all its workflows and the audit entry together.
      await db.batch([
        db.update(clients).set(clientColumns(next)).where(eq(clients.id, clientId)),
        db.update(workflows).set({ status: "inactive", updatedAt: now }).where(eq(workflows.clientId, clientId)),
        db
          .insert(auditLog)
          .values(
            auditEntry(audit, "client.revoke", { id: clientId, clientId }, { workflows_deactivated: active }, now),
          ),
      ]);
      this.storeClient(next);
      for (const [id, state] of this.workflows) this.storeWorkflow(id, { ...state, status: "inactive" });
      return accept(next);
    });
  }

  // ---- workflows: minted here, so a token's secret version is the one this object holds ----------

  async createWorkflow(input: NewWorkflow, audit: AuditContext): Promise<Outcome<WorkflowRow>> {
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
      const db = this.db();
      await db.batch([
        db.insert(workflows).values(row),
        db
          .insert(auditLog)
          .values(
            auditEntry(
              audit,
              "workflow.create",
              { id: row.id, clientId: client.id },
              { name: row.name, allowed_origins: row.allowedOrigins },
              now,
            ),
          ),
      ]);
      this.storeWorkflow(row.id, workflowState(row));
      await this.refreshCache(row);
      return accept(row);
    });
  }

  async updateWorkflow(
    clientId: string,
    workflowId: string,
    patch: WorkflowPatch,
    audit: AuditContext,
  ): Promise<Outcome<WorkflowRow>> {
    return this.mutate(async () => {
      const client = await this.load(clientId);
      if (!client) return refuse("not_found", "No such workflow.");
      const current = await primaryDatabase(this.env.DB)
        .select()
        .from(workflows)
        .where(eq(workflows.id, workflowId))
        .get();
      if (!current || current.clientId !== clientId) return refuse("not_found", "No such workflow.");
      const now = Date.now();
      const rekey = patch.secretHash !== undefined;
      const refusal =
        workflowChangeRefusal(client, rekey) ?? (rekey ? secretRefusal(client, patch.secretHash!, now) : null);
      if (refusal) return refusal;
      let next: WorkflowRow = {
        ...current,
        name: patch.name ?? current.name,
        status: patch.status ?? current.status,
        allowedOrigins: patch.allowedOrigins ?? current.allowedOrigins,
        updatedAt: now,
      };
      const fieldChanges = changes(current, next, {
        name: "name",
        status: "status",
        allowed_origins: "allowedOrigins",
      });
      // Nothing to change: the same row, no write and no audit entry.
      if (!rekey && Object.keys(fieldChanges).length === 0) return accept(current);
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
      const db = this.db();
      const { lastUsedAt: _lastUsed, ...columns } = next;
      const details = { changes: fieldChanges, rekeyed: rekey };
      await db.batch([
        db.update(workflows).set(columns).where(eq(workflows.id, workflowId)),
        db
          .insert(auditLog)
          .values(
            auditEntry(audit, rekey ? "workflow.rekey" : "workflow.update", { id: workflowId, clientId }, details, now),
          ),
      ]);
      this.storeWorkflow(workflowId, workflowState(next));
      if (rekey) await this.refreshCache(next);
      return accept(next);
    });
  }

  private async mint(workflowId: string, client: ClientRow, now: number) {
    try {
      return accept(
        await mintRefreshToken(this.env, { workflowId, clientId: client.id, secretVersion: client.secretVersion }, now),
      );
    } catch (err) {
      if (err instanceof SigningKeyMissing)
        return refuse("service_unavailable", "Workflow tokens cannot be minted: TOKEN_SIGNING_KEY is not set.");
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

  private change(
    clientId: string,
    audit: AuditContext,
    action: string,
    apply: (row: ClientRow, now: number) => Outcome<ClientRow>,
    describe: (before: ClientRow, after: ClientRow) => Record<string, unknown>,
  ): Promise<Outcome<ClientRow>> {
    return this.mutate(async () => {
      const row = await this.load(clientId);
      if (!row) return refuse("not_found", "No such client.");
      const now = Date.now();
      const next = apply(row, now);
      if (!next.ok || next.value === row) return next;
      const db = this.db();
      await db.batch([
        db.update(clients).set(clientColumns(next.value)).where(eq(clients.id, clientId)),
        db
          .insert(auditLog)
          .values(auditEntry(audit, action, { id: clientId, clientId }, describe(row, next.value), now)),
      ]);
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

  private storeWorkflow(id: string, state: WorkflowState): void {
    this.workflows.set(id, state);
    this.sql.exec("INSERT OR REPLACE INTO workflow_state (id, state) VALUES (?, ?)", id, JSON.stringify(state));
  }
}

function statusDenial(client: ClientRow): DenialCode | null {
  if (client.status === "revoked") return "client_revoked";
  if (client.status === "inactive") return "client_inactive";
  return null;
}

/** A management write never sets last_used_at: only the usage flush moves it (forward only). */
function clientColumns(row: ClientRow) {
  const { lastUsedAt: _lastUsed, ...columns } = row;
  return columns;
}

export function workflowState(row: WorkflowRow): WorkflowState {
  return {
    status: row.status,
    tokenId: row.tokenId,
    secretVersion: row.tokenSecretVersion,
    allowedOrigins: row.allowedOrigins,
  };
}
