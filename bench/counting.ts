/**
 * Counts the Durable Object calls the bench Worker makes, by binding and method, without touching
 * the gateway's code: its `env` is handed a namespace whose stubs count each method called on them
 * (`admit`, `complete`, `recordFailedAuth`, …) before passing the call on unchanged.
 *
 * Counts live in this module, so per isolate; locally the Worker runs in one. A call is counted
 * when it is made, whether or not it succeeds.
 */
type Counts = Record<string, Record<string, number>>;

let counts: Counts = {};
/**
 * Wall time of the counted calls, from the call to its answer, summed: an upper bound of the
 * objects' billed duration (overlapping calls to one object are billed once).
 */
let callMs = 0;
let setAside = new Set<string>();
/** Appended to the label of calls to set-aside objects (see resetCounts). */
export const SET_ASIDE = " (set aside)";

export const readCounts = (): Counts => counts;
export const readCallMs = (): number => callMs;

/** Starts counting afresh; calls to the objects named in `names` are counted under a label of their own. */
export function resetCounts(names: readonly string[] = []): void {
  counts = {};
  callMs = 0;
  setAside = new Set(names);
}

function count(label: string, method: string): void {
  const byMethod = (counts[label] ??= {});
  byMethod[method] = (byMethod[method] ?? 0) + 1;
}

/** Not calls: promise resolution probes a stub's `then`, and `dup` only copies the stub. */
const NOT_CALLS = new Set(["then", "dup"]);

function countingStub<T extends object>(stub: T, label: string): T {
  return new Proxy(stub, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop);
      if (typeof prop !== "string" || typeof value !== "function" || NOT_CALLS.has(prop)) return value;
      return (...args: unknown[]) => {
        count(label, prop);
        const started = Date.now();
        const answer: unknown = Reflect.apply(value, target, args);
        // The stub's own promise is returned unchanged; timing hangs off a branch of it.
        if (!label.endsWith(SET_ASIDE) && answer && typeof (answer as Promise<unknown>).then === "function") {
          const done = () => {
            callMs += Date.now() - started;
          };
          (answer as Promise<unknown>).then(done, done);
        }
        return answer;
      };
    },
  });
}

/** The namespace as the gateway sees it, with stubs that count; everything else passes through. */
export function countingNamespace<N extends object>(namespace: N, label: string): N {
  const labelFor = (name: string | undefined) => (name !== undefined && setAside.has(name) ? label + SET_ASIDE : label);
  return new Proxy(namespace, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop);
      if (typeof value !== "function") return value;
      if (prop === "getByName")
        return (name: string, ...rest: unknown[]) =>
          countingStub(Reflect.apply(value, target, [name, ...rest]) as object, labelFor(name));
      if (prop === "get")
        return (id: DurableObjectId, ...rest: unknown[]) =>
          countingStub(Reflect.apply(value, target, [id, ...rest]) as object, labelFor(id.name));
      return value.bind(target);
    },
  });
}

const countedEnvs = new WeakMap<object, object>();

/**
 * `env` with `binding` replaced by a counting namespace and the others named in `replaced` by the
 * wrappers given. The same object for the same `env`, every time: the gateway keys per-isolate
 * state (queued completions, remembered failures) on `env`.
 */
export function countingEnv<E extends object>(
  env: E,
  binding: keyof E & string,
  replaced: Partial<Record<keyof E & string, (value: never) => unknown>> = {},
): E {
  let counted = countedEnvs.get(env) as E | undefined;
  if (!counted) {
    const swaps = new Map<string | symbol, unknown>([[binding, countingNamespace(env[binding] as object, binding)]]);
    for (const [name, wrap] of Object.entries(replaced) as [keyof E & string, (value: never) => unknown][])
      swaps.set(name, wrap(env[name] as never));
    counted = new Proxy(env, {
      get: (target, prop) => (swaps.has(prop) ? swaps.get(prop) : Reflect.get(target, prop)),
    });
    countedEnvs.set(env, counted);
  }
  return counted;
}
