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
