import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import { launchBrowser, seriousA11yViolations } from "./support/browser";
import { adminApi, gateway } from "./support/shared";

describe("e2e harness", () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("serves the real Worker with local D1 migrated and the admin token it was given", async () => {
    const { baseUrl } = gateway();
    const health = await fetch(`${baseUrl}/healthz`);
    expect(await health.json()).toEqual({ status: "ok" });
    const refused = await fetch(`${baseUrl}/admin/clients`, { headers: { authorization: "Bearer wrong" } });
    expect(refused.status).toBe(401);
    const { clients } = await adminApi<{ clients: unknown[] }>("/admin/clients");
    expect(Array.isArray(clients)).toBe(true);
  });

  it("drives Chromium and finds a serious accessibility violation that is there", async () => {
    const page = await browser.newPage();
    await page.setContent('<html lang="en"><body><main><img src="x.png"></main></body></html>');
    const violations = await seriousA11yViolations(page);
    expect(violations.map((v) => v.id)).toContain("image-alt");
    await page.close();
  });
});
