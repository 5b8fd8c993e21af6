import { DurableObject } from "cloudflare:workers";
import { FAILED_AUTH_CODES, checkCredential } from "../domain/admission";
import type { ClientPatch, NewSecret } from "../domain/client-rules";
import { type Clock, systemClock } from "../lib/clock";
import type { Outcome } from "../lib/result";
import type { ClientRow, WorkflowRow } from "../storage/schema";
import { AlertMonitor } from "./alert-monitor";
import { AlertOutbox } from "./alert-outbox";
import { ClientMutations } from "./client-mutations";
import { ClientState } from "./client-state";
import { WorkflowMutations } from "./workflow-mutations";
import { Flusher } from "./flusher";
import { LeakActions } from "./leak-actions";
import { RotationReminder } from "./rotation-reminder";
import type {
  AdmitRequest,
  AdmitResult,
  AuditContext,
  Completion,
  DenialCode,
  FailedAuthEvent,
  LeakLabel,
  LeakReport,
  NewWorkflow,
  WorkflowPatch,
} from "./protocol";
import { type UsageKind, UsageLedger } from "./usage-ledger";
import { WindowStore } from "./window-store";

/** The parts that keep the traffic of a client: created only once the object holds one. */
interface Traffic {
  window: WindowStore;
  ledger: UsageLedger;
  outbox: AlertOutbox;
  monitor: AlertMonitor;
}

/**
 * One object per client ID: the single writer of that client's D1 rows and the consistent
 * authority the data plane asks on every request (status, secret hashes, workflow states, and the
 * exact sliding rate window). It also keeps the client's usage and alerts until they reach D1.
 * This class is the RPC surface only; each job lives in its own module. Layout: docs/storage.md.
 */
export class ClientAuthority extends DurableObject<Env> {
  /** Replaceable so that tests move time instead of sleeping (runInDurableObject). */
  clock: Clock = systemClock;
  private readonly now = () => this.clock.now();
  private readonly state: ClientState;
  private readonly flusher: Flusher;
  private readonly clients: ClientMutations;
  private readonly workflows: WorkflowMutations;
  private traffic: Traffic | null = null;
  private readonly leaks: LeakActions;
  private readonly reminder: RotationReminder;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    // Modules read this.env when they run, not when they are made (tests swap it per object).
    this.state = new ClientState(ctx.storage.sql, () => this.env.DB);
    this.flusher = new Flusher(ctx.storage, () => this.env, this.now);
    this.clients = new ClientMutations(this.state, () => this.env, this.now);
    this.workflows = new WorkflowMutations(this.state, () => this.env, this.now);
    const outbox = () => this.trafficOf().outbox;
    const schedule = () => this.flusher.schedule();
    this.leaks = new LeakActions(this.state, () => this.env, this.now, outbox, schedule);
    this.reminder = new RotationReminder(ctx.storage.sql, this.state, () => this.env, this.now, outbox, schedule);
    if (this.state.client) this.trafficOf();
  }

  // ---- data plane ---------------------------------------------------------------------------

  async admit(request: AdmitRequest): Promise<AdmitResult> {
    const client = await this.state.load(request.clientId);
    if (!client) return { outcome: "denied", code: "invalid_credentials" };
    const traffic = this.trafficOf();
    if (request.completions?.length) this.recordCompletions(client, request.completions);
    const now = this.now();
    const proof = request.proof;
    const bucket = proof.kind !== "secret" && this.state.workflows.has(proof.workflowId) ? proof.workflowId : "";

    const verdict = checkCredential(client, this.state.workflows, proof, now);
    if (verdict.outcome === "stale_token") return verdict; // Not counted: the edge asks again.
    if (verdict.outcome === "denied") {
      this.count(now, bucket, FAILED_AUTH_CODES.has(verdict.code) ? "failed_auth" : "denied", verdict.code);
      return verdict;
    }
    const decision = traffic.window.admit(now, client.rateLimit);
    const admitted = decision.admitted > 0;
    if (admitted) {
      this.count(now, bucket, "admitted");
      traffic.monitor.admitted(traffic.window.size, client.rateLimit, now);
    } else {
      this.count(now, bucket, "rate_limited", "rate_limit_exceeded");
    }
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
    const client = await this.state.load(clientId);
    if (client) this.recordCompletions(client, completions);
  }

  /** Failed authentications an edge isolate decided by itself, sent in batches. */
  async recordFailedAuth(clientId: string, events: FailedAuthEvent[]): Promise<void> {
    if (!(await this.state.load(clientId))) return;
    for (const e of events) {
      // Malformed credential headers (400) count as requests with their error, not as failed authentications.
      const kind = e.code === "invalid_request" ? "denied" : "failed_auth";
      this.count(e.at, "", kind, e.code, Math.max(1, Math.floor(e.count)));
    }
  }

  override async alarm(): Promise<void> {
    await this.flusher.alarm(this.state.client ? { state: this.state, ...this.trafficOf() } : null);
  }

  // ---- management: each change holds the input gate for its whole run (D1 write included) -----

  createClient(row: ClientRow, audit: AuditContext): Promise<Outcome<ClientRow>> {
    return this.ctx.blockConcurrencyWhile(async () => {
      const created = await this.clients.create(row, audit);
      this.trafficOf();
      return created;
    });
  }

  updateClient(clientId: string, patch: ClientPatch, audit: AuditContext): Promise<Outcome<ClientRow>> {
    return this.ctx.blockConcurrencyWhile(() => this.clients.update(clientId, patch, audit));
  }

  regenerateSecret(
    clientId: string,
    secret: NewSecret,
    graceSeconds: number,
    audit: AuditContext,
  ): Promise<Outcome<ClientRow>> {
    return this.ctx.blockConcurrencyWhile(() => this.clients.regenerateSecret(clientId, secret, graceSeconds, audit));
  }

  revoke(clientId: string, audit: AuditContext): Promise<Outcome<ClientRow>> {
    return this.ctx.blockConcurrencyWhile(() => this.clients.revoke(clientId, audit));
  }

  createWorkflow(input: NewWorkflow, audit: AuditContext): Promise<Outcome<WorkflowRow>> {
    return this.ctx.blockConcurrencyWhile(() => this.workflows.create(input, audit));
  }

  updateWorkflow(
    clientId: string,
    workflowId: string,
    patch: WorkflowPatch,
    audit: AuditContext,
  ): Promise<Outcome<WorkflowRow>> {
    return this.ctx.blockConcurrencyWhile(() => this.workflows.update(clientId, workflowId, patch, audit));
  }

  // ---- secret hygiene -----------------------------------------------------------------------

  /** A leak report naming one of this client's secrets (by hash); applied before it answers. */
  reportLeakedSecret(clientId: string, report: LeakReport, audit: AuditContext): Promise<LeakLabel> {
    return this.ctx.blockConcurrencyWhile(() => this.leaks.report(clientId, report, audit));
  }

  /** The daily cron's question: raise `secret_rotation_due` now? True when it was raised. */
  remindRotation(clientId: string, maxAgeDays: number): Promise<boolean> {
    return this.ctx.blockConcurrencyWhile(() => this.reminder.remind(clientId, maxAgeDays));
  }

  // ---- internals ----------------------------------------------------------------------------

  private trafficOf(): Traffic {
    if (this.traffic) return this.traffic;
    const sql = this.ctx.storage.sql;
    const now = this.now();
    const ledger = new UsageLedger(sql);
    const outbox = new AlertOutbox(sql);
    const monitor = new AlertMonitor(
      sql,
      outbox,
      ledger,
      () => this.state.client?.id ?? "",
      () => this.flusher.schedule(),
      now,
    );
    this.traffic = { window: new WindowStore(sql, now), ledger, outbox, monitor };
    return this.traffic;
  }

  private count(at: number, bucket: string, kind: UsageKind, code?: DenialCode | string, n = 1): void {
    const { ledger, monitor } = this.trafficOf();
    const now = this.now();
    ledger.record(at, bucket, kind, code, n);
    if (kind === "failed_auth") monitor.failedAuthentications(at, n, now);
    if (kind !== "admitted") monitor.errorRate(now);
    this.flusher.schedule();
  }

  private recordCompletions(client: ClientRow, completions: Completion[]): void {
    const { ledger, monitor } = this.trafficOf();
    const units = client.environment === "production" ? 1 : 0;
    let failed = false;
    for (const completion of completions) {
      const workflowId = completion.workflowId ?? "";
      const bucket = this.state.workflows.has(workflowId) ? workflowId : "";
      ledger.complete(completion.admittedAt, bucket, completion.status, completion.responseMs, units, completion.code);
      failed ||= completion.status < 200 || completion.status >= 300;
    }
    if (failed) monitor.errorRate(this.now());
    this.flusher.schedule();
  }
}
