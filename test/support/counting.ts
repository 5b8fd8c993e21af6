/** Bindings that count their calls, so that "touches no storage" is measured, not assumed. */
export type Calls = Record<string, number>;

/** A binding whose every method call is counted under `name.method`. */
export function counted<T extends object>(binding: T, name: string, calls: Calls): T {
  return new Proxy(binding, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        const key = `${name}.${String(prop)}`;
        calls[key] = (calls[key] ?? 0) + 1;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

/** Not calls: promise resolution probes a stub's `then`, and `dup` only copies the stub. */
const NOT_CALLS = new Set(["then", "dup"]);

/**
 * A Durable Object namespace whose stubs count each method called on them, under `name.method`
 * (e.g. `DO.admitBatch`): which calls reached objects, not merely which stubs were made.
 */
export function countedStubs<T extends object>(namespace: T, name: string, calls: Calls): T {
  const countStub = (stub: object) =>
    new Proxy(stub, {
      get(target, prop) {
        const value: unknown = Reflect.get(target, prop);
        if (typeof prop !== "string" || typeof value !== "function" || NOT_CALLS.has(prop)) return value;
        return (...args: unknown[]) => {
          const key = `${name}.${prop}`;
          calls[key] = (calls[key] ?? 0) + 1;
          return Reflect.apply(value, target, args);
        };
      },
    });
  return new Proxy(namespace, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop);
      if (typeof value !== "function") return value;
      if (prop === "getByName" || prop === "get")
        return (...args: unknown[]) => countStub(Reflect.apply(value, target, args) as object);
      return value.bind(target);
    },
  });
}

/**
 * Counts the rows the object's SQLite storage writes from now on, as Cloudflare bills them (each
 * cursor's `rowsWritten`, read once the cursor is done). Returns a reader of the total so far.
 */
export function countRowsWritten(sql: SqlStorage): () => number {
  const cursors: { rowsWritten: number }[] = [];
  const exec = sql.exec.bind(sql);
  Object.defineProperty(sql, "exec", {
    configurable: true,
    value: (query: string, ...bindings: unknown[]) => {
      const cursor = exec(query, ...bindings);
      cursors.push(cursor);
      return cursor;
    },
  });
  return () => cursors.reduce((sum, c) => sum + c.rowsWritten, 0);
}
