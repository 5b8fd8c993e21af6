import type { AuditContext } from "../object/protocol";
import type { Principal } from "./principal";

/** The audit context of an admin request. CF-Connecting-IP is set by Cloudflare's edge (absent locally). */
export function auditContextOf(c: {
  get(key: "principal"): Principal;
  get(key: "requestId"): string;
  req: { header(name: string): string | undefined };
}): AuditContext {
  return {
    actor: c.get("principal").actor,
    ip: c.req.header("CF-Connecting-IP") ?? null,
    requestId: c.get("requestId") ?? null,
  };
}
