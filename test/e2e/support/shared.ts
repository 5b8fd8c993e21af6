import { inject } from "vitest";
import type { SharedGateway } from "./global-setup";

/** The Worker started once for this run by global-setup.ts. */
export function gateway(): SharedGateway {
  return inject("gateway");
}

/** Calls the management API as the bootstrap owner; throws on a non-2xx answer. */
export async function adminApi<T = any>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const { baseUrl, adminToken } = gateway();
  const res = await fetch(baseUrl + path, {
    method: init.method ?? (init.body === undefined ? "GET" : "POST"),
    headers: {
      authorization: `Bearer ${adminToken}`,
      ...(init.body === undefined ? {} : { "content-type": "application/json" }),
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${init.method ?? "GET"} ${path}: ${res.status} ${text}`);
  return JSON.parse(text) as T;
}
