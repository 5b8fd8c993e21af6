import { NafsiAdmin, NafsiError } from "@nafsi/sdk";
import { session } from "./session";

export type {
  AdminToken,
  Body,
  Alert,
  AuditEntry,
  Client,
  Me,
  Organization,
  Usage,
  UsageOverview,
  WebhookDelivery,
  WebhookEndpoint,
  Workflow,
} from "@nafsi/sdk";

type Listener = () => void;
let onUnauthorized: Listener = () => {};
/** Called when a signed-in token stops being accepted (expired or revoked). */
export function whenUnauthorized(listener: Listener) {
  onUnauthorized = listener;
}

/**
 * The SDK's management client for `token`, on this origin. Its fetch asks for fresh answers (an
 * admin screen must never show a cached list) and, when `watch`, reports a 401: the session's
 * token has lapsed, so the console signs out.
 */
function adminFor(token: string, watch: boolean): NafsiAdmin {
  return new NafsiAdmin({
    baseUrl: location.origin,
    token,
    fetch: async (input, init) => {
      const res = await fetch(input, { ...init, cache: "no-store" });
      if (watch && res.status === 401) onUnauthorized();
      return res;
    },
  });
}

/** The management API as the signed-in token (the token is read from the session on each call). */
export const gateway = (): NafsiAdmin => adminFor(session.token() ?? "", true);

/** A token being tried at sign-in: a 401 there means a wrong token, not a lapsed session. */
export const gatewayAs = (token: string): NafsiAdmin => adminFor(token, false);

/** The API's human message, with the fields it names; the SDK's own network failure said plainly. */
export function messageOf(error: unknown): string {
  if (error instanceof NafsiError) {
    if (error.code === "network_error") return "Could not reach the gateway. Check your connection and try again.";
    const details = (error.details ?? []).filter((d) => d.message && d.message !== error.message);
    if (details.length === 0) return error.message;
    return `${error.message} ${details.map((d) => (d.field ? `${d.field}: ${d.message}` : d.message)).join("; ")}`;
  }
  return error instanceof Error ? error.message : "Something went wrong. Try again.";
}

/** Query values from form state: "" means "not filtered", so it is not sent. */
export function filters<T extends Record<string, string | number | undefined>>(
  values: T,
): { [K in keyof T]?: Exclude<T[K], ""> } {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(values)) if (value !== "" && value !== undefined) out[key] = value;
  return out as { [K in keyof T]?: Exclude<T[K], ""> };
}
