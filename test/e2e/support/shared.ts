import { NafsiAdmin } from "@nafsi/sdk";
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

/** The management API through the SDK (the client the console itself uses), as `token` or the bootstrap owner. */
export function sdkAdmin(token = gateway().adminToken): NafsiAdmin {
  return new NafsiAdmin({ baseUrl: gateway().baseUrl, token });
}
