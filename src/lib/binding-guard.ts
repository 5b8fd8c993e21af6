/**
 * The Worker's one boundary with its bindings. Every call to a binding named below (and to what it
 * hands back: a D1 statement or session, a Durable Object stub) either settles within the
 * binding's deadline or fails; either way a failure leaves as 503 `service_unavailable` with
 * Retry-After, never as a 500 and never as a request held open until the runtime cuts it. Routes
 * need no handling of their own: the data plane already fails closed on any error of its one
 * authority call (never admitting what it could not verify), and an admin change whose call failed
 * either happened entirely or not at all (each is one D1 batch in the client's object).
 *
 * A binding call that ran past its deadline may still finish afterwards: a 503 from a management
 * call says "not confirmed", and reading the object back says what happened.
 */
import { withDeadline } from "./deadline";
import { ApiError } from "./errors";
import { describeError, log } from "./log";

/**
 * How long one call to each binding may take, in ms. Generous: each is far above what a healthy
 * call takes, since giving up early turns a slow answer into a refused request.
 * - DB (D1): a read or a batch is milliseconds to a few hundred at the primary; D1 itself stops a
 *   query after 30 s. 10 s leaves room for a cold or busy database and still answers the caller
 *   well before the runtime would.
 * - TOKEN_CACHE (KV): a read is milliseconds when hot and rarely a second when cold; a write a few
 *   hundred. Only a cache in front of D1, so 5 s.
 * - CLIENT_AUTHORITY (the client's Durable Object): an admit is a few ms plus the round trip to a
 *   far-away object (hundreds of ms); a management change includes the object's own D1 batch.
 *   10 s: above both, below the 30 s the runtime lets an object block (blockConcurrencyWhile) and
 *   the 30 s a leader's waitUntil carries its followers (src/edge/coalesce.ts).
 * - ASSETS (the console's files): served from the edge's cache; 10 s.
 * - WEBHOOK_DELIVERIES (the webhook delivery Queue's producer): a send is acknowledged once the
 *   message is durably stored, typically tens of ms; 5 s, as for KV.
 * A new binding (e.g. a Queue) gets its row here, and with it the same deadline and 503.
 */
export const BINDING_DEADLINES_MS: Readonly<Record<string, number>> = {
  DB: 10_000,
  TOKEN_CACHE: 5_000,
  CLIENT_AUTHORITY: 10_000,
  ASSETS: 10_000,
  WEBHOOK_DELIVERIES: 5_000,
};

/** The deadlines in force: tests shorten them (they never sleep for a production deadline). */
export const bindingDeadlines: { current: Readonly<Record<string, number>> } = { current: BINDING_DEADLINES_MS };

export const bindingUnavailable = () =>
  new ApiError("service_unavailable", "A service the gateway depends on is not answering; retry shortly.", {
    headers: { "Retry-After": "1" },
  });

function unavailable(binding: string, method: string, err: unknown): ApiError {
  log("error", "binding_unavailable", { binding, method, ...describeError(err) });
  return bindingUnavailable();
}

/**
 * A guarded object's platform original, read through the proxy itself: D1's batch takes its own
 * statements, so what goes back into a binding is unwrapped. A symbol read on the proxy rather than
 * a WeakMap from proxy to target: a stub is guarded on every data-plane request, and registering
 * each one in a WeakMap was a measurable share of the guard's cost.
 */
const TARGET = Symbol("guarded binding target");

const unguardOne = (value: unknown): unknown =>
  (value !== null && typeof value === "object" && (value as { [TARGET]?: object })[TARGET]) || value;

const unguard = (value: unknown): unknown => (Array.isArray(value) ? value.map(unguardOne) : unguardOne(value));

const isThenable = (value: unknown): value is PromiseLike<unknown> =>
  value !== null &&
  (typeof value === "object" || typeof value === "function") &&
  typeof (value as { then?: unknown }).then === "function";

/**
 * The proxy handler of one binding, made once: every object of that binding (the namespace, each
 * stub, each statement) shares it, so guarding a stub allocates only the Proxy.
 */
function handlerFor(binding: string): ProxyHandler<object> {
  return {
    get(t, prop) {
      if (prop === TARGET) return t;
      const value: unknown = Reflect.get(t, prop);
      if (typeof value !== "function" || typeof prop !== "string") return value;
      return (...args: unknown[]) => {
        let result: unknown;
        try {
          result = Reflect.apply(value, t, args.map(unguard));
        } catch (err) {
          throw unavailable(binding, prop, err);
        }
        if (isThenable(result)) {
          const deadline = bindingDeadlines.current[binding] ?? BINDING_DEADLINES_MS[binding]!;
          return withDeadline(result, deadline, `${binding}.${prop}`, (err) => unavailable(binding, prop, err));
        }
        return result !== null && typeof result === "object" ? guard(result, binding) : result;
      };
    },
  };
}

const handlers = new Map<string, ProxyHandler<object>>();

/**
 * `target` whose every method call is guarded: a promise gets the binding's deadline, a throw or
 * rejection becomes the 503, and an object handed back (a statement, a stub) is guarded in turn.
 * Methods run on the platform object itself (bindings are native objects that refuse a Proxy as
 * `this`). A Durable Object stub has no `then`, so a stub is never awaited by mistake.
 */
function guard<T extends object>(target: T, binding: string): T {
  let handler = handlers.get(binding);
  if (!handler) handlers.set(binding, (handler = handlerFor(binding)));
  return new Proxy(target, handler) as T;
}

const guardedEnvs = new WeakMap<object, Env>();

/**
 * `env` with each binding of BINDING_DEADLINES_MS guarded. The same object for the same `env`
 * every time: the edge keys per-isolate state (coalesced calls, queued completions, held tokens)
 * on the env and its bindings.
 */
export function guardBindings(env: Env): Env {
  let guarded = guardedEnvs.get(env);
  if (!guarded) {
    const bindings: Record<string, unknown> = {};
    for (const name of Object.keys(BINDING_DEADLINES_MS)) {
      const binding: unknown = Reflect.get(env, name);
      if (binding !== null && typeof binding === "object") bindings[name] = guard(binding, name);
    }
    guarded = { ...env, ...bindings } as Env;
    guardedEnvs.set(env, guarded);
    guardedEnvs.set(guarded, guarded);
  }
  return guarded;
}
