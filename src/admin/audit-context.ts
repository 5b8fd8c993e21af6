import type { AuditContext } from "../object/protocol";

/** The audit context of an admin request. CF-Connecting-IP is set by Cloudflare's edge (absent locally). */
export function auditContextOf(c: {
  get(key: "actor"): string;
  get(key: "requestId"): string;
  req: { header(name: string): string | undefined };
}): AuditContext {
  return {
    actor: c.get("actor") ?? "admin",
    ip: c.req.header("CF-Connecting-IP") ?? null,
    requestId: c.get("requestId") ?? null,
  };
}
