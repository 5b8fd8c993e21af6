/** Admin tokens for tests: minted through the real API with the bootstrap ADMIN_TOKEN. */
import { adminJson, env, withBearer } from "./helpers";

// The contract's list, written out here on purpose rather than imported from src/admin/permissions:
// the permission tests then fail if the gateway's own list drifts from it.
export const PERMISSIONS = [
  "clients:read",
  "clients:write",
  "clients:rotate",
  "clients:revoke",
  "workflows:read",
  "workflows:write",
  "usage:read",
  "alerts:read",
  "audit:read",
  "tokens:manage",
  "webhooks:manage",
  "organizations:manage",
] as const;

export interface MintedToken {
  id: string;
  secret: string;
  token: any;
}

/** POST /admin/tokens as the bootstrap owner; throws unless 201. */
export async function mintToken(
  permissions: readonly string[],
  fields: { client_ids?: string[]; expires_in_days?: number; name?: string; organization_id?: string } = {},
): Promise<MintedToken> {
  const { status, body } = await adminJson("POST", "/admin/tokens", {
    name: fields.name ?? `token ${permissions.join(",")}`,
    permissions,
    ...fields,
  });
  if (status !== 201) throw new Error(`mintToken: ${status} ${JSON.stringify(body)}`);
  return { id: body.token.id, secret: body.secret, token: body.token };
}

/** A management call authenticated with an admin token secret. */
export const as = withBearer;

export async function asJson<T = any>(
  secret: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: T; res: Response }> {
  const res = await as(secret, method, path, body);
  return { status: res.status, body: (await res.json()) as T, res };
}

/** Every item of a paginated admin list, following next_cursor, with the page sizes seen. */
export async function allPages(
  secret: string,
  path: string,
  key: string,
  limit: number,
): Promise<{ items: any[]; pages: number[] }> {
  const items: any[] = [];
  const pages: number[] = [];
  let cursor: string | null = null;
  do {
    const sep = path.includes("?") ? "&" : "?";
    const { status, body }: { status: number; body: any } = await asJson(
      secret,
      "GET",
      `${path}${sep}limit=${limit}${cursor ? `&cursor=${cursor}` : ""}`,
    );
    if (status !== 200) throw new Error(`allPages ${path}: ${status} ${JSON.stringify(body)}`);
    items.push(...body[key]);
    pages.push(body[key].length);
    cursor = body.next_cursor;
  } while (cursor);
  return { items, pages };
}

/** Sets a token's stored column directly (expiry in the past, an old last_used_at), as time passing would. */
export async function setTokenColumn(id: string, column: "expires_at" | "last_used_at", value: number | null) {
  await env.DB.prepare(`UPDATE admin_tokens SET ${column} = ?1 WHERE id = ?2`).bind(value, id).run();
}

export async function storedToken(id: string): Promise<Record<string, any> | null> {
  return env.DB.prepare("SELECT * FROM admin_tokens WHERE id = ?1").bind(id).first();
}
