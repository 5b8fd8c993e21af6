// Helpers for the console's end-to-end tests: a signed-in page, the data plane as a caller sees it,
// and the page-level checks (accessibility, width) every console page must pass.
import { mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, expect } from "vitest";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { launchBrowser, seriousA11yViolations } from "./browser";
import { adminApi, gateway } from "./shared";

export interface CreatedClient {
  client: { id: string; name: string; status: string; rate_limit: number; environment: string };
  client_secret: string;
}

export async function openConsole(browser: Browser, options: { width?: number; height?: number } = {}) {
  const { baseUrl } = gateway();
  const context: BrowserContext = await browser.newContext({
    baseURL: baseUrl,
    viewport: { width: options.width ?? 1280, height: options.height ?? 800 },
  });
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: baseUrl });
  const page = await context.newPage();
  const scriptErrors: string[] = [];
  page.on("pageerror", (error) => scriptErrors.push(error.message));
  page.on("console", (message) => {
    // A refused API call logs "Failed to load resource" by itself (e.g. /admin/me before admin
    // tokens exist); every other error, CSP violations included, counts.
    if (message.type() === "error" && !message.text().startsWith("Failed to load resource")) {
      scriptErrors.push(message.text());
    }
  });
  await page.goto("/console");
  return { context, page, scriptErrors };
}

export type OpenedConsole = Awaited<ReturnType<typeof openConsole>>;

/**
 * The hooks every console test file needs: one Chromium for the file and, for each test, a fresh
 * context on /console, signed in unless `signedIn: false`. `opened` is given each test's page (and
 * its script errors) before the file's own beforeEach hooks run, which run after these.
 */
export function consolePerTest(opened: (o: OpenedConsole) => void, { signedIn = true } = {}): void {
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });
  beforeEach(async () => {
    const o = await openConsole(browser!);
    context = o.context;
    opened(o);
    if (signedIn) await signIn(o.page);
  });
  afterEach(async () => {
    await context?.close();
  });
}

export async function signIn(page: Page, token = gateway().adminToken) {
  await page.getByLabel("Admin token").fill(token);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("button", { name: "Sign out" }).waitFor();
}

/** Follows a link of the main navigation and waits for its page's heading. */
export async function goTo(page: Page, link: string, heading = link) {
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: link, exact: true }).click();
  await page.getByRole("heading", { name: heading, level: 1 }).waitFor();
}

export function createClient(name: string, environment: "production" | "sandbox" = "production", rateLimit?: number) {
  return adminApi<CreatedClient>("/admin/clients", {
    body: { name, environment, ...(rateLimit ? { rate_limit: rateLimit } : {}) },
  });
}

/** POST /v1/verify as a backend caller (Node's fetch, not the browser). */
export async function callVerify(clientId: string, secret: string) {
  const res = await fetch(`${gateway().baseUrl}/v1/verify`, {
    method: "POST",
    headers: { "X-Client-ID": clientId, "X-Client-Secret": secret, "Content-Type": "application/json" },
    body: JSON.stringify({ document: "passport" }),
  });
  return { status: res.status, body: (await res.json()) as any };
}

export async function expectAccessible(page: Page) {
  const violations = await seriousA11yViolations(page);
  expect(violations, JSON.stringify(violations, null, 2)).toEqual([]);
}

export async function expectNoHorizontalScroll(page: Page) {
  const { scrollWidth, clientWidth } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    clientWidth: document.documentElement.clientWidth,
  }));
  expect(scrollWidth).toBeLessThanOrEqual(clientWidth);
}

/** The row of a table that mentions `text` (a unique name or ID). */
export const row = (page: Page, text: string) => page.getByRole("row").filter({ hasText: text });

export const uniqueName = (label: string) => `${label} ${Math.random().toString(36).slice(2, 8)}`;

/** Polls `check` until it returns a value (usage and alerts are flushed by the Durable Object). */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 50_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 1_000));
  }
}

/**
 * Where a test's screenshots go: docs/ with CONSOLE_SCREENSHOTS=1 (the README shows them), otherwise
 * a temp dir (they hold IDs and times, so a normal run must not rewrite committed files).
 */
export function screenshotPath(name: string): string {
  const dir =
    process.env.CONSOLE_SCREENSHOTS === "1"
      ? resolve(import.meta.dirname, "../../../docs")
      : join(tmpdir(), "nafsi-console-shots");
  mkdirSync(dir, { recursive: true });
  return join(dir, name);
}
