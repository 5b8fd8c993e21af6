/**
 * A bounded map that forgets the least recently used entry first: the edge's per-isolate memory
 * (tag checks, verified tokens, held KV values, known-wrong secrets) must not grow with junk.
 * Not lru-cache: its value type excludes null (`V extends {}`), and these memos store null for "not ours".
 */
export class Lru<K, V> {
  private readonly map = new Map<K, V>();

  constructor(private readonly max: number) {}

  get size(): number {
    return this.map.size;
  }

  has(key: K): boolean {
    return this.map.has(key);
  }

  /** The value (and it becomes the most recently used), or undefined. */
  get(key: K): V | undefined {
    if (!this.map.has(key)) return undefined;
    const value = this.map.get(key)!;
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
