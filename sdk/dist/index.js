// src/errors.ts
var NafsiError = class extends Error {
  status;
  code;
  requestId;
  /** Seconds the gateway asked to wait (`Retry-After`), or null. */
  retryAfter;
  details;
  constructor(init) {
    super(init.message, init.cause === void 0 ? void 0 : { cause: init.cause });
    this.name = "NafsiError";
    this.status = init.status ?? 0;
    this.code = init.code;
    this.requestId = init.requestId ?? null;
    this.retryAfter = init.retryAfter ?? null;
    this.details = init.details;
  }
};

// src/runtime.ts
var abortReason = (signal) => signal.reason ?? new DOMException("This operation was aborted", "AbortError");
function sleep(ms, signal) {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortReason(signal));
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortReason(signal));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
function runtimeFrom(options) {
  const custom = options.runtime ?? {};
  return {
    // Bound lazily: some platforms throw "Illegal invocation" when fetch is called off globalThis.
    fetch: options.fetch ?? ((input, init) => globalThis.fetch(input, init)),
    now: custom.now ?? Date.now,
    sleep: custom.sleep ?? sleep,
    random: custom.random ?? Math.random
  };
}

// src/retry.ts
var DEFAULT_MAX_RETRIES = 3;
var DEFAULT_MAX_RETRY_DELAY_MS = 6e4;
var BACKOFF_BASE_MS = 500;
var BACKOFF_CAP_MS = 8e3;
var JITTER = 0.1;
var IDEMPOTENT = /^(GET|HEAD|OPTIONS|PUT|DELETE)$/;
function serverDelaySeconds(headers, now) {
  const retryAfter = headers.get("Retry-After")?.trim();
  if (retryAfter) {
    if (/^\d+$/.test(retryAfter)) return Number(retryAfter);
    const at = Date.parse(retryAfter);
    if (!Number.isNaN(at)) return Math.max(0, Math.ceil((at - now) / 1e3));
  }
  const t = /(?:^|[;,\s])t=(\d+)/.exec(headers.get("RateLimit") ?? "");
  return t ? Number(t[1]) : null;
}
function retryDelayMs(a) {
  if (a.retries >= a.maxRetries) return null;
  const idempotent = IDEMPOTENT.test(a.method.toUpperCase());
  if (a.status === 429 || a.status === 503) {
    if (a.serverDelay !== null) {
      const ms = a.serverDelay * 1e3;
      if (ms > a.maxRetryDelayMs) return null;
      return Math.min(a.maxRetryDelayMs, ms * (1 + JITTER * a.random()));
    }
    return a.status === 429 || idempotent ? backoffMs(a) : null;
  }
  return a.status === null && idempotent ? backoffMs(a) : null;
}
var backoffMs = (a) => a.random() * Math.min(BACKOFF_CAP_MS, a.maxRetryDelayMs, BACKOFF_BASE_MS * 2 ** a.retries);

// src/transport.ts
async function send(rt, url, options, observe) {
  const { method, signal } = options;
  const headers = { Accept: "application/json", ...options.headers };
  if (options.body !== void 0) headers["Content-Type"] = "application/json";
  const init = {
    method,
    headers,
    body: options.body === void 0 ? void 0 : JSON.stringify(options.body),
    signal
  };
  const policy = {
    method,
    maxRetries: options.maxRetries ?? DEFAULT_MAX_RETRIES,
    maxRetryDelayMs: options.maxRetryDelayMs ?? DEFAULT_MAX_RETRY_DELAY_MS,
    random: rt.random
  };
  for (let retries = 0; ; retries++) {
    let res;
    try {
      res = await rt.fetch(url, init);
    } catch (error) {
      if (signal?.aborted) throw signal.reason ?? error;
      const wait2 = retryDelayMs({ ...policy, retries, status: null, serverDelay: null });
      if (wait2 === null) {
        throw new NafsiError({
          code: "network_error",
          message: `${method} ${url} failed before an answer arrived: ${error?.message ?? error}`,
          cause: error
        });
      }
      await rt.sleep(wait2, signal);
      continue;
    }
    observe?.(res);
    if (res.ok) return readBody(res);
    const serverDelay = serverDelaySeconds(res.headers, rt.now());
    const wait = retryDelayMs({ ...policy, retries, status: res.status, serverDelay });
    if (wait === null) throw await errorFrom(res, serverDelay);
    await res.body?.cancel();
    await rt.sleep(wait, signal);
  }
}
async function readBody(res) {
  const text = await res.text();
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
async function errorFrom(res, serverDelay) {
  const body = await readBody(res).catch(() => null);
  const error = typeof body === "object" && body?.error && typeof body.error.code === "string" ? body.error : null;
  return new NafsiError({
    status: res.status,
    code: error?.code ?? `http_${res.status}`,
    message: error?.message ?? `HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ""}`,
    requestId: res.headers.get("X-Request-Id") ?? error?.request_id ?? null,
    retryAfter: serverDelay ?? error?.retry_after ?? null,
    details: error?.details
  });
}

// src/nafsi.ts
var Nafsi = class _Nafsi {
  /** From the last answer's rate-limit headers; null before the first answer or when it had none. */
  rateLimit = null;
  #baseUrl;
  #credentials;
  #defaults;
  #rt;
  constructor(options, credentials) {
    this.#baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.#credentials = credentials;
    this.#defaults = { maxRetries: options.maxRetries, maxRetryDelayMs: options.maxRetryDelayMs };
    this.#rt = runtimeFrom(options);
  }
  static init(options) {
    const { clientId, workflowId, clientSecret, baseUrl } = options ?? {};
    if (clientSecret !== void 0 && typeof document !== "undefined") {
      throw new NafsiError({
        code: "secret_in_browser",
        message: "A client secret must never reach a browser, where every visitor can read it. Use a workflow ID (Nafsi.init({clientId, workflowId, baseUrl})) and keep the secret on your server."
      });
    }
    if (!clientId || !baseUrl || workflowId === void 0 === (clientSecret === void 0)) {
      throw new NafsiError({
        code: "invalid_options",
        message: "Nafsi.init needs clientId, baseUrl and exactly one of workflowId (browsers) or clientSecret (servers)."
      });
    }
    return new _Nafsi(
      options,
      workflowId === void 0 ? { "X-Client-ID": clientId, "X-Client-Secret": clientSecret } : { "X-Client-ID": clientId, "X-Workflow-ID": workflowId }
    );
  }
  /** Calls `path` (e.g. "/v1/verify") on the gateway; resolves with the parsed JSON of a 2xx answer. */
  request(path, options = {}) {
    const url = this.#baseUrl + (path.startsWith("/") ? path : `/${path}`);
    return send(
      this.#rt,
      url,
      {
        maxRetries: options.maxRetries ?? this.#defaults.maxRetries,
        maxRetryDelayMs: options.maxRetryDelayMs ?? this.#defaults.maxRetryDelayMs,
        method: (options.method ?? "GET").toUpperCase(),
        headers: { ...options.headers, ...this.#credentials },
        body: options.body,
        signal: options.signal
      },
      (res) => {
        this.rateLimit = rateLimitFrom(res.headers);
      }
    );
  }
};
function rateLimitFrom(headers) {
  const limit = headers.get("X-RateLimit-Limit");
  const remaining = headers.get("X-RateLimit-Remaining");
  const reset = headers.get("X-RateLimit-Reset");
  if (limit === null || remaining === null || reset === null) return null;
  return { limit: Number(limit), remaining: Number(remaining), reset: Number(reset) };
}

// src/admin.ts
var NafsiAdmin = class {
  #baseUrl;
  #token;
  #retry;
  #rt;
  constructor(options) {
    this.#baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.#token = options.token;
    this.#retry = { maxRetries: options.maxRetries, maxRetryDelayMs: options.maxRetryDelayMs };
    this.#rt = runtimeFrom(options);
  }
  clients = {
    create: (body) => this.#call("POST /admin/clients", {}, body),
    list: (query = {}) => this.#list("GET /admin/clients", "clients", query),
    get: (clientId) => this.#call("GET /admin/clients/{client_id}", { client_id: clientId }),
    update: (clientId, body) => this.#call("PATCH /admin/clients/{client_id}", { client_id: clientId }, body),
    regenerateSecret: (clientId, body = {}) => this.#call("POST /admin/clients/{client_id}/regenerate-secret", { client_id: clientId }, body),
    revoke: (clientId) => this.#call("POST /admin/clients/{client_id}/revoke", { client_id: clientId })
  };
  workflows = {
    create: (body) => this.#call("POST /admin/workflows", {}, body),
    list: (query = {}) => this.#list("GET /admin/workflows", "workflows", query),
    get: (workflowId) => this.#call("GET /admin/workflows/{workflow_id}", { workflow_id: workflowId }),
    update: (workflowId, body) => this.#call("PATCH /admin/workflows/{workflow_id}", { workflow_id: workflowId }, body)
  };
  alerts = {
    list: (query = {}) => this.#list("GET /admin/alerts", "alerts", query)
  };
  auditLog = {
    list: (query = {}) => this.#list("GET /admin/audit-log", "entries", query)
  };
  tokens = {
    create: (body) => this.#call("POST /admin/tokens", {}, body),
    list: (query = {}) => this.#list("GET /admin/tokens", "tokens", query),
    get: (tokenId) => this.#call("GET /admin/tokens/{token_id}", { token_id: tokenId }),
    revoke: (tokenId) => this.#call("POST /admin/tokens/{token_id}/revoke", { token_id: tokenId })
  };
  usage(clientId, query = {}) {
    return this.#call("GET /admin/clients/{client_id}/usage", { client_id: clientId }, void 0, query);
  }
  me() {
    return this.#call("GET /admin/me");
  }
  #call(key, params = {}, body, query = {}) {
    const [method, template] = key.split(" ");
    const path = template.replace(/\{(\w+)\}/g, (_, name) => encodeURIComponent(params[name] ?? ""));
    const search = new URLSearchParams();
    for (const [name, value] of Object.entries(query)) if (value !== void 0) search.set(name, String(value));
    const qs = search.toString();
    return send(this.#rt, this.#baseUrl + path + (qs ? `?${qs}` : ""), {
      ...this.#retry,
      method,
      headers: { Authorization: `Bearer ${this.#token}` },
      body
    });
  }
  async *#list(key, field, query) {
    let cursor;
    do {
      const page = await this.#call(key, {}, void 0, { ...query, cursor });
      yield* page[field];
      cursor = page.next_cursor ?? void 0;
    } while (cursor);
  }
};

// src/webhook.ts
var encoder = new TextEncoder();
async function verifyWebhook(rawBody, signatureHeader, secret, options = {}) {
  const body = typeof rawBody === "string" ? rawBody : new TextDecoder().decode(rawBody);
  let timestamp;
  const signatures = [];
  for (const part of (signatureHeader ?? "").split(",")) {
    const [key2, value = ""] = part.trim().split("=", 2);
    if (key2 === "t" && /^\d+$/.test(value)) timestamp = value;
    else if (key2 === "v1" && /^[0-9a-f]{64}$/i.test(value)) signatures.push(hexBytes(value));
  }
  if (timestamp === void 0 || signatures.length === 0) throw invalid("The signature header is missing or malformed.");
  const tolerance = options.toleranceSeconds ?? 300;
  const now = (options.now ?? Date.now)() / 1e3;
  if (Math.abs(now - Number(timestamp)) > tolerance) throw invalid("The signature's timestamp is outside the tolerance.");
  const key = await crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, [
    "verify"
  ]);
  const signed = encoder.encode(`${timestamp}.${body}`);
  for (const signature of signatures) {
    if (await crypto.subtle.verify("HMAC", key, signature, signed)) {
      try {
        return JSON.parse(body);
      } catch {
        throw invalid("The signed body is not JSON.");
      }
    }
  }
  throw invalid("The signature does not match the body.");
}
var invalid = (message) => new NafsiError({ code: "invalid_signature", message });
function hexBytes(hex) {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}
export {
  Nafsi,
  NafsiAdmin,
  NafsiError,
  verifyWebhook
};
