/**
 * A bounded map that forgets the least recently used entry first: the edge's per-isolate memory
 * (tag checks, verified tokens, held KV values, known-wrong secrets) must not grow with junk.
 * Not lru-cache: its value type excludes null (`V extends {}`), and these memos store null for "not ours".
 */
export class Lru<K, V extends NonNullable<unknown> | null> {
  private readonly map = new Map<K, V>();

  constructor(private readonly max: number) {}

  get size(): number {
    return this.map.size;
  }

  has(key: K): boolean {
    return this.map.has(key);
  }

  /**
   * The value (and it becomes the most recently used), or undefined. No value is undefined (the
   * type says so), so one lookup tells a miss: this runs several times on every data-plane request.
   */
  get(key: K): V | undefined {
    const value = this.map.get(key);
    if (value === undefined) return undefined;
    this.map.delete(key);
    this.map.set(key, value);
    return value;
  }

  set(key: K, value: V): V {
    this.map.delete(key);
    if (this.map.size >= this.max) this.map.delete(this.map.keys().next().value!);
    this.map.set(key, value);
    return value;
  }

  delete(key: K): void {
    this.map.delete(key);
  }
}
