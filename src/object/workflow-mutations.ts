/**
 * Creating and changing a client's workflows. Refresh tokens are minted here, inside the object,
 * so a token's secret version is the one this object holds; D1 is the token's home and KV only a
 * cache that the edge reads, written once per mint.
 */
import { eq } from "drizzle-orm";
import { secretRefusal, workflowChangeRefusal } from "../domain/client-rules";
import { SigningKeyMissing, mintRefreshToken } from "../domain/refresh-token";
import { describeError, log } from "../lib/log";
import { accept, type Outcome, refuse } from "../lib/result";
import { database, primaryDatabase } from "../storage/database";
import { type ClientRow, type WorkflowRow, auditLog, workflows } from "../storage/schema";
import { cacheToken } from "../storage/token-cache";
import { auditEntry, changes } from "./audit-entry";
import { type ClientState, workflowState } from "./client-state";
import type { AuditContext, NewWorkflow, WorkflowPatch } from "./protocol";

export class WorkflowMutations {
  constructor(
    private readonly state: ClientState,
    private readonly env: () => Env,
    private readonly now: () => number,
  ) {}

  async create(input: NewWorkflow, audit: AuditContext): Promise<Outcome<WorkflowRow>> {
    const client = await this.state.load(input.clientId);
    if (!client) return refuse("not_found", "No such client.");
    const now = this.now();
    const refusal = workflowChangeRefusal(client, true) ?? secretRefusal(client, input.secretHash, now);
    if (refusal) return refusal;
    const minted = await this.mint(input.workflowId, client, now);
    if (!minted.ok) return minted;
    const row: WorkflowRow = {
      id: input.workflowId,
      clientId: client.id,
      name: input.name,
      status: "active",
      allowedOrigins: input.allowedOrigins,
      ...minted.value,
      createdAt: now,
      updatedAt: now,
      lastUsedAt: null,
    };
    const db = database(this.env().DB);
    const details = { name: row.name, allowed_origins: row.allowedOrigins };
    await db.batch([
      db.insert(workflows).values(row),
      db
        .insert(auditLog)
        .values(
          auditEntry(
            audit,
            "workflow.create",
            { id: row.id, clientId: client.id, organizationId: client.organizationId },
            details,
            now,
          ),
        ),
    ]);
    this.state.storeWorkflow(row.id, workflowState(row));
    await this.refreshCache(row);
    return accept(row);
  }

  async update(
    clientId: string,
    workflowId: string,
    patch: WorkflowPatch,
    audit: AuditContext,
  ): Promise<Outcome<WorkflowRow>> {
    const client = await this.state.load(clientId);
    if (!client) return refuse("not_found", "No such workflow.");
    const current = await primaryDatabase(this.env().DB)
      .select()
      .from(workflows)
      .where(eq(workflows.id, workflowId))
      .get();
    if (!current || current.clientId !== clientId) return refuse("not_found", "No such workflow.");
    const now = this.now();
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
    const fieldChanges = changes(current, next, { name: "name", status: "status", allowed_origins: "allowedOrigins" });
    // Nothing to change: the same row, no write and no audit entry.
    if (!rekey && Object.keys(fieldChanges).length === 0) return accept(current);
    if (rekey) {
      const minted = await this.mint(workflowId, client, now);
      if (!minted.ok) return minted;
      next = { ...next, ...minted.value };
    }
    const db = database(this.env().DB);
    const { lastUsedAt: _lastUsed, ...columns } = next;
    const action = rekey ? "workflow.rekey" : "workflow.update";
    const details = { changes: fieldChanges, rekeyed: rekey };
    await db.batch([
      db.update(workflows).set(columns).where(eq(workflows.id, workflowId)),
      db
        .insert(auditLog)
        .values(
          auditEntry(audit, action, { id: workflowId, clientId, organizationId: client.organizationId }, details, now),
        ),
    ]);
    this.state.storeWorkflow(workflowId, workflowState(next));
    if (rekey) await this.refreshCache(next);
    return accept(next);
  }

  private async mint(workflowId: string, client: ClientRow, now: number) {
    try {
      const minted = await mintRefreshToken(
        this.env(),
        { workflowId, clientId: client.id, secretVersion: client.secretVersion },
        now,
      );
      return accept({
        refreshToken: minted.token,
        tokenId: minted.tokenId,
        tokenSecretVersion: client.secretVersion,
        tokenIssuedAt: minted.issuedAt,
      });
    } catch (err) {
      if (err instanceof SigningKeyMissing)
        return refuse("service_unavailable", "Workflow tokens cannot be minted: TOKEN_SIGNING_KEY is not set.");
      throw err;
    }
  }

  /**
   * KV is only a cache in front of D1 and the object checks every token's ID, so a failed or
   * slow-to-propagate write here can cost a D1 read at the edge, never a wrong answer.
   */
  private async refreshCache(row: WorkflowRow): Promise<void> {
    try {
      await cacheToken(this.env(), row.id, row.refreshToken);
    } catch (err) {
      log("warn", "token_cache_write_failed", { workflow_id: row.id, ...describeError(err) });
    }
  }
}
