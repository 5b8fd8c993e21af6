import { session } from "./session";

/** A refused management call, carrying the API's own human message. */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

type Listener = () => void;
let onUnauthorized: Listener = () => {};
/** Called when a signed-in token stops being accepted (expired or revoked). */
export function whenUnauthorized(listener: Listener) {
  onUnauthorized = listener;
}

interface ErrorBody {
  error?: { code?: string; message?: string; details?: { field: string; message: string }[] };
}

function describe(body: ErrorBody, status: number): string {
  const error = body.error;
  if (!error?.message) return `The gateway answered ${status}.`;
  const details = (error.details ?? []).filter((d) => d.message && d.message !== error.message);
  if (details.length === 0) return error.message;
  return `${error.message} ${details.map((d) => (d.field ? `${d.field}: ${d.message}` : d.message)).join("; ")}`;
}

async function send(path: string, options: { method?: string; body?: unknown; token?: string }) {
  const token = options.token ?? session.token() ?? "";
  let res: Response;
  try {
    res = await fetch(path, {
      method: options.method ?? (options.body === undefined ? "GET" : "POST"),
      headers: {
        Authorization: `Bearer ${token}`,
        ...(options.body === undefined ? {} : { "Content-Type": "application/json" }),
      },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      cache: "no-store",
    });
  } catch {
    throw new ApiFailure(0, "network_error", "Could not reach the gateway. Check your connection and try again.");
  }
  if (!res.ok) {
    const body = (await res.json().catch(() => ({}))) as ErrorBody;
    const failure = new ApiFailure(res.status, body.error?.code ?? "unknown", describe(body, res.status));
    if (res.status === 401 && options.token === undefined) onUnauthorized();
    throw failure;
  }
  return res;
}

export async function api<T>(
  path: string,
  options: { method?: string; body?: unknown; token?: string } = {},
): Promise<T> {
  const res = await send(path, options);
  return (await res.json().catch(() => ({}))) as T;
}

/** A file the API answers (an export), with the name its Content-Disposition gives. */
export async function apiFile(path: string): Promise<{ blob: Blob; filename: string | null }> {
  const res = await send(path, {});
  const filename = /filename="([^"]+)"/.exec(res.headers.get("Content-Disposition") ?? "")?.[1] ?? null;
  return { blob: await res.blob(), filename };
}

export const messageOf = (error: unknown) =>
  error instanceof Error ? error.message : "Something went wrong. Try again.";

export function query(params: Record<string, string | number | null | undefined>) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params))
    if (value !== null && value !== undefined && value !== "") search.set(key, String(value));
  const text = search.toString();
  return text ? `?${text}` : "";
}
