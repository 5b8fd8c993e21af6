import {
  createExecutionContext,
  runDurableObjectAlarm,
  runInDurableObject,
  waitOnExecutionContext,
} from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { expect } from "vitest";
import { createApp } from "../../src/app";
import { type Environment } from "../../src/domain/credentials";
import { newClientSecret } from "./credentials";

export const ADMIN_TOKEN = "test-admin-token";
export const BASE = "http://gateway.test";

/** A request through the real Worker entry point (the same one `wrangler dev` serves). */
export function call(path: string, init: RequestInit = {}): Promise<Response> {
  return exports.default.fetch(new Request(BASE + path, init));
}

/** A management call with any bearer token (the bootstrap ADMIN_TOKEN or an admin token secret). */
export function withBearer(
  token: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  return call(path, {
    method,
    headers: {
      Authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { "Content-Type": "application/json" }),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

export function admin(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  return withBearer(ADMIN_TOKEN, method, path, body, headers);
}

export async function adminJson<T = any>(
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: T; res: Response }> {
  const res = await admin(method, path, body);
  return { status: res.status, body: (await res.json()) as T, res };
}

export interface CreatedClient {
  id: string;
  secret: string;
  client: any;
}

export async function createClient(fields: Record<string, unknown> = {}): Promise<CreatedClient> {
  const { status, body } = await adminJson("POST", "/admin/clients", {
    name: "Test client",
    environment: "production",
    ...fields,
  });
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
export function withSecret(
  clientId: string,
  secret: string,
  path = "/v1/verify",
  init: RequestInit = {},
): Promise<Response> {
  return call(path, {
    ...init,
    headers: { "X-Client-ID": clientId, "X-Client-Secret": secret, ...(init.headers as Record<string, string>) },
  });
}

/** A data-plane call authenticated with a workflow ID (as a frontend SDK does). */
export function withWorkflow(
  clientId: string,
  workflowId: string,
  path = "/v1/verify",
  init: RequestInit = {},
): Promise<Response> {
  return call(path, {
    ...init,
    headers: { "X-Client-ID": clientId, "X-Workflow-ID": workflowId, ...(init.headers as Record<string, string>) },
  });
}

export async function errorCode(res: Response): Promise<string> {
  const body = (await res.json()) as { error?: { code?: string } };
  return body.error?.code ?? `<no error code, status ${res.status}>`;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export { env };

/**
 * Asserts the contract's error shape (status, `Content-Type: application/json`,
 * `{"error": {"code", "message", ...}}`) and returns the error object.
 */
export async function expectError(
  res: Response,
  status: number,
  code: string,
): Promise<{ code: string; message: string; [key: string]: any }> {
  const text = await res.text();
  expect(res.status, text).toBe(status);
  expect(res.headers.get("Content-Type") ?? "", text).toMatch(/^application\/json\s*(;|$)/i);
  const body = JSON.parse(text) as { error: { code: string; message: string } };
  expect(body, text).toEqual({ error: expect.objectContaining({ code, message: expect.any(String) }) });
  expect(body.error.message.length).toBeGreaterThan(0);
  return body.error;
}

/** POST /admin/clients/{id}/regenerate-secret; returns the new secret and the whole answer. */
export async function regenerateSecret(
  clientId: string,
  graceSeconds?: number,
): Promise<{ secret: string; body: any }> {
  const { status, body } = await adminJson(
    "POST",
    `/admin/clients/${clientId}/regenerate-secret`,
    graceSeconds === undefined ? {} : { grace_period_seconds: graceSeconds },
  );
  if (status !== 200) throw new Error(`regenerateSecret: ${status} ${JSON.stringify(body)}`);
  return { secret: body.client_secret, body };
}

/** POST /admin/clients/{id}/revoke; returns the client. */
export async function revokeClient(clientId: string): Promise<any> {
  const { status, body } = await adminJson("POST", `/admin/clients/${clientId}/revoke`);
  if (status !== 200) throw new Error(`revokeClient: ${status} ${JSON.stringify(body)}`);
  return body.client;
}

/** PATCH /admin/clients/{id} that must succeed; returns the client. */
export async function patchClient(clientId: string, fields: Record<string, unknown>): Promise<any> {
  const { status, body } = await adminJson("PATCH", `/admin/clients/${clientId}`, fields);
  if (status !== 200) throw new Error(`patchClient: ${status} ${JSON.stringify(body)}`);
  return body.client;
}

/** PATCH /admin/workflows/{id} (any outcome). */
export function patchWorkflow(
  workflowId: string,
  fields: Record<string, unknown>,
): Promise<{ status: number; body: any; res: Response }> {
  return adminJson("PATCH", `/admin/workflows/${workflowId}`, fields);
}

/** Lower-case hex SHA-256 of a UTF-8 string (computed here, independently of src/). */
export async function sha256HexOf(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

// ---- data plane -------------------------------------------------------------------------------

/**
 * A request through a fresh app with an env of the test's choosing: upstream URLs, a timeout, or
 * a binding replaced to inject a fault at the gateway's own boundary. Everything not overridden
 * is the real test env (D1, KV, Durable Objects).
 */
export async function callWithEnv(
  overrides: Record<string, unknown>,
  path: string,
  init: RequestInit = {},
): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await createApp().fetch(new Request(BASE + path, init), { ...env, ...overrides } as Env, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

export interface LimitHeaders {
  limit: number;
  remaining: number;
  reset: number;
  policy: string | null;
  rateLimit: string | null;
  retryAfter: number | null;
}

/** The rate-limit headers of an answer, as numbers (NaN when one is missing). */
export function limitHeaders(res: Response): LimitHeaders {
  const num = (name: string) => Number(res.headers.get(name) ?? NaN);
  const retry = res.headers.get("Retry-After");
  return {
    limit: num("X-RateLimit-Limit"),
    remaining: num("X-RateLimit-Remaining"),
    reset: num("X-RateLimit-Reset"),
    policy: res.headers.get("RateLimit-Policy"),
    rateLimit: res.headers.get("RateLimit"),
    retryAfter: retry === null ? null : Number(retry),
  };
}

/** The client's Durable Object (the one the data plane asks). */
export const authority = (clientId: string) => env.CLIENT_AUTHORITY.getByName(clientId);

/** The admitted timestamps the client's Durable Object has persisted, oldest first. */
export function storedWindow(clientId: string): Promise<number[]> {
  return runInDurableObject(authority(clientId), (_instance, state) =>
    state.storage.sql
      .exec<{ ts: number }>("SELECT ts FROM window_ring ORDER BY seq")
      .toArray()
      .map((r) => r.ts),
  );
}

// ---- usage, alerts, audit ---------------------------------------------------------------------

/**
 * Edge-decided failed authentications (and admitted requests' outcomes) reach the client's object
 * from the isolate after the answer, in batches up to about a second later: wait this long before
 * a flush whose figures must be complete.
 */
export const EDGE_BATCH_SETTLE_MS = 1500;

/** Runs the client's Durable Object alarm (its usage/alert flush) now; false when none was scheduled. */
export const flushUsage = (clientId: string): Promise<boolean> => runDurableObjectAlarm(authority(clientId));

/** Lets completions and edge failure batches arrive, then flushes the client's usage to D1. */
export async function settleAndFlush(clientId: string, ms = EDGE_BATCH_SETTLE_MS): Promise<void> {
  await sleep(ms);
  await flushUsage(clientId);
}

/** Schedules the client's alarm and runs it at once: a flush even when none was pending. */
export async function forceFlush(clientId: string): Promise<boolean> {
  // Set in the future so that it does not fire by itself before runDurableObjectAlarm runs it.
  await runInDurableObject(authority(clientId), (_instance, state) => state.storage.setAlarm(Date.now() + 60_000));
  return runDurableObjectAlarm(authority(clientId));
}

/** GET /admin/clients/{id}/usage?days=N that must succeed. */
export async function usageOf(clientId: string, days = 1): Promise<any> {
  const { status, body } = await adminJson("GET", `/admin/clients/${clientId}/usage?days=${days}`);
  if (status !== 200) throw new Error(`usageOf: ${status} ${JSON.stringify(body)}`);
  return body;
}

/** Every alert (all pages of GET /admin/alerts) for a client, optionally of one type, newest first. */
export async function alertsOf(clientId: string, type?: string): Promise<any[]> {
  const out: any[] = [];
  let cursor: string | null = null;
  do {
    const query: URLSearchParams = new URLSearchParams({
      client_id: clientId,
      limit: "100",
      ...(type ? { type } : {}),
      ...(cursor ? { cursor } : {}),
    });
    const { status, body }: { status: number; body: any } = await adminJson("GET", `/admin/alerts?${query}`);
    if (status !== 200) throw new Error(`alertsOf: ${status} ${JSON.stringify(body)}`);
    out.push(...body.alerts);
    cursor = body.next_cursor;
  } while (cursor);
  return out;
}

/** A well-formed secret (valid prefix and checksum) of the environment that belongs to no client. */
export const unrelatedSecret = (environment: Environment = "production") => newClientSecret(environment);

/** The same ID or secret with its last (checksum) character changed: refused without any lookup. */
export function breakChecksum(value: string): string {
  const last = value.at(-1)!;
  return value.slice(0, -1) + (last === "A" ? "B" : "A");
}

/**
 * Overrides bindings of the env that the client's Durable Object instance holds (e.g.
 * ALERT_WEBHOOK_URL), everything else staying the real test env, until the object restarts or
 * `restoreAuthorityEnv` is called. For settings the miniflare config sets globally for all files.
 */
export async function patchAuthorityEnv(clientId: string, overrides: Record<string, unknown>): Promise<void> {
  const patched = { ...env, ...overrides };
  await runInDurableObject(authority(clientId), (instance: object) => {
    Object.defineProperty(instance, "env", { value: patched, configurable: true, writable: true });
  });
}

/** Gives the client's Durable Object instance back the real test env. */
export async function restoreAuthorityEnv(clientId: string): Promise<void> {
  await patchAuthorityEnv(clientId, {});
}

/**
 * Waits, only when needed, until the clock is at least `marginMs` away from the next multiple of
 * `unitMs` (an hour, a UTC day), so that a test's traffic and its checks fall in the same bucket.
 */
export async function awayFromBoundary(unitMs: number, marginMs: number): Promise<void> {
  const untilNext = unitMs - (Date.now() % unitMs);
  if (untilNext < marginMs) await sleep(untilNext + 50);
}

/** The status of an answer, its body read to the end (unread bodies hold connections open). */
export async function statusOf(res: Response | Promise<Response>): Promise<number> {
  const r = await res;
  await r.arrayBuffer();
  return r.status;
}

/**
 * One app and one env (the real test env with `overrides`, e.g. an upstream URL) for a series of
 * data-plane requests, each with its own execution context. Unlike callWithEnv, a request does not
 * wait for its after-response work; `settle()` waits for all of it (outcome reports and batches).
 */
export function appWithEnv(overrides: Record<string, unknown>) {
  const app = createApp();
  const patched = { ...env, ...overrides } as Env;
  const contexts: ExecutionContext[] = [];
  return {
    fetch(path: string, init: RequestInit = {}): Promise<Response> {
      const ctx = createExecutionContext();
      contexts.push(ctx);
      return Promise.resolve(app.fetch(new Request(BASE + path, init), patched, ctx));
    },
    async settle(): Promise<void> {
      await Promise.all(contexts.splice(0).map((ctx) => waitOnExecutionContext(ctx)));
    },
  };
}
