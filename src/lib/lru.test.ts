import { describe, expect, it } from "vitest";
import { Lru } from "./lru";

describe("Lru", () => {
  it("forgets the least recently used entry first, a read counting as a use", () => {
    const lru = new Lru<string, number | null>(2);
    lru.set("a", 1);
    lru.set("b", null);
    expect(lru.get("a")).toBe(1); // "b" is now the least recently used
    lru.set("c", 3);
    expect(lru.has("b")).toBe(false);
    expect(lru.get("a")).toBe(1);
    expect(lru.get("c")).toBe(3);
    expect(lru.size).toBe(2);
  });

  it("keeps null values apart from misses, and overwriting never grows it", () => {
    const lru = new Lru<string, string | null>(2);
    expect(lru.set("x", null)).toBeNull();
    expect(lru.has("x")).toBe(true);
    expect(lru.get("missing")).toBeUndefined();
    lru.set("x", "again");
    lru.set("x", "once more");
    expect(lru.size).toBe(1);
    lru.delete("x");
    expect(lru.has("x")).toBe(false);
  });
});
