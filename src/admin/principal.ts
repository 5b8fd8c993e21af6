/** Who is making a management call, as admin authentication established it. */
export interface Principal {
  /** The audit log's actor: "bootstrap" for ADMIN_TOKEN, otherwise the admin token's id. */
  actor: string;
  /** The token's name ("bootstrap" for ADMIN_TOKEN). */
  name: string;
  permissions: string[];
  /** The clients the token is limited to; null = every client. */
  clientIds: string[] | null;
  /** The organization the token is bound to; null = not bound (every organization). */
  organizationId: string | null;
  /** Epoch ms; null for ADMIN_TOKEN, which never expires. */
  expiresAt: number | null;
}

export const BOOTSTRAP_ACTOR = "bootstrap";

export const BOOTSTRAP: Principal = {
  actor: BOOTSTRAP_ACTOR,
  name: BOOTSTRAP_ACTOR,
  permissions: ["*"],
  clientIds: null,
  organizationId: null,
  expiresAt: null,
};
