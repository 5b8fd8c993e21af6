import { beforeEach, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import {
  callVerify,
  consolePerTest,
  createClient,
  expectAccessible,
  expectNoHorizontalScroll,
  goTo,
  row,
  signIn,
  uniqueName,
} from "./support/console";
import { adminApi } from "./support/shared";

let page: Page;
consolePerTest((o) => (page = o.page));

beforeEach(async () => {
  await page.getByRole("heading", { name: "Overview", level: 1 }).waitFor();
  await goTo(page, "Clients");
});

const secretShown = (where: Page | ReturnType<Page["getByRole"]>) =>
  where.locator('[data-credential="secret"]').textContent();

describe("console: clients", () => {
  it("lists clients newest first under the seed's columns", async () => {
    const older = await createClient(uniqueName("Older"));
    const newer = await createClient(uniqueName("Newer"));
    await page.reload();
    await row(page, newer.client.name).waitFor();
    const headers = await page.getByRole("columnheader").allTextContents();
    expect(headers).toEqual([
      "Name",
      "Client ID",
      "Environment",
      "Created",
      "Last Used",
      "Rate Limit",
      "Status",
      "Actions",
    ]);
    const rows = await page.getByRole("row").allTextContents();
    const at = (name: string) => rows.findIndex((r) => r.includes(name));
    expect(at(newer.client.name)).toBeGreaterThan(0);
    expect(at(newer.client.name)).toBeLessThan(at(older.client.name));
    expect(await row(page, newer.client.name).textContent()).toContain(newer.client.id);
    expect(await row(page, newer.client.name).textContent()).toContain("Never");
  });

  it("creates a client, shows its secret once with copy buttons, and the secret works on /v1/verify", async () => {
    const name = uniqueName("Production iOS App");
    await page.getByRole("button", { name: "Create New Client" }).click();
    const form = page.getByRole("dialog", { name: "Create New Client" });
    await form.getByLabel("Client Name").fill(name);
    expect(await form.getByLabel("Environment").inputValue()).toBe("production");
    expect(await form.getByLabel("Rate Limit").inputValue()).toBe("100");
    await form.getByRole("button", { name: "Create Client" }).click();

    const result = page.getByRole("dialog", { name: "API Client Created Successfully!" });
    await result.waitFor();
    expect(await result.textContent()).toMatch(/will not be shown again/);
    const clientId = (await result.locator('[data-credential="id"]').textContent())!;
    const secret = (await secretShown(result))!;
    expect(clientId).toMatch(/^nafsi_live_[A-Za-z0-9]+$/);
    expect(secret).toMatch(/^sk_live_[A-Za-z0-9]+$/);

    await result.getByRole("button", { name: "Copy Client ID" }).click();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(clientId);
    await result.getByRole("button", { name: "Copy Client Secret" }).click();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secret);

    const verified = await callVerify(clientId, secret);
    expect(verified.status).toBe(200);
    expect(verified.body).toMatchObject({ authenticated: true, client_id: clientId, environment: "production" });

    await result.getByRole("button", { name: "Done" }).click();
    await result.waitFor({ state: "detached" });
    expect(await page.content()).not.toContain(secret);
    expect(await page.evaluate((s) => document.documentElement.outerHTML.includes(s), secret)).toBe(false);
    await row(page, name).waitFor();
    expect(await row(page, name).textContent()).toContain(clientId);
  });

  it("creates a sandbox client at the fixed 10 requests per minute", async () => {
    const name = uniqueName("Sandbox tester");
    await page.getByRole("button", { name: "Create New Client" }).click();
    const form = page.getByRole("dialog", { name: "Create New Client" });
    await form.getByLabel("Client Name").fill(name);
    await form.getByLabel("Environment").selectOption({ label: "Sandbox" });
    const rate = form.getByLabel("Rate Limit");
    expect(await rate.inputValue()).toBe("10");
    expect(await rate.isDisabled()).toBe(true);
    await form.getByRole("button", { name: "Create Client" }).click();
    const result = page.getByRole("dialog", { name: "API Client Created Successfully!" });
    expect(await secretShown(result)).toMatch(/^sk_test_/);
    await result.getByRole("button", { name: "Done" }).click();
    const created = row(page, name);
    await created.waitFor();
    expect(await created.textContent()).toMatch(/Sandbox.*10\/min/);
  });

  it("shows the API's own message when creating fails", async () => {
    await page.getByRole("button", { name: "Create New Client" }).click();
    const form = page.getByRole("dialog", { name: "Create New Client" });
    await form.getByLabel("Client Name").fill("   ");
    await form.getByRole("button", { name: "Create Client" }).click();
    const alert = form.getByRole("alert");
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/name/i);
    expect(await form.isVisible()).toBe(true);
  });

  it("edits name, rate limit and status with Edit / Save", async () => {
    const { client } = await createClient(uniqueName("Editable"));
    await page.reload();
    await row(page, client.name).getByRole("button", { name: "Edit" }).click();
    const dialog = page.getByRole("dialog", { name: `Edit ${client.name}` });
    const renamed = uniqueName("Renamed");
    await dialog.getByLabel("Client Name").fill(renamed);
    await dialog.getByLabel("Rate Limit").fill("250");
    await dialog.getByLabel("Status").selectOption({ label: "Inactive" });
    await dialog.getByRole("button", { name: "Save" }).click();
    await dialog.waitFor({ state: "detached" });
    expect(await row(page, renamed).textContent()).toMatch(/250\/min.*Inactive/);
    const { client: stored } = await adminApi(`/admin/clients/${client.id}`);
    expect(stored).toMatchObject({ name: renamed, rate_limit: 250, status: "inactive" });
  });

  it("regenerates the secret with a 7-day grace period by default; old and new secrets both work", async () => {
    const created = await createClient(uniqueName("Rotating"));
    await page.reload();
    await row(page, created.client.name).getByRole("button", { name: "Regenerate Secret" }).click();
    const dialog = page.getByRole("dialog", { name: `Regenerate the secret of ${created.client.name}` });
    const grace = dialog.getByLabel("Grace period");
    expect(await grace.inputValue()).toBe(String(7 * 86_400));
    expect(await grace.locator("option").allTextContents()).toEqual([
      "None (the old secret stops at once)",
      "1 day",
      "7 days",
    ]);
    await dialog.getByRole("button", { name: "Regenerate" }).click();
    const result = page.getByRole("dialog", { name: "New Client Secret" });
    const secret = (await secretShown(result))!;
    expect(secret).not.toBe(created.client_secret);
    expect(await result.textContent()).toMatch(/previous secret keeps working until/);
    expect((await callVerify(created.client.id, secret)).status).toBe(200);
    expect((await callVerify(created.client.id, created.client_secret)).status).toBe(200);
    await result.getByRole("button", { name: "Done" }).click();
    await result.waitFor({ state: "detached" });
    expect(await page.content()).not.toContain(secret);
  });

  it("regenerates with no grace period: the old secret stops at once", async () => {
    const created = await createClient(uniqueName("Rotating now"));
    await page.reload();
    await row(page, created.client.name).getByRole("button", { name: "Regenerate Secret" }).click();
    const dialog = page.getByRole("dialog", { name: /Regenerate the secret/ });
    await dialog.getByLabel("Grace period").selectOption({ label: "None (the old secret stops at once)" });
    await dialog.getByRole("button", { name: "Regenerate" }).click();
    const result = page.getByRole("dialog", { name: "New Client Secret" });
    const secret = (await secretShown(result))!;
    expect((await callVerify(created.client.id, secret)).status).toBe(200);
    expect((await callVerify(created.client.id, created.client_secret)).status).toBe(401);
  });

  it("revokes only after the in-page confirmation; the revoked client is refused on /v1/verify", async () => {
    const created = await createClient(uniqueName("Doomed"));
    expect((await callVerify(created.client.id, created.client_secret)).status).toBe(200);
    await page.reload();
    const line = row(page, created.client.name);

    await line.getByRole("button", { name: "Revoke" }).click();
    let dialog = page.getByRole("dialog", { name: `Revoke ${created.client.name}` });
    expect(await dialog.textContent()).toContain("Are you sure? This cannot be undone.");
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await dialog.waitFor({ state: "detached" });
    expect((await adminApi(`/admin/clients/${created.client.id}`)).client.status).toBe("active");

    await line.getByRole("button", { name: "Revoke" }).click();
    dialog = page.getByRole("dialog", { name: `Revoke ${created.client.name}` });
    await dialog.getByRole("button", { name: "Revoke" }).click();
    await dialog.waitFor({ state: "detached" });
    expect(await line.textContent()).toContain("Revoked");
    // A revoked client offers no more changes.
    expect(await line.getByRole("button", { name: "Edit" }).count()).toBe(0);
    expect(await line.getByRole("button", { name: "Revoke" }).count()).toBe(0);

    const refused = await callVerify(created.client.id, created.client_secret);
    expect(refused.status).toBe(401);
    expect(refused.body.error.code).toBe("client_revoked");
  });

  it("loads more pages on request", async () => {
    const prefix = uniqueName("Paged");
    for (let i = 0; i < 26; i++) await createClient(`${prefix} ${i}`);
    await page.reload();
    await row(page, `${prefix} 25`).waitFor();
    const before = await page.getByRole("row").count();
    expect(before).toBe(26); // a header row and one page of 25
    expect(await row(page, `${prefix} 0`).count()).toBe(0);
    await page.getByRole("button", { name: "Load more clients" }).click();
    await row(page, `${prefix} 0`).waitFor();
    expect(await page.getByRole("row").count()).toBeGreaterThan(before);
  });

  it("a read-only token is not offered write actions", async () => {
    const { client } = await createClient(uniqueName("Look only"));
    const { secret } = await adminApi<{ secret: string }>("/admin/tokens", {
      body: { name: uniqueName("reader"), permissions: ["clients:read"] },
    });
    await page.getByRole("button", { name: "Sign out" }).click();
    await signIn(page, secret);
    await row(page, client.name).waitFor();
    expect(await page.getByRole("button", { name: "Create New Client" }).count()).toBe(0);
    for (const name of ["Edit", "Regenerate Secret", "Revoke", "View Usage"]) {
      expect(await row(page, client.name).getByRole("button", { name }).count()).toBe(0);
    }
    const nav = page.getByRole("navigation", { name: "Main" });
    expect(await nav.getByRole("link").allTextContents()).toEqual(["Clients"]);
  });

  it("clients page and its dialogs: accessible, and no horizontal scroll at 375 px", async () => {
    await createClient(uniqueName("A client with a rather long name to wrap on a phone"));
    await page.setViewportSize({ width: 375, height: 740 });
    await page.reload();
    await page.getByRole("row").nth(1).waitFor();
    await expectAccessible(page);
    await expectNoHorizontalScroll(page);

    await page.getByRole("button", { name: "Create New Client" }).click();
    const form = page.getByRole("dialog", { name: "Create New Client" });
    await expectAccessible(page);
    await expectNoHorizontalScroll(page);
    await form.getByLabel("Client Name").fill(uniqueName("Phone"));
    await form.getByRole("button", { name: "Create Client" }).click();
    const result = page.getByRole("dialog", { name: "API Client Created Successfully!" });
    await result.waitFor();
    await expectAccessible(page);
    await expectNoHorizontalScroll(page);
    await result.getByRole("button", { name: "Done" }).click();

    const first = page.getByRole("row").nth(1);
    await first.getByRole("button", { name: "Revoke" }).click();
    await page.getByRole("dialog").waitFor();
    await expectAccessible(page);
    await page.keyboard.press("Escape");
    await first.getByRole("button", { name: "Regenerate Secret" }).click();
    await page.getByRole("dialog").waitFor();
    await expectAccessible(page);
    await expectNoHorizontalScroll(page);
  });
});
