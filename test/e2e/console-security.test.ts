import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import { launchBrowser } from "./support/browser";
import { expectAccessible, expectNoHorizontalScroll, openConsole, signIn } from "./support/console";
import { gateway } from "./support/shared";

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

describe("console: how it is served", () => {
  it("sends a CSP with scripts from itself only, no framing, nosniff and no referrer", async () => {
    const res = await fetch(`${gateway().baseUrl}/console`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    const csp = res.headers.get("content-security-policy") ?? "";
    const directives = Object.fromEntries(
      csp.split(";").map((d) => {
        const [name, ...values] = d.trim().split(/\s+/);
        return [name, values];
      }),
    );
    expect(directives["script-src"]).toEqual(["'self'"]);
    expect(directives["frame-ancestors"]).toEqual(["'none'"]);
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|wasm-unsafe-eval|https?:/);
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("referrer-policy")).toBe("no-referrer");
    expect(res.headers.get("set-cookie")).toBeNull();
  });

  it("has no inline script, no inline handler and nothing from another origin in its HTML", async () => {
    const html = await (await fetch(`${gateway().baseUrl}/console`)).text();
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attributes, body] of scripts) {
      expect(attributes).toMatch(/\bsrc="\/console\/[^"]+"/);
      expect(body!.trim()).toBe("");
    }
    expect(html).not.toMatch(/\son[a-z]+=/i);
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//i);
  });

  it("serves its script and stylesheet with their types and the same headers", async () => {
    for (const [file, type] of [
      ["app.js", /^text\/javascript/],
      ["app.css", /^text\/css/],
    ] as const) {
      const res = await fetch(`${gateway().baseUrl}/console/${file}`);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toMatch(type);
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
      await res.arrayBuffer();
    }
    const missing = await fetch(`${gateway().baseUrl}/console/nope.js`);
    expect(missing.status).toBe(404);
    expect((await missing.json()).error.code).toBe("not_found");
  });

  it("runs under its own CSP without a single violation or script error", async () => {
    const { context, page, scriptErrors } = await openConsole(browser);
    await signIn(page);
    await page.getByRole("heading", { name: "Overview", level: 1 }).waitFor();
    expect(scriptErrors).toEqual([]);
    await context.close();
  });
});

describe("console: signing in and out", () => {
  it("refuses a wrong token with the API's message and stays on the sign-in form", async () => {
    const { context, page } = await openConsole(browser);
    await page.getByLabel("Admin token").fill("nafsi_admin_not-the-right-one");
    await page.getByRole("button", { name: "Sign in" }).click();
    const alert = page.getByRole("alert");
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/valid admin bearer token/i);
    expect(await page.getByLabel("Admin token").isVisible()).toBe(true);
    expect(await page.getByRole("navigation").count()).toBe(0);
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
    await context.close();
  });

  it("keeps the token in sessionStorage only, shows every section, and forgets it on Sign out", async () => {
    const { context, page } = await openConsole(browser);
    await signIn(page);
    const nav = page.getByRole("navigation", { name: "Main" });
    for (const name of [
      "Overview",
      "Clients",
      "Workflows",
      "Alerts",
      "Webhooks",
      "Audit log",
      "Admin tokens",
      "Organizations",
    ]) {
      expect(await nav.getByRole("link", { name, exact: true }).isVisible()).toBe(true);
    }
    const storage = await page.evaluate(() => ({
      session: Object.values(sessionStorage),
      local: localStorage.length,
      cookie: document.cookie,
    }));
    expect(storage).toEqual({ session: [gateway().adminToken], local: 0, cookie: "" });
    expect(await context.cookies()).toEqual([]);

    // A reload in the same tab stays signed in.
    await page.reload();
    await page.getByRole("button", { name: "Sign out" }).waitFor();

    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByLabel("Admin token").waitFor();
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
    await page.reload();
    await page.getByLabel("Admin token").waitFor();
    await context.close();
  });

  it("can be used by keyboard alone: sign in, open a dialog, close it with Escape", async () => {
    const { context, page } = await openConsole(browser);
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.getAttribute("name"))).toBe("token");
    await page.keyboard.type(gateway().adminToken);
    await page.keyboard.press("Enter");
    await page.getByRole("button", { name: "Sign out" }).waitFor();
    await page.getByRole("heading", { name: "Overview", level: 1 }).waitFor();

    const clients = page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Clients" });
    await clients.focus();
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { name: "Clients", level: 1 }).waitFor();
    const create = page.getByRole("button", { name: "Create New Client" });
    await create.focus();
    await page.keyboard.press("Enter");
    const dialog = page.getByRole("dialog", { name: "Create New Client" });
    await dialog.waitFor();
    expect(await page.evaluate(() => document.activeElement?.getAttribute("name"))).toBe("name");
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "detached" });
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Create New Client");
    await context.close();
  });

  it("sign-in page: accessible and no horizontal scroll at 375 px", async () => {
    const { context, page } = await openConsole(browser, { width: 375, height: 740 });
    await page.getByLabel("Admin token").waitFor();
    await expectAccessible(page);
    await expectNoHorizontalScroll(page);
    await context.close();
  });
});
