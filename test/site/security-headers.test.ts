/**
 * /docs, its stylesheet and /openapi.json carry the console's security headers (contract "Admin
 * console": "`/docs` is served with the same headers"), and the page needs nothing those headers
 * forbid: no inline script or style, nothing from another origin.
 */
import { describe, expect, it } from "vitest";
import { call } from "../support/helpers";

const HEADERS = [
  "Content-Security-Policy",
  "X-Content-Type-Options",
  "Referrer-Policy",
  "X-Frame-Options",
  "Cache-Control",
];

describe("the console's security headers on /docs and /openapi.json", () => {
  it.each(["/docs", "/docs.css", "/openapi.json"])("%s sends each header exactly as /console does", async (path) => {
    const consolePage = await call("/console");
    const res = await call(path);
    expect(res.status).toBe(200);
    for (const name of HEADERS) {
      expect(consolePage.headers.get(name), name).toBeTruthy();
      expect(res.headers.get(name), `${path} ${name}`).toBe(consolePage.headers.get(name));
    }
    const csp = res.headers.get("Content-Security-Policy")!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
  });

  it("the page works under them: no inline style or script, its stylesheet from this origin", async () => {
    const page = await (await call("/docs")).text();
    expect(page).not.toMatch(/<style|<script|\sstyle=|\son\w+=/i);
    const sheets = [...page.matchAll(/<link rel="stylesheet" href="([^"]+)"/g)].map((m) => m[1]);
    expect(sheets).toEqual(["/docs.css"]);
    const css = await call("/docs.css");
    expect(css.headers.get("Content-Type")).toMatch(/^text\/css/);
    expect(await css.text()).toContain("font:");
  });
});
