// The console's Webhooks page (contract "Admin console", "Webhooks"), in Chromium, found by role and
// accessible name, against the real Worker and its local queue: a receiver on a loopback port gets
// the test events, verified with the reference `standardwebhooks` package and the secret the page
// showed once. The page's screenshot in docs/ is taken here (CONSOLE_SCREENSHOTS=1).
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Locator, Page } from "playwright-core";
import { NafsiError } from "@nafsi/sdk";
import {
  consolePerTest,
  eventually,
  expectAccessible,
  expectNoHorizontalScroll,
  goTo,
  row,
  screenshotPath,
  signIn,
  uniqueName,
} from "./support/console";
import { sdkAdmin } from "./support/shared";
import { type Receiver, startReceiver } from "./support/webhook-receiver";

/** The status each path answers (204 unless set). */
const answers = new Map<string, number>();
let server: Receiver;
let receiver: string;
let page: Page;
consolePerTest((o) => (page = o.page));

beforeAll(async () => {
  server = await startReceiver((path) => answers.get(path) ?? 204);
  receiver = server.url;
});
afterAll(async () => {
  await server?.close();
});

const arrivalsAt = (path: string) => server.arrivalsAt(path);
/** Waits (polling often: the queue's first retry comes about 5 s after a failure) for `count` arrivals at `path`. */
const arrived = (path: string, count = 1) =>
  eventually(async () => (arrivalsAt(path).length >= count ? arrivalsAt(path) : undefined), 30_000);
const newPath = (label: string) => `/${label}/${Math.random().toString(36).slice(2, 10)}`;

/** Adds an endpoint through the form; answers its URL and the secret the page showed once. */
async function addEndpoint(path: string, events: string[] | "all" = "all", description = "Pager bridge") {
  const url = receiver + path;
  await page.getByRole("button", { name: "Add Endpoint" }).click();
  const form = page.getByRole("dialog", { name: "Add Endpoint" });
  await form.getByLabel("URL").fill(url);
  await form.getByLabel("Description").fill(description);
  if (events !== "all") {
    await form.getByRole("checkbox", { name: /^All events/ }).uncheck();
    for (const name of events) await form.getByRole("checkbox", { name, exact: true }).check();
  }
  await form.getByRole("button", { name: "Add Endpoint" }).click();
  const shown = page.getByRole("dialog", { name: "Webhook Endpoint Added" });
  const secret = (await shown.locator('[data-credential="secret"]').textContent())!;
  expect(secret).toMatch(/^whsec_/);
  await shown.getByRole("button", { name: "Copy Secret" }).waitFor();
  expect(await shown.getByRole("note").textContent()).toMatch(/will not be shown again/);
  await shown.getByRole("button", { name: "Done" }).click();
  await shown.waitFor({ state: "detached" });
  expect(await page.getByText(secret).count()).toBe(0);
  await row(page, url).waitFor();
  return { url, secret };
}

const statusOf = (url: string) => row(page, url).locator('td[data-label="Status"]').textContent();

/** The Deliveries dialog's row of the one delivery it lists, once `check` holds for its text (Refresh until then). */
async function deliveryRow(dialog: Locator, check: (text: string) => boolean): Promise<Locator> {
  const line = dialog.getByRole("row").nth(1);
  await eventually(async () => {
    await dialog.getByRole("button", { name: "Refresh" }).click();
    await dialog.getByRole("status").filter({ hasText: "Loading" }).waitFor({ state: "detached" });
    const text = (await line.count()) ? await line.textContent() : null;
    return text !== null && check(text) ? true : undefined;
  }, 30_000);
  return line;
}
const cell = (line: Locator, label: string) => line.locator(`td[data-label="${label}"]`).textContent();

describe("console: Webhooks", () => {
  it("is offered only to tokens holding webhooks:manage", async () => {
    const nav = page.getByRole("navigation", { name: "Main" });
    await nav.getByRole("link", { name: "Webhooks", exact: true }).waitFor();
    const reader = await sdkAdmin().tokens.create({ name: uniqueName("Reader"), permissions: ["clients:read"] });
    await page.getByRole("button", { name: "Sign out" }).click();
    await signIn(page, reader.secret);
    await nav.getByRole("link", { name: "Clients", exact: true }).waitFor();
    expect(await nav.getByRole("link", { name: "Webhooks", exact: true }).count()).toBe(0);
  });

  it("adds an endpoint (secret shown once), sends a test event that verifies with that secret, and lists its delivery as succeeded", async () => {
    await goTo(page, "Webhooks");
    const path = newPath("ok");
    const { url, secret } = await addEndpoint(path, ["Failed authentication", "Test event"]);
    expect(await row(page, url).locator('td[data-label="Events"]').textContent()).toBe(
      "Failed authentication, Test event",
    );
    expect(await statusOf(url)).toBe("Enabled");
    expect(await row(page, url).textContent()).toContain("Pager bridge");

    await row(page, url).getByRole("button", { name: "Send Test Event" }).click();
    await page.getByRole("status").filter({ hasText: "Test event queued" }).waitFor();
    const [arrival] = await arrived(path);
    const payload = new Webhook(secret).verify(arrival!.body, arrival!.headers) as { type: string };
    expect(payload.type).toBe("webhook.test");

    await row(page, url).getByRole("button", { name: "Deliveries" }).click();
    const dialog = page.getByRole("dialog", { name: `Deliveries to ${url}` });
    const line = await deliveryRow(dialog, (t) => t.includes("Succeeded"));
    expect(await cell(line, "Event")).toBe("Test event");
    expect(await cell(line, "Attempts")).toBe("1");
    expect(await cell(line, "Response")).toBe("204");
    expect(await cell(line, "Last Attempt")).toMatch(/UTC$/);
    expect(await line.getByRole("button", { name: "Retry" }).count()).toBe(0);
    await expectAccessible(page);
    await dialog.getByRole("button", { name: "Close" }).click();
    await dialog.waitFor({ state: "detached" });
  });

  it("a delivery answered 500 fails once its endpoint is disabled, and Retry sends it again; Disable and Enable change Status", async () => {
    await goTo(page, "Webhooks");
    const path = newPath("flaky");
    answers.set(path, 500);
    const { url, secret } = await addEndpoint(path);
    expect(await row(page, url).locator('td[data-label="Events"]').textContent()).toBe("All events");

    await row(page, url).getByRole("button", { name: "Send Test Event" }).click();
    await arrived(path);
    // The next attempt is due about 5 s after the first; an endpoint disabled by then gets none, and
    // the delivery is marked failed (the schedule's end would take hours).
    await row(page, url).getByRole("button", { name: "Disable" }).click();
    await row(page, url).getByRole("button", { name: "Enable" }).waitFor();
    expect(await statusOf(url)).toBe("Disabled");

    await row(page, url).getByRole("button", { name: "Deliveries" }).click();
    let dialog = page.getByRole("dialog", { name: `Deliveries to ${url}` });
    let line = await deliveryRow(dialog, (t) => t.includes("Failed"));
    expect(await cell(line, "Response")).toBe("500");
    expect(await cell(line, "Attempts")).toBe("1");
    await line.getByRole("button", { name: "Retry" }).waitFor();
    await dialog.getByRole("button", { name: "Close" }).click();

    await row(page, url).getByRole("button", { name: "Enable" }).click();
    await row(page, url).getByRole("button", { name: "Disable" }).waitFor();
    expect(await statusOf(url)).toBe("Enabled");

    answers.set(path, 204);
    await row(page, url).getByRole("button", { name: "Deliveries" }).click();
    dialog = page.getByRole("dialog", { name: `Deliveries to ${url}` });
    line = dialog.getByRole("row").nth(1);
    await line.getByRole("button", { name: "Retry" }).click();
    // Pending again at once, and no second Retry while it is.
    await line.getByText("Pending").waitFor();
    expect(await line.getByRole("button", { name: "Retry" }).count()).toBe(0);
    const [first, second] = await arrived(path, 2);
    expect(second!.headers["webhook-id"]).toBe(first!.headers["webhook-id"]);
    expect(new Webhook(secret).verify(second!.body, second!.headers)).toMatchObject({ type: "webhook.test" });
    line = await deliveryRow(dialog, (t) => t.includes("Succeeded"));
    expect(await cell(line, "Attempts")).toBe("2");
    expect(await cell(line, "Response")).toBe("204");
    // At phone width the dialog's rows become cards and its title (a long URL) wraps inside it.
    await page.setViewportSize({ width: 375, height: 740 });
    await expectNoHorizontalScroll(page);
    expect(await dialog.evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true);
    await expectAccessible(page);
  });

  it("Rotate Secret shows a new secret once, and both sign for the next 24 hours", async () => {
    await goTo(page, "Webhooks");
    const path = newPath("rotate");
    const { url, secret: old } = await addEndpoint(path, "all", "Incident channel");
    await row(page, url).getByRole("button", { name: "Rotate Secret" }).click();
    const ask = page.getByRole("dialog", { name: `Rotate the secret of ${url}` });
    expect(await ask.textContent()).toMatch(/old secret keeps signing deliveries for 24 hours/);
    await ask.getByRole("button", { name: "Rotate Secret" }).click();
    const shown = page.getByRole("dialog", { name: "New Signing Secret" });
    const secret = (await shown.locator('[data-credential="secret"]').textContent())!;
    expect(secret).toMatch(/^whsec_/);
    expect(secret).not.toBe(old);
    expect(await shown.textContent()).toMatch(/old secret keeps signing deliveries for 24 hours/);
    await shown.getByRole("button", { name: "Copy Secret" }).waitFor();
    await shown.getByRole("button", { name: "Done" }).click();
    await shown.waitFor({ state: "detached" });
    expect(await page.getByText(secret).count()).toBe(0);

    await row(page, url).getByRole("button", { name: "Send Test Event" }).click();
    const [arrival] = await arrived(path);
    for (const key of [secret, old]) new Webhook(key).verify(arrival!.body, arrival!.headers);
  });

  it("a private-IP URL gets the API's message; Delete removes the row after confirming in the page", async () => {
    await goTo(page, "Webhooks");
    const bad = "http://10.0.0.1/x";
    const refusal = await sdkAdmin()
      .webhookEndpoints.create({ url: bad, events: ["*"] })
      .catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(NafsiError);
    await page.getByRole("button", { name: "Add Endpoint" }).click();
    const form = page.getByRole("dialog", { name: "Add Endpoint" });
    await form.getByLabel("URL").fill(bad);
    await form.getByRole("button", { name: "Add Endpoint" }).click();
    const alert = form.getByRole("alert");
    await alert.waitFor();
    expect(await alert.textContent()).toContain((refusal as NafsiError).message);
    expect(await alert.textContent()).toMatch(/url: /);
    await form.getByRole("button", { name: "Cancel" }).click();
    expect(await row(page, bad).count()).toBe(0);

    const { url } = await addEndpoint(newPath("gone"));
    await row(page, url).getByRole("button", { name: "Delete" }).click();
    const confirm = page.getByRole("dialog", { name: `Delete ${url}` });
    expect(await confirm.textContent()).toContain("Are you sure? This cannot be undone.");
    await confirm.getByRole("button", { name: "Cancel" }).click();
    await row(page, url).waitFor();
    await row(page, url).getByRole("button", { name: "Delete" }).click();
    await confirm.getByRole("button", { name: "Delete" }).click();
    await row(page, url).waitFor({ state: "detached" });
    await expect(sdkAdmin().webhookEndpoints.page({ limit: 100 })).resolves.toSatisfy(
      (p: { endpoints: { url: string }[] }) => !p.endpoints.some((e) => e.url === url),
    );
  });

  it("axe finds no serious or critical violation, on the page and in its form, at desktop and phone width", async () => {
    await goTo(page, "Webhooks");
    await page.getByRole("status").filter({ hasText: "Loading" }).waitFor({ state: "detached" });
    await row(page, receiver).first().waitFor();
    await page.screenshot({ path: screenshotPath("console-webhooks.png") });
    await expectAccessible(page);
    await page.setViewportSize({ width: 375, height: 740 });
    await expectNoHorizontalScroll(page);
    await expectAccessible(page);
    await page.getByRole("button", { name: "Add Endpoint" }).click();
    await page
      .getByRole("dialog", { name: "Add Endpoint" })
      .getByRole("checkbox", { name: /^All events/ })
      .uncheck();
    await expectNoHorizontalScroll(page);
    await expectAccessible(page);
  });

  it("works by keyboard: Add Endpoint opens from the keyboard and Escape closes it", async () => {
    await goTo(page, "Webhooks");
    const add = page.getByRole("button", { name: "Add Endpoint" });
    await add.focus();
    await page.keyboard.press("Enter");
    const form = page.getByRole("dialog", { name: "Add Endpoint" });
    await form.waitFor();
    await page.keyboard.type(receiver + "/typed");
    expect(await form.getByLabel("URL").inputValue()).toBe(receiver + "/typed");
    await page.keyboard.press("Escape");
    await form.waitFor({ state: "detached" });
    expect(await add.evaluate((el) => el === document.activeElement)).toBe(true);
  });
});
