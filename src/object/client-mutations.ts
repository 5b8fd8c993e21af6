/**
 * Management changes to a client, applied by its Durable Object: D1 first (the row and its audit
 * entry in one batch, one transaction), then the object's own state, before the admin call answers.
 * The object runs them under blockConcurrencyWhile, so no data-plane request is decided from a
 * half-applied change and two admin calls cannot interleave.
 */
import { eq } from "drizzle-orm";
import { alertSettingsChanges } from "../domain/alert-settings";
import { type ClientPatch, type NewSecret, patchClient, regenerateSecret, revokeClient } from "../domain/client-rules";
import { type Outcome, accept, refuse } from "../lib/result";
import { database } from "../storage/database";
import { insertClientWithinPlan, organizationById } from "../storage/organizations";
import { planLimitRefusal, rateLimitRefusal } from "../domain/organization-rules";
import { type ClientRow, auditLog, clients, workflows } from "../storage/schema";
import { auditEntry, changes } from "./audit-entry";
import type { ClientState } from "./client-state";
import type { AuditContext } from "./protocol";

/** A management write never sets last_used_at: only the usage flush moves it (forward only). */
export function clientColumns(row: ClientRow) {
  const { lastUsedAt: _lastUsed, ...columns } = row;
  return columns;
}

export class ClientMutations {
  constructor(
    private readonly state: ClientState,
    private readonly env: () => Env,
    private readonly now: () => number,
  ) {}

  async create(row: ClientRow, audit: AuditContext): Promise<Outcome<ClientRow>> {
    const details = {
      name: row.name,
      environment: row.environment,
      rate_limit: row.rateLimit,
      retention_days: row.retentionDays,
      region: row.region,
      alert_settings: row.alertSettings,
    };
    const entry = auditEntry(
      audit,
      "client.create",
      { id: row.id, clientId: row.id, organizationId: row.organizationId },
      { ...details, organization_id: row.organizationId },
      row.createdAt,
    );
    // The plan's max_clients is decided by D1 in the insert itself (see insertClientWithinPlan).
    if (!(await insertClientWithinPlan(this.env().DB, row, entry))) {
      const organization = await organizationById(this.env().DB, row.organizationId);
      if (!organization) return refuse("not_found", "No such organization.");
      return planLimitRefusal("max_clients", organization.maxClients);
    }
    this.state.storeClient(row);
    return accept(row);
  }

  async update(clientId: string, patch: ClientPatch, audit: AuditContext): Promise<Outcome<ClientRow>> {
    const row = await this.state.load(clientId);
    // A rate limit the client already has is no change: after its plan was lowered, a PATCH that
    // sends it back unchanged (an edit form does) still renames or reactivates the client.
    if (row && row.status !== "revoked" && patch.rate_limit !== undefined && patch.rate_limit !== row.rateLimit) {
      // The plan as it is now (a plan raised a moment ago decides this call).
      const organization = await organizationById(this.env().DB, row.organizationId);
      const refusal = organization ? rateLimitRefusal(organization, row.environment, patch.rate_limit) : null;
      if (refusal) return refusal;
    }
    return this.change(
      clientId,
      audit,
      "client.update",
      (row, now) => patchClient(row, patch, now),
      (before, after) => ({
        changes: {
          ...changes(before, after, {
            name: "name",
            rate_limit: "rateLimit",
            retention_days: "retentionDays",
            status: "status",
          }),
          // Field by field, so the entry says which threshold moved rather than repeating all five types.
          ...alertSettingsChanges(before.alertSettings, after.alertSettings),
        },
      }),
    );
  }

  regenerateSecret(
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
      (_before, after) => ({
        grace_period_seconds: graceSeconds,
        previous_secret_expires_at:
          after.previousSecretExpiresAt === null ? null : new Date(after.previousSecretExpiresAt).toISOString(),
        secret_version: after.secretVersion,
      }),
    );
  }

  async revoke(clientId: string, audit: AuditContext): Promise<Outcome<ClientRow>> {
    const row = await this.state.load(clientId);
    if (!row) return refuse("not_found", "No such client.");
    if (row.status === "revoked") return accept(row);
    const now = this.now();
    const next = revokeClient(row, now);
    const db = database(this.env().DB);
    const active = [...this.state.workflows.entries()].filter(([, w]) => w.status === "active").map(([id]) => id);
    // One D1 batch is one transaction: the client, all its workflows and the audit entry together.
    await db.batch([
      db.update(clients).set(clientColumns(next)).where(eq(clients.id, clientId)),
      db.update(workflows).set({ status: "inactive", updatedAt: now }).where(eq(workflows.clientId, clientId)),
      db
        .insert(auditLog)
        .values(
          auditEntry(
            audit,
            "client.revoke",
            { id: clientId, clientId, organizationId: row.organizationId },
            { workflows_deactivated: active },
            now,
          ),
        ),
    ]);
    this.state.storeClient(next);
    for (const [id, workflow] of this.state.workflows)
      this.state.storeWorkflow(id, { ...workflow, status: "inactive" });
    return accept(next);
  }

  private async change(
    clientId: string,
    audit: AuditContext,
    action: string,
    apply: (row: ClientRow, now: number) => Outcome<ClientRow>,
    describe: (before: ClientRow, after: ClientRow) => Record<string, unknown>,
  ): Promise<Outcome<ClientRow>> {
    const row = await this.state.load(clientId);
    if (!row) return refuse("not_found", "No such client.");
    const now = this.now();
    const next = apply(row, now);
    if (!next.ok || next.value === row) return next;
    const db = database(this.env().DB);
    await db.batch([
      db.update(clients).set(clientColumns(next.value)).where(eq(clients.id, clientId)),
      db
        .insert(auditLog)
        .values(
          auditEntry(
            audit,
            action,
            { id: clientId, clientId, organizationId: row.organizationId },
            describe(row, next.value),
            now,
          ),
        ),
    ]);
    this.state.storeClient(next.value);
    return next;
  }
}
