import { env, exports } from "cloudflare:workers";

export const ADMIN_TOKEN = "test-admin-token";
export const BASE = "http://gateway.test";

/** A request through the real Worker entry point (the same one `wrangler dev` serves). */
export function call(path: string, init: RequestInit = {}): Promise<Response> {
  return exports.default.fetch(new Request(BASE + path, init));
}

export function admin(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return call(path, {
    method,
    headers: {
      Authorization: `Bearer ${ADMIN_TOKEN}`,
      ...(body === undefined ? {} : { "Content-Type": "application/json" }),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

export async function adminJson<T = any>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T; res: Response }> {
  const res = await admin(method, path, body);
  return { status: res.status, body: (await res.json()) as T, res };
}

export interface CreatedClient {
  id: string;
  secret: string;
  client: any;
}

export async function createClient(fields: Record<string, unknown> = {}): Promise<CreatedClient> {
  const { status, body } = await adminJson("POST", "/admin/clients", { name: "Test client", environment: "production", ...fields });
  if (status !== 201) throw new Error(`createClient: ${status} ${JSON.stringify(body)}`);
  return { id: body.client.id, secret: body.client_secret, client: body.client };
}

export async function createWorkflow(client: CreatedClient, fields: Record<string, unknown> = {}): Promise<any> {
  const { status, body } = await adminJson("POST", "/admin/workflows", {
    client_id: client.id,
    client_secret: client.secret,
    name: "Test workflow",
    ...fields,
  });
  if (status !== 201) throw new Error(`createWorkflow: ${status} ${JSON.stringify(body)}`);
  return body.workflow;
}

/** A data-plane call authenticated with a secret. */
export function withSecret(clientId: string, secret: string, path = "/v1/verify", init: RequestInit = {}): Promise<Response> {
  return call(path, { ...init, headers: { "X-Client-ID": clientId, "X-Client-Secret": secret, ...(init.headers as Record<string, string>) } });
}

/** A data-plane call authenticated with a workflow ID (as a frontend SDK does). */
export function withWorkflow(clientId: string, workflowId: string, path = "/v1/verify", init: RequestInit = {}): Promise<Response> {
  return call(path, { ...init, headers: { "X-Client-ID": clientId, "X-Workflow-ID": workflowId, ...(init.headers as Record<string, string>) } });
}

export async function errorCode(res: Response): Promise<string> {
  const body = (await res.json()) as { error?: { code?: string } };
  return body.error?.code ?? `<no error code, status ${res.status}>`;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export { env };
