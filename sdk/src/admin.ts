import type { RetryOptions } from "./retry.js";
import { type Runtime, type RuntimeOptions, runtimeFrom } from "./runtime.js";
import { send } from "./transport.js";
import type { Answer, Body, OperationKey, Query } from "./types.js";

export interface NafsiAdminOptions extends RetryOptions, RuntimeOptions {
  baseUrl: string;
  /** ADMIN_TOKEN or an admin token's secret (`nafsi_admin_...`). */
  token: string;
}

type ListKey =
  | "GET /admin/clients"
  | "GET /admin/workflows"
  | "GET /admin/alerts"
  | "GET /admin/audit-log"
  | "GET /admin/tokens"
  | "GET /admin/organizations"
  | "GET /admin/webhook-endpoints"
  | "GET /admin/webhook-endpoints/{endpoint_id}/deliveries";
/** The list's query without the cursor, which the iterator manages. */
type ListQuery<K extends ListKey> = Omit<NonNullable<Query<K>>, "cursor">;
/** One page's query: the list's, with the `cursor` of the previous page's `next_cursor`. */
type PageQuery<K extends ListKey> = NonNullable<Query<K>>;
type Item<K extends ListKey, F extends keyof Answer<K>> = Answer<K>[F] extends (infer T)[] ? T : never;

export interface UsageOverviewOptions {
  /** 1..365, default 30. */
  days?: number;
  /** Only this organization's clients. */
  organizationId?: string;
}

/** The usage export: its CSV text and the file name the gateway gives it (`Content-Disposition`). */
export interface UsageExport {
  csv: string;
  filename: string | null;
}

type Params = Record<string, string>;
type QueryValues = Record<string, string | number | undefined>;

/**
 * The management API, one method per call, each resolving with the answer's body as the API gives
 * it. `list` methods are async iterators over every item of every page (following next_cursor);
 * `page` methods read one page, for a screen that shows a page and offers the next on request.
 */
export class NafsiAdmin {
  readonly #baseUrl: string;
  readonly #token: string;
  readonly #retry: RetryOptions;
  readonly #rt: Runtime;

  constructor(options: NafsiAdminOptions) {
    this.#baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.#token = options.token;
    this.#retry = { maxRetries: options.maxRetries, maxRetryDelayMs: options.maxRetryDelayMs };
    this.#rt = runtimeFrom(options);
  }

  readonly clients = {
    create: (body: Body<"POST /admin/clients">) => this.#call("POST /admin/clients", {}, body),
    list: (query: ListQuery<"GET /admin/clients"> = {}) => this.#list("GET /admin/clients", "clients", query),
    page: (query: PageQuery<"GET /admin/clients"> = {}) => this.#call("GET /admin/clients", {}, undefined, query),
    get: (clientId: string) => this.#call("GET /admin/clients/{client_id}", { client_id: clientId }),
    update: (clientId: string, body: Body<"PATCH /admin/clients/{client_id}">) =>
      this.#call("PATCH /admin/clients/{client_id}", { client_id: clientId }, body),
    regenerateSecret: (clientId: string, body: Body<"POST /admin/clients/{client_id}/regenerate-secret"> = {}) =>
      this.#call("POST /admin/clients/{client_id}/regenerate-secret", { client_id: clientId }, body),
    revoke: (clientId: string) => this.#call("POST /admin/clients/{client_id}/revoke", { client_id: clientId }),
  };

  readonly workflows = {
    create: (body: Body<"POST /admin/workflows">) => this.#call("POST /admin/workflows", {}, body),
    list: (query: ListQuery<"GET /admin/workflows"> = {}) => this.#list("GET /admin/workflows", "workflows", query),
    page: (query: PageQuery<"GET /admin/workflows"> = {}) => this.#call("GET /admin/workflows", {}, undefined, query),
    get: (workflowId: string) => this.#call("GET /admin/workflows/{workflow_id}", { workflow_id: workflowId }),
    update: (workflowId: string, body: Body<"PATCH /admin/workflows/{workflow_id}">) =>
      this.#call("PATCH /admin/workflows/{workflow_id}", { workflow_id: workflowId }, body),
  };

  readonly alerts = {
    list: (query: ListQuery<"GET /admin/alerts"> = {}) => this.#list("GET /admin/alerts", "alerts", query),
    page: (query: PageQuery<"GET /admin/alerts"> = {}) => this.#call("GET /admin/alerts", {}, undefined, query),
  };

  readonly auditLog = {
    list: (query: ListQuery<"GET /admin/audit-log"> = {}) => this.#list("GET /admin/audit-log", "entries", query),
    page: (query: PageQuery<"GET /admin/audit-log"> = {}) => this.#call("GET /admin/audit-log", {}, undefined, query),
  };

  readonly tokens = {
    create: (body: Body<"POST /admin/tokens">) => this.#call("POST /admin/tokens", {}, body),
    list: (query: ListQuery<"GET /admin/tokens"> = {}) => this.#list("GET /admin/tokens", "tokens", query),
    page: (query: PageQuery<"GET /admin/tokens"> = {}) => this.#call("GET /admin/tokens", {}, undefined, query),
    get: (tokenId: string) => this.#call("GET /admin/tokens/{token_id}", { token_id: tokenId }),
    revoke: (tokenId: string) => this.#call("POST /admin/tokens/{token_id}/revoke", { token_id: tokenId }),
  };

  readonly organizations = {
    create: (body: Body<"POST /admin/organizations">) => this.#call("POST /admin/organizations", {}, body),
    list: (query: ListQuery<"GET /admin/organizations"> = {}) =>
      this.#list("GET /admin/organizations", "organizations", query),
    page: (query: PageQuery<"GET /admin/organizations"> = {}) =>
      this.#call("GET /admin/organizations", {}, undefined, query),
    get: (organizationId: string) =>
      this.#call("GET /admin/organizations/{organization_id}", { organization_id: organizationId }),
    update: (organizationId: string, body: Body<"PATCH /admin/organizations/{organization_id}">) =>
      this.#call("PATCH /admin/organizations/{organization_id}", { organization_id: organizationId }, body),
  };

  /**
   * Webhook endpoints (Standard Webhooks): the secret is in the answers of `create` and
   * `rotateSecret` only. `deliveries` iterates an endpoint's deliveries, newest first, and
   * `deliveries.page` reads one page of them.
   */
  readonly webhookEndpoints = {
    create: (body: Body<"POST /admin/webhook-endpoints">) => this.#call("POST /admin/webhook-endpoints", {}, body),
    list: (query: ListQuery<"GET /admin/webhook-endpoints"> = {}) =>
      this.#list("GET /admin/webhook-endpoints", "endpoints", query),
    page: (query: PageQuery<"GET /admin/webhook-endpoints"> = {}) =>
      this.#call("GET /admin/webhook-endpoints", {}, undefined, query),
    get: (endpointId: string) => this.#call("GET /admin/webhook-endpoints/{endpoint_id}", { endpoint_id: endpointId }),
    update: (endpointId: string, body: Body<"PATCH /admin/webhook-endpoints/{endpoint_id}">) =>
      this.#call("PATCH /admin/webhook-endpoints/{endpoint_id}", { endpoint_id: endpointId }, body),
    delete: async (endpointId: string): Promise<void> => {
      await this.#call("DELETE /admin/webhook-endpoints/{endpoint_id}", { endpoint_id: endpointId });
    },
    rotateSecret: (endpointId: string) =>
      this.#call("POST /admin/webhook-endpoints/{endpoint_id}/rotate-secret", { endpoint_id: endpointId }),
    test: (endpointId: string) =>
      this.#call("POST /admin/webhook-endpoints/{endpoint_id}/test", { endpoint_id: endpointId }),
    deliveries: Object.assign(
      (endpointId: string, query: ListQuery<"GET /admin/webhook-endpoints/{endpoint_id}/deliveries"> = {}) =>
        this.#list("GET /admin/webhook-endpoints/{endpoint_id}/deliveries", "deliveries", query, {
          endpoint_id: endpointId,
        }),
      {
        page: (endpointId: string, query: PageQuery<"GET /admin/webhook-endpoints/{endpoint_id}/deliveries"> = {}) =>
          this.#call(
            "GET /admin/webhook-endpoints/{endpoint_id}/deliveries",
            { endpoint_id: endpointId },
            undefined,
            query,
          ),
      },
    ),
    retryDelivery: (endpointId: string, deliveryId: string) =>
      this.#call("POST /admin/webhook-endpoints/{endpoint_id}/deliveries/{delivery_id}/retry", {
        endpoint_id: endpointId,
        delivery_id: deliveryId,
      }),
  };

  /**
   * Usage over every client the token sees (or one organization): the overview, or with
   * `format: "csv"` the export's text (one row per client per day, after a header row).
   */
  usageOverview(options: UsageOverviewOptions & { format: "csv" }): Promise<string>;
  usageOverview(options?: UsageOverviewOptions & { format?: "json" }): Promise<Answer<"GET /admin/usage">>;
  usageOverview(options: UsageOverviewOptions & { format?: "json" | "csv" } = {}) {
    const query = { days: options.days, organization_id: options.organizationId, format: options.format };
    return this.#call("GET /admin/usage", {}, undefined, query) as Promise<unknown>;
  }

  /**
   * The usage export (`format=csv`) with the file name the gateway suggests, for saving it as a
   * file (a page's download link, a script that writes it to disk).
   */
  async usageExport(options: UsageOverviewOptions = {}): Promise<UsageExport> {
    let filename: string | null = null;
    const query = { days: options.days, organization_id: options.organizationId, format: "csv" };
    const csv = await this.#call("GET /admin/usage", {}, undefined, query, (res) => {
      filename = filenameOf(res.headers.get("Content-Disposition"));
    });
    return { csv: csv as unknown as string, filename };
  }

  usage(clientId: string, query: NonNullable<Query<"GET /admin/clients/{client_id}/usage">> = {}) {
    return this.#call("GET /admin/clients/{client_id}/usage", { client_id: clientId }, undefined, query);
  }

  me() {
    return this.#call("GET /admin/me");
  }

  #call<K extends OperationKey>(
    key: K,
    params: Params = {},
    body?: unknown,
    query: QueryValues = {},
    observe?: (res: Response) => void,
  ): Promise<Answer<K>> {
    const [method, template] = key.split(" ") as [string, string];
    const path = template.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(params[name] ?? ""));
    const search = new URLSearchParams();
    for (const [name, value] of Object.entries(query)) if (value !== undefined) search.set(name, String(value));
    const qs = search.toString();
    // Every POST gets a fresh key, which send() repeats on each of its own retries: a create whose
    // answer was lost is then answered from the gateway's kept answer instead of done twice.
    const idempotency: Record<string, string> = method === "POST" ? { "Idempotency-Key": newIdempotencyKey() } : {};
    return send(
      this.#rt,
      this.#baseUrl + path + (qs ? `?${qs}` : ""),
      {
        ...this.#retry,
        method,
        headers: { Authorization: `Bearer ${this.#token}`, ...idempotency },
        body,
      },
      observe,
    ) as Promise<Answer<K>>;
  }

  async *#list<K extends ListKey, F extends keyof Answer<K> & string>(
    key: K,
    field: F,
    query: QueryValues,
    params: Params = {},
  ): AsyncGenerator<Item<K, F>, void, undefined> {
    let cursor: string | undefined;
    do {
      const page = (await this.#call(key, params, undefined, { ...query, cursor })) as Record<string, unknown>;
      yield* page[field] as Item<K, F>[];
      cursor = (page.next_cursor as string | null) ?? undefined;
    } while (cursor);
  }
}

/** The `filename` of a `Content-Disposition: attachment; filename="..."` header, or null. */
function filenameOf(disposition: string | null): string | null {
  return /filename="([^"]+)"/.exec(disposition ?? "")?.[1] ?? null;
}

/**
 * A random UUID. `crypto.randomUUID` exists only in secure contexts in browsers (a page served over
 * plain http from another host has none), while `getRandomValues` exists everywhere.
 */
function newIdempotencyKey(): string {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const hex = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
