/**
 * Counts the storage work the bench Worker causes, as Cloudflare bills it, without touching the
 * gateway's code: rows read and written in each Durable Object's SQLite storage (the SQL API's
 * cursors report them; the key-value API and alarms, which the peer uses, are counted per key as
 * the SQLite backend bills them), D1 rows read and written (from each result's `meta`), and KV
 * reads and writes.
 *
 * Work inside an object is counted per object (its ID), because much of it is deferred: a
 * client's object flushes its usage to D1 seconds after the scenario that caused it, so the run
 * attributes each object's whole work to the scenario whose clients it serves. Work done by the
 * Worker itself (KV and D1 on the edge) is counted under EDGE and read per scenario, like the
 * Durable Object calls. Counts live in this module, so per isolate; locally the Worker and its
 * objects run in one.
 */
export interface StorageCounts {
  sql_rows_read: number;
  sql_rows_written: number;
  /** Key-value API and alarm operations of a SQLite-backed object, billed as rows. */
  kv_api_rows_read: number;
  kv_api_rows_written: number;
  d1_rows_read: number;
  d1_rows_written: number;
  kv_reads: number;
  /** Writes, deletes and lists: KV prices them alike. */
  kv_writes: number;
}

export const EDGE = "edge";

const zero = (): StorageCounts => ({
  sql_rows_read: 0,
  sql_rows_written: 0,
  kv_api_rows_read: 0,
  kv_api_rows_written: 0,
  d1_rows_read: 0,
  d1_rows_written: 0,
  kv_reads: 0,
  kv_writes: 0,
});

let byOwner = new Map<string, StorageCounts>();
/** SQL cursors not yet added up: their counts grow while they are iterated. */
let open: { owner: string; cursor: SqlStorageCursor<Record<string, SqlStorageValue>> }[] = [];

function countsOf(owner: string): StorageCounts {
  let counts = byOwner.get(owner);
  if (!counts) byOwner.set(owner, (counts = zero()));
  return counts;
}

/** Adds up the cursors opened so far (every caller iterates its cursor before the next exec). */
function settleCursors(): void {
  for (const { owner, cursor } of open) {
    const counts = countsOf(owner);
    counts.sql_rows_read += cursor.rowsRead;
    counts.sql_rows_written += cursor.rowsWritten;
  }
  open = [];
}

/** Everything counted since the last reset, by owner (an object's ID, or EDGE). */
export function readStorage(): Record<string, StorageCounts> {
  settleCursors();
  return Object.fromEntries(byOwner);
}

/** Starts counting afresh, for the owners named (EDGE alone between scenarios), or for all. */
export function resetStorage(owners?: readonly string[]): void {
  settleCursors();
  if (owners) for (const owner of owners) byOwner.delete(owner);
  else byOwner = new Map();
}

/** Binds a binding's own methods to it, so that a proxy passes calls on unchanged. */
function passThrough<T extends object>(target: T, prop: string | symbol): unknown {
  const value: unknown = Reflect.get(target, prop);
  return typeof value === "function" ? value.bind(target) : value;
}

const keysIn = (keys: unknown): number =>
  Array.isArray(keys)
    ? keys.length
    : keys instanceof Map
      ? keys.size
      : typeof keys === "object" && keys
        ? Object.keys(keys).length
        : 1;

function countingSql(sql: SqlStorage, owner: string): SqlStorage {
  return new Proxy(sql, {
    get(target, prop) {
      if (prop !== "exec") return passThrough(target, prop);
      return (query: string, ...bindings: unknown[]) => {
        settleCursors();
        const cursor = target.exec(query, ...bindings);
        // Miniflare's own bookkeeping of object names: local only, never billed.
        if (!query.includes("__miniflare")) open.push({ owner, cursor });
        return cursor;
      };
    },
  });
}

/** A SQLite-backed object's storage: SQL through its cursors, the key-value API and alarms per key. */
function countingObjectStorage(storage: DurableObjectStorage, owner: string): DurableObjectStorage {
  const counts = () => countsOf(owner);
  let sql: SqlStorage | undefined;
  return new Proxy(storage, {
    get(target, prop) {
      switch (prop) {
        case "sql":
          return (sql ??= countingSql(target.sql, owner));
        case "get":
          return (keys: string | string[], ...rest: unknown[]) => {
            counts().kv_api_rows_read += keysIn(keys);
            return Reflect.apply(target.get, target, [keys, ...rest]);
          };
        case "put":
        case "delete":
          return (keys: unknown, ...rest: unknown[]) => {
            counts().kv_api_rows_written += keysIn(keys);
            return Reflect.apply(target[prop] as (...a: unknown[]) => unknown, target, [keys, ...rest]);
          };
        case "setAlarm":
        case "deleteAlarm":
          return (...args: unknown[]) => {
            counts().kv_api_rows_written += 1;
            return Reflect.apply(target[prop] as (...a: unknown[]) => unknown, target, args);
          };
        default:
          return passThrough(target, prop);
      }
    },
  });
}

/**
 * Gives an object's state counting storage, in place: the runtime's DurableObject constructor
 * takes only a real DurableObjectState ("constructor parameter 1 is not of type
 * 'DurableObjectState'" for a proxy), so `storage` is shadowed on the state itself. Its ID names
 * the object in the counts.
 */
export function countingState(ctx: DurableObjectState, label: string): DurableObjectState {
  const owner = `${label}:${ctx.id.toString()}`;
  Object.defineProperty(ctx, "storage", { value: countingObjectStorage(ctx.storage, owner), configurable: true });
  return ctx;
}

/** D1 with its rows counted: `run`, `all` and `batch` report them; `first` and `raw` do not (see below). */
export function countingD1(db: D1Database, owner: string): D1Database {
  const counts = () => countsOf(owner);
  const add = (meta: D1Meta | undefined) => {
    counts().d1_rows_read += meta?.rows_read ?? 0;
    counts().d1_rows_written += meta?.rows_written ?? 0;
  };
  const real = new WeakMap<object, D1PreparedStatement>();
  const statement = (stmt: D1PreparedStatement): D1PreparedStatement => {
    const proxy = new Proxy(stmt, {
      get(target, prop) {
        switch (prop) {
          case "bind":
            return (...values: unknown[]) => statement(target.bind(...values));
          case "run":
          case "all":
            return async (...args: unknown[]) => {
              const result = (await Reflect.apply(target[prop], target, args)) as D1Result;
              add(result.meta);
              return result;
            };
          case "first":
          case "raw":
            // No meta: the rows returned are counted as read, a lower bound (D1 reads cost
            // $0.001 per million rows, so the bound moves no cost figure).
            return async (...args: unknown[]) => {
              const result: unknown = await Reflect.apply(target[prop], target, args);
              counts().d1_rows_read += Array.isArray(result) ? result.length : result == null ? 0 : 1;
              return result;
            };
          default:
            return passThrough(target, prop);
        }
      },
    });
    real.set(proxy, stmt);
    return proxy;
  };
  return new Proxy(db, {
    get(target, prop) {
      if (prop === "prepare") return (query: string) => statement(target.prepare(query));
      if (prop === "batch")
        return async (statements: D1PreparedStatement[]) => {
          const results = await target.batch(statements.map((s) => real.get(s) ?? s));
          for (const r of results) add(r.meta);
          return results;
        };
      return passThrough(target, prop);
    },
  });
}

/** KV with its operations counted per key, as KV bills them (a miss is a billed read too). */
export function countingKv(kv: KVNamespace, owner: string): KVNamespace {
  const counts = () => countsOf(owner);
  return new Proxy(kv, {
    get(target, prop) {
      switch (prop) {
        case "get":
        case "getWithMetadata":
          return (keys: unknown, ...rest: unknown[]) => {
            counts().kv_reads += keysIn(keys);
            return Reflect.apply(target[prop] as (...a: unknown[]) => unknown, target, [keys, ...rest]);
          };
        case "put":
        case "delete":
        case "list":
          return (...args: unknown[]) => {
            counts().kv_writes += 1;
            return Reflect.apply(target[prop] as (...a: unknown[]) => unknown, target, args);
          };
        default:
          return passThrough(target, prop);
      }
    },
  });
}
