import { describe, expect, it } from "vitest";
import { call } from "../support/helpers";

describe("GET /sdk/nafsi.js", () => {
  it("serves the SDK's script-tag build with a long cache lifetime and an ETag", async () => {
    const res = await call("/sdk/nafsi.js");
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toBe("text/javascript; charset=utf-8");
    expect(res.headers.get("Cache-Control")).toMatch(/^public, max-age=\d{5,}/);
    expect(res.headers.get("ETag")).toMatch(/^"[\w-]{16,}"$/);
    expect(res.headers.get("X-Request-Id")).toBeTruthy();
    const script = await res.text();
    // The IIFE that defines window.Nafsi with Nafsi.init.
    expect(script).toContain("globalThis.Nafsi=");
    expect(script).toContain("secret_in_browser");
    expect(script.length).toBeGreaterThan(1000);
  });

  it("answers 304 without a body when If-None-Match names the current ETag (also weak, in a list, or *)", async () => {
    const etag = (await call("/sdk/nafsi.js")).headers.get("ETag")!;
    for (const ifNoneMatch of [etag, `W/${etag}`, `"other", ${etag}`, "*"]) {
      const res = await call("/sdk/nafsi.js", { headers: { "If-None-Match": ifNoneMatch } });
      expect(res.status).toBe(304);
      expect(res.headers.get("ETag")).toBe(etag);
      expect(res.headers.get("Cache-Control")).toMatch(/max-age/);
      expect(await res.text()).toBe("");
    }
  });

  it("serves the script again when the browser's copy is outdated", async () => {
    const res = await call("/sdk/nafsi.js", { headers: { "If-None-Match": '"an-older-build"' } });
    expect(res.status).toBe(200);
    expect((await res.text()).length).toBeGreaterThan(1000);
  });

  it("answers HEAD without a body", async () => {
    const res = await call("/sdk/nafsi.js", { method: "HEAD" });
    expect(res.status).toBe(200);
    expect(res.headers.get("ETag")).toBeTruthy();
    expect(await res.text()).toBe("");
  });
});
