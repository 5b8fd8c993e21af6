// Debian's Chromium driven by playwright-core (no browser download), plus an in-page axe-core check.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { chromium, type Browser, type Page } from "playwright-core";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

let axeSource: string | undefined;
function axeScript() {
  axeSource ??= readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
  return axeSource;
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

/**
 * Runs axe-core in the page as it is now and returns its serious and critical violations.
 * axe is injected with addScriptTag({content}); on a page whose CSP forbids inline script (the
 * console's) that tag is blocked, so the same source is then evaluated through the DevTools
 * protocol, which a page's CSP does not govern. The page's own CSP stays enforced throughout.
 */
export async function seriousA11yViolations(page: Page): Promise<AxeViolation[]> {
  if (!(await hasAxe(page))) await page.addScriptTag({ content: axeScript() }).catch(() => undefined);
  if (!(await hasAxe(page))) await page.evaluate(axeScript());
  const violations = await page.evaluate(async () => {
    const axe = (globalThis as any).axe;
    const result = await axe.run(document, { resultTypes: ["violations"] });
    return result.violations.map((v: any) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n: any) => n.target.join(" ")),
    }));
  });
  return (violations as AxeViolation[]).filter((v) => v.impact === "serious" || v.impact === "critical");
}

function hasAxe(page: Page) {
  return page.evaluate(() => typeof (globalThis as { axe?: unknown }).axe !== "undefined");
}
