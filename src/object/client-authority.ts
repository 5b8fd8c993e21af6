import { DurableObject } from "cloudflare:workers";
import { FAILED_AUTH_CODES, batchVerdicts } from "../domain/admission";
import { DEFAULT_ALERT_SETTINGS } from "../domain/alert-settings";
import type { ClientPatch, NewSecret } from "../domain/client-rules";
import { type Clock, clockNow } from "../lib/clock";
import type { Outcome } from "../lib/result";
import type { ClientRow, WorkflowRow } from "../storage/schema";
import { AlertMonitor } from "./alert-monitor";
import { AlertOutbox } from "./alert-outbox";
import { AnswerHold, addAnswer, mergeAnswers } from "./answer-hold";
import { ClientMutations } from "./client-mutations";
import { ClientState } from "./client-state";
import { WorkflowMutations } from "./workflow-mutations";
import { Flusher } from "./flusher";
import { LeakActions } from "./leak-actions";
import { RotationReminder } from "./rotation-reminder";
import type {
  AdmitBatch,
  AdmitRequest,
  AdmitResult,
  AuditContext,
  Completion,
  FailedAuthEvent,
  LeakLabel,
  LeakReport,
  NewWorkflow,
  WorkflowPatch,
} from "./protocol";
import { type UsageKind, UsageLedger } from "./usage-ledger";
import { type AdmittedRow, type AnswerSum, WindowStore } from "./window-store";
import { migrateLegacyWindow } from "./legacy-window";
import { MINUTE_MS, floorTo } from "../lib/time";

/** The parts that keep the traffic of a client: created only once the object holds one. */
interface Traffic {
  window: WindowStore;
  ledger: UsageLedger;
  outbox: AlertOutbox;
  monitor: AlertMonitor;
  answers: AnswerHold;
}

/**
 * One object per client ID: the single writer of that client's D1 rows and the consistent
 * authority the data plane asks on every request (status, secret hashes, workflow states, and the
 * exact sliding rate window). It also keeps the client's usage and alerts until they reach D1.
 * This class is the RPC surface only; each job lives in its own module. Layout: docs/storage.md.
 */
export class ClientAuthority extends DurableObject<Env> {
  /** The isolate's clock, or one a test gives this object alone (runInDurableObject). */
  clock: Clock = { now: clockNow };
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
    const [result] = await this.admitBatch({
      clientId: request.clientId,
      proofs: [request.proof],
      completions: request.completions,
    });
    return result!;
  }

  /**
   * Decides every entry of a batch in order, each on its own proof, with no await in between: one
   * atomic step of this object. Storage: the admitted entries' window rows in one upsert into the
   * ring (carrying the answers that rode along), and one upsert per kind of refusal in the batch.
   */
  async admitBatch(batch: AdmitBatch): Promise<AdmitResult[]> {
    const client = await this.state.load(batch.clientId);
    if (!client) return batch.proofs.map(() => ({ outcome: "denied", code: "invalid_credentials" }) as const);
    const traffic = this.trafficOf();
    const now = this.now();
    const rows: AdmittedRow[] = [];
    const refusals = new Map<
      string,
      { bucket: string; kind: Exclude<UsageKind, "admitted">; code: string; n: number }
    >();
    const verdictOf = batchVerdicts(client, this.state.workflows, now);
    const results = batch.proofs.map((proof): AdmitResult => {
      const bucket = proof.kind !== "secret" && this.state.workflows.has(proof.workflowId) ? proof.workflowId : "";
      const refuse = (kind: Exclude<UsageKind, "admitted">, code: string) => {
        const key = `${bucket}|${kind}|${code}`;
        const entry = refusals.get(key);
        if (entry) entry.n++;
        else refusals.set(key, { bucket, kind, code, n: 1 });
      };
      const verdict = verdictOf(proof);
      if (verdict.outcome === "stale_token") return verdict; // Not counted: the edge asks again.
      if (verdict.outcome === "denied") {
        refuse(FAILED_AUTH_CODES.has(verdict.code) ? "failed_auth" : "denied", verdict.code);
        return verdict;
      }
      const decision = traffic.window.decide(now, client.rateLimit);
      const admitted = decision.admitted > 0;
      if (admitted) {
        rows.push({ bucket });
        traffic.monitor.admitted(traffic.window.size, client.rateLimit, now);
      } else {
        refuse("rate_limited", "rate_limit_exceeded");
      }
      return {
        outcome: "decided",
        admitted,
        environment: client.environment,
        organizationId: client.organizationId,
        limit: decision.limit,
        remaining: decision.remaining[0] ?? 0,
        resetAt: decision.resetAt,
        now,
      };
    });
    // Summed answers (this call's, and those held since an edge sent them on their own) ride on
    // this call's window rows, one sum per row; any left get their own upsert now.
    const answers = mergeAnswers(traffic.answers.take(), this.answersOf(client, batch.completions ?? []));
    rows.forEach((row, i) => (row.answers = answers[i]));
    for (const sum of answers.slice(rows.length)) traffic.ledger.answeredOnTheirOwn(sum);
    for (const row of rows) if (row.answers) traffic.ledger.answered(row.answers);
    if (rows.length > 0) {
      traffic.window.persist(now, rows);
      traffic.ledger.admitted(now, rows.length);
    }
    for (const r of refusals.values()) this.countRefused(now, r.bucket, r.kind, r.code, r.n);
    if (rows.length > 0 || refusals.size > 0 || batch.completions?.length) this.flusher.schedule();
    return results;
  }

  /** Answers of admitted requests, reported by the edge after responding when no admit call came along. */
  async complete(clientId: string, completions: Completion[]): Promise<void> {
    const client = await this.state.load(clientId);
    if (!client) return;
    // Held, to ride on the client's next admission from any isolate (answer-hold.ts).
    this.trafficOf().answers.hold(this.answersOf(client, completions));
    this.flusher.schedule();
  }

  /** Answers an edge isolate decided by itself (failed authentications, remembered 429s), sent in batches. */
  async recordFailedAuth(clientId: string, events: FailedAuthEvent[]): Promise<void> {
    if (!(await this.state.load(clientId))) return;
    for (const e of events) {
      const bucket = e.workflowId && this.state.workflows.has(e.workflowId) ? e.workflowId : "";
      this.countRefused(e.at, bucket, edgeAnswerKind(e.code), e.code, Math.max(1, Math.floor(e.count)));
    }
    this.flusher.schedule();
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
    migrateLegacyWindow(sql, now);
    // The window first: the ledger reads the ring rows it has not folded yet when it starts.
    const window = new WindowStore(sql, now, (seq) => ledger.foldThrough(seq));
    const ledger = new UsageLedger(sql, now, () => window.lastSeq);
    const outbox = new AlertOutbox(sql);
    const monitor = new AlertMonitor(
      sql,
      outbox,
      ledger,
      () => this.state.client?.id ?? "",
      () => this.state.client?.alertSettings ?? DEFAULT_ALERT_SETTINGS,
      () => this.flusher.schedule(true),
      now,
    );
    const answers = new AnswerHold((sum) => ledger.answeredOnTheirOwn(sum));
    this.traffic = { window, ledger, outbox, monitor, answers };
    return this.traffic;
  }

  private countRefused(
    at: number,
    bucket: string,
    kind: Exclude<UsageKind, "admitted">,
    code: string,
    n: number,
  ): void {
    const { ledger, monitor } = this.trafficOf();
    const now = this.now();
    ledger.refused(at, bucket, kind, code, n);
    if (kind === "failed_auth") monitor.failedAuthentications(at, n, now);
    monitor.errorRate(now);
  }

  /**
   * Successful answers summed per (minute, bucket), ready to ride on a window row; unsuccessful
   * ones (rare: they carry an error code) are written on their own here.
   */
  private answersOf(client: ClientRow, completions: Completion[]): AnswerSum[] {
    if (completions.length === 0) return [];
    const { ledger, monitor } = this.trafficOf();
    const units = client.environment === "production" ? 1 : 0;
    const sums = new Map<string, AnswerSum>();
    let failed = false;
    for (const completion of completions) {
      const workflowId = completion.workflowId ?? "";
      const bucket = this.state.workflows.has(workflowId) ? workflowId : "";
      const ok = completion.status >= 200 && completion.status < 300;
      const responseMs = Math.max(0, Math.round(completion.responseMs));
      if (!ok || completion.code) {
        ledger.failedAnswer(completion.admittedAt, bucket, completion.status, responseMs, completion.code);
        failed = true;
        continue;
      }
      addAnswer(sums, {
        minute: floorTo(completion.admittedAt, MINUTE_MS),
        bucket,
        ok: 1,
        units,
        responseMs,
        count: 1,
      });
    }
    if (failed) monitor.errorRate(this.now());
    return [...sums.values()];
  }
}

/**
 * What an answer the edge gave by itself counts as: a remembered 429 as rate limited, as if its
 * object had refused it; malformed credential headers (400) as requests with their error, not as
 * failed authentications; the rest as failed authentications.
 */
function edgeAnswerKind(code: string): Exclude<UsageKind, "admitted"> {
  if (code === "rate_limit_exceeded") return "rate_limited";
  return code === "invalid_request" ? "denied" : "failed_auth";
}
