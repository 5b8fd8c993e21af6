import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import {
  callVerify,
  consolePerTest,
  createClient,
  type CreatedClient,
  eventually,
  expectAccessible,
  expectNoHorizontalScroll,
  goTo as follow,
  row,
  screenshotPath,
  uniqueName,
} from "./support/console";
import { adminApi, gateway } from "./support/shared";

let page: Page;
consolePerTest((o) => (page = o.page));
let busy: CreatedClient;
let workflowId: string;

const send = (headers: Record<string, string>, path = "/v1/verify") =>
  fetch(`${gateway().baseUrl}${path}`, { method: "POST", headers, body: "{}" }).then((r) => r.arrayBuffer());

beforeAll(async () => {
  // Traffic for the usage page, sent first: usage reaches D1 when the client's Durable Object
  // flushes (every 20 s), and the alert for failed authentications with it.
  busy = await createClient(uniqueName("Web Checkout"), "production", 20);
  const { workflow } = await adminApi("/admin/workflows", {
    body: { client_id: busy.client.id, client_secret: busy.client_secret, name: "Checkout KYC" },
  });
  workflowId = workflow.id;
  const bySecret = { "X-Client-ID": busy.client.id, "X-Client-Secret": busy.client_secret };
  for (let i = 0; i < 12; i++) await send(bySecret);
  for (let i = 0; i < 6; i++) await send({ "X-Client-ID": busy.client.id, "X-Workflow-ID": workflowId });
  for (let i = 0; i < 6; i++) await send({ "X-Client-ID": busy.client.id, "X-Client-Secret": "sk_live_wrong" });
  for (let i = 0; i < 4; i++) await send(bySecret); // past 20/min: rate limited
});

const goTo = (link: string, heading = link) => follow(page, link, heading);

async function checkPageAtPhoneWidth() {
  await expectAccessible(page);
  await page.setViewportSize({ width: 375, height: 740 });
  await expectNoHorizontalScroll(page);
  await expectAccessible(page);
}

describe("console: workflows", () => {
  it("creates, edits, re-keys and deactivates a workflow; a wrong secret shows the API's message", async () => {
    const owner = await createClient(uniqueName("Mobile onboarding"));
    await goTo("Workflows");
    await page.getByRole("button", { name: "Create Workflow" }).click();
    let dialog = page.getByRole("dialog", { name: "Create Workflow" });
    const name = uniqueName("Selfie check");
    await dialog.getByLabel("Client ID").fill(owner.client.id);
    await dialog.getByLabel("Client Secret").fill(owner.client_secret);
    await dialog.getByLabel("Workflow Name").fill(name);
    await dialog.getByLabel("Allowed origins").fill("https://app.example.com");
    await dialog.getByRole("button", { name: "Create Workflow" }).click();
    await dialog.waitFor({ state: "detached" });
    const line = row(page, name);
    await line.waitFor();
    expect(await line.textContent()).toMatch(/https:\/\/app\.example\.com.*Active/);
    const id = (await line.locator("code").first().textContent())!;
    expect(id).toMatch(/^wf_/);

    await line.getByRole("button", { name: "Edit" }).click();
    dialog = page.getByRole("dialog", { name: `Edit ${name}` });
    const renamed = uniqueName("Liveness");
    await dialog.getByLabel("Workflow Name").fill(renamed);
    await dialog.getByRole("button", { name: "Save" }).click();
    await dialog.waitFor({ state: "detached" });
    const edited = row(page, renamed);
    await edited.waitFor();

    await edited.getByRole("button", { name: "Re-key" }).click();
    dialog = page.getByRole("dialog", { name: `Re-key ${renamed}` });
    await dialog.getByLabel("Client Secret").fill("sk_live_not-the-secret");
    await dialog.getByRole("button", { name: "Re-key" }).click();
    const alert = dialog.getByRole("alert");
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/Invalid client secret/i);
    await dialog.getByLabel("Client Secret").fill(owner.client_secret);
    await dialog.getByRole("button", { name: "Re-key" }).click();
    await dialog.waitFor({ state: "detached" });

    await edited.getByRole("button", { name: "Deactivate" }).click();
    await edited.getByRole("button", { name: "Activate", exact: true }).waitFor();
    expect(await edited.textContent()).toContain("Inactive");
    expect((await adminApi(`/admin/workflows/${id}`)).workflow).toMatchObject({ name: renamed, status: "inactive" });
  });

  it("workflows page: accessible, and no horizontal scroll at 375 px", async () => {
    await goTo("Workflows");
    await page.getByRole("row").nth(1).waitFor();
    await checkPageAtPhoneWidth();
  });
});

describe("console: audit log and alerts", () => {
  it("shows each audit entry's time, actor, action and full target ID", async () => {
    const { client } = await createClient(uniqueName("Audited"));
    await goTo("Audit log");
    const line = row(page, client.id);
    await line.first().waitFor();
    const text = (await line.first().textContent())!;
    expect(text).toContain(client.id);
    expect(text).toMatch(/client\.create/);
    expect(text).toMatch(/\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC/);
    const { entries } = await adminApi(`/admin/audit-log?target_id=${client.id}`);
    expect(text).toContain(entries[0].actor);
    await checkPageAtPhoneWidth();
  });

  it("lists alerts (the failed authentications sent above raise one)", async () => {
    await eventually(async () => {
      const { alerts } = await adminApi(`/admin/alerts?client_id=${busy.client.id}`);
      return alerts.length > 0 ? alerts : undefined;
    });
    await goTo("Alerts");
    const line = row(page, busy.client.id);
    await line.first().waitFor();
    // Several alerts may have fired (a high error rate too): the one the test caused is among them.
    expect(await line.allTextContents()).toEqual(
      expect.arrayContaining([expect.stringMatching(/Failed authentication|Rate limit approaching/)]),
    );
    await checkPageAtPhoneWidth();
  });
});

describe("console: usage", () => {
  it("View Usage shows totals, success rate, response time, units, workflows, errors and a daily chart", async () => {
    const usage = await eventually(async () => {
      const u = await adminApi(`/admin/clients/${busy.client.id}/usage?days=30`);
      return u.total_requests >= 28 ? u : undefined;
    });
    await goTo("Clients");
    await row(page, busy.client.name).getByRole("button", { name: "View Usage" }).click();
    await page.getByRole("heading", { name: "Usage", level: 1 }).waitFor();
    const figure = async (term: string) =>
      page.evaluate((t) => {
        const dt = [...document.querySelectorAll("dt")].find((d) => d.textContent === t);
        return dt?.nextElementSibling?.textContent ?? null;
      }, term);
    await page.getByRole("img", { name: /Daily requests/ }).waitFor();
    expect(await figure("Total requests")).toBe(String(usage.total_requests));
    expect(await figure("Success rate")).toMatch(/^\d+(\.\d)?%$/);
    expect(await figure("Average response time")).toMatch(/^\d+ ms$/);
    expect(await figure("Units consumed")).toBe(String(usage.units_consumed));
    expect(await page.getByRole("heading", { name: "Requests by workflow" }).isVisible()).toBe(true);
    expect(await row(page, workflowId).textContent()).toContain("6");
    expect(await row(page, "rate_limit_exceeded").count()).toBe(1);
    expect(await page.locator("svg rect.bar").count()).toBe(usage.daily.length);
    expect(await page.getByRole("img", { name: /Daily requests/ }).getAttribute("aria-label")).toContain(
      `${usage.total_requests} requests`,
    );
    await page.screenshot({ path: screenshotPath("console-usage.png") });
    await checkPageAtPhoneWidth();
  });

  it("a secret that was shown once is not in the usage page, nor any other page", async () => {
    await goTo("Clients");
    await row(page, busy.client.name).getByRole("button", { name: "View Usage" }).click();
    await page.getByRole("heading", { name: "Usage", level: 1 }).waitFor();
    expect(await page.content()).not.toContain(busy.client_secret);
  });
});

describe("console: admin tokens", () => {
  it("creates a token shown once, and revokes it after confirmation", async () => {
    await goTo("Admin tokens");
    await page.getByRole("button", { name: "Create Admin Token" }).click();
    const dialog = page.getByRole("dialog", { name: "Create Admin Token" });
    const name = uniqueName("Support desk");
    await dialog.getByLabel("Token Name").fill(name);
    await dialog.getByRole("checkbox", { name: "clients:read" }).check();
    await dialog.getByRole("button", { name: "Create Token" }).click();
    const result = page.getByRole("dialog", { name: "Admin Token Created" });
    const secret = (await result.locator('[data-credential="secret"]').textContent())!;
    expect(secret).toMatch(/^nafsi_admin_/);
    const me = await fetch(`${gateway().baseUrl}/admin/me`, { headers: { authorization: `Bearer ${secret}` } });
    expect((await me.json()).permissions).toEqual(["clients:read"]);
    await result.getByRole("button", { name: "Done" }).click();
    await result.waitFor({ state: "detached" });
    expect(await page.content()).not.toContain(secret);

    const line = row(page, name);
    await line.getByRole("button", { name: "Revoke" }).click();
    const confirm = page.getByRole("dialog", { name: `Revoke ${name}` });
    await confirm.getByRole("button", { name: "Revoke" }).click();
    await confirm.waitFor({ state: "detached" });
    expect(await line.textContent()).toContain("Revoked");
    const after = await fetch(`${gateway().baseUrl}/admin/me`, { headers: { authorization: `Bearer ${secret}` } });
    expect(after.status).toBe(401);
    await checkPageAtPhoneWidth();
  });
});

describe("console: screenshots", () => {
  it("takes the clients page for the README", async () => {
    // Newest first: these fill the top of the page. A few are used, one paused, one revoked.
    const made: CreatedClient[] = [];
    for (const [name, environment, limit] of [
      ["Legacy Importer", "production", 50],
      ["Internal Tools", "production", 300],
      ["Partner Sandbox", "sandbox", undefined],
      ["Web Checkout", "production", 500],
      ["Android App", "production", undefined],
      ["Production iOS App", "production", undefined],
    ] as const) {
      made.push(await createClient(name, environment, limit));
    }
    for (const c of made.slice(2)) await callVerify(c.client.id, c.client_secret);
    await adminApi(`/admin/clients/${made[0]!.client.id}/revoke`, { method: "POST" });
    await adminApi(`/admin/clients/${made[1]!.client.id}`, { method: "PATCH", body: { status: "inactive" } });
    await eventually(async () => {
      const { client } = await adminApi(`/admin/clients/${made[2]!.client.id}`);
      return client.last_used_at ?? undefined;
    });
    await goTo("Clients");
    await row(page, "Production iOS App").first().waitFor();
    await page.screenshot({ path: screenshotPath("console-clients.png") });
    await page.setViewportSize({ width: 375, height: 812 });
    // For reviewers only (not in the README): the same page as cards on a phone.
    await page.screenshot({ path: join(tmpdir(), "nafsi-console-clients-375.png") });
  });
});
