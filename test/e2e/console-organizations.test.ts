import { readFileSync } from "node:fs";
import { parse } from "csv-parse/sync";
import { beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import {
  consolePerTest,
  createClient,
  type CreatedClient,
  eventually,
  expectAccessible,
  expectNoHorizontalScroll,
  goTo,
  row,
  screenshotPath,
  signIn,
  uniqueName,
} from "./support/console";
import { adminApi, gateway } from "./support/shared";

interface Organization {
  id: string;
  name: string;
  max_rate_limit: number;
  max_clients: number;
  client_count: number;
}

let page: Page;
let scriptErrors: string[];
consolePerTest((o) => ({ page, scriptErrors } = o), { signedIn: false });
// One organization whose traffic the Overview test knows exactly (the Worker is shared by the run).
let traffic: { organization: Organization; clients: CreatedClient[] };

const createOrganization = (name: string, plan: { max_rate_limit?: number; max_clients?: number } = {}) =>
  adminApi<{ organization: Organization }>("/admin/organizations", { body: { name, ...plan } }).then(
    (r) => r.organization,
  );

/** An admin token bound to `organizationId`, made through the API as the operator. */
const boundToken = (organizationId: string, name: string, permissions = ["*"]) =>
  adminApi<{ secret: string }>("/admin/tokens", {
    body: { name, permissions, organization_id: organizationId },
  }).then((r) => r.secret);

const verify = (headers: Record<string, string>) =>
  fetch(`${gateway().baseUrl}/v1/verify`, {
    method: "POST",
    headers: { ...headers, "Content-Type": "application/json" },
    body: "{}",
  }).then((r) => r.arrayBuffer());

/** Creates a client in `organizationId` with the bound token, as that team would. */
async function createInOrganization(secret: string, body: Record<string, unknown>) {
  const res = await fetch(`${gateway().baseUrl}/admin/clients`, {
    method: "POST",
    headers: { authorization: `Bearer ${secret}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (res.status !== 201) throw new Error(`POST /admin/clients: ${res.status} ${await res.text()}`);
  return (await res.json()) as CreatedClient;
}

beforeAll(async () => {
  // Traffic first: usage reaches D1 when each client's Durable Object flushes (within a minute).
  const organization = await createOrganization("Northwind Health", { max_rate_limit: 500 });
  const team = await boundToken(organization.id, uniqueName("Northwind setup"));
  const portal = await createInOrganization(team, {
    name: "Patient Portal",
    environment: "production",
    rate_limit: 60,
  });
  const claims = await createInOrganization(team, { name: "Claims API", environment: "production", rate_limit: 5 });
  const sandbox = await createInOrganization(team, { name: "Partner Sandbox", environment: "sandbox" });
  const secretOf = (c: CreatedClient) => ({ "X-Client-ID": c.client.id, "X-Client-Secret": c.client_secret });
  for (let i = 0; i < 14; i++) await verify(secretOf(portal));
  for (let i = 0; i < 8; i++) await verify(secretOf(claims)); // 5 per minute: the last 3 are rate limited
  for (let i = 0; i < 2; i++) await verify({ "X-Client-ID": claims.client.id, "X-Client-Secret": "sk_live_wrong" });
  for (let i = 0; i < 3; i++) await verify(secretOf(sandbox));
  traffic = { organization, clients: [portal, claims, sandbox] };
});

const figure = (term: string) =>
  page.evaluate((t) => {
    const dt = [...document.querySelectorAll("dt")].find((d) => d.textContent === t);
    return dt?.nextElementSibling?.textContent ?? null;
  }, term);

describe("console: a token bound to an organization", () => {
  it("sees its organization's name and clients only, creates a client, and is shown the plan's message", async () => {
    const organization = await createOrganization("Acme Payments", { max_rate_limit: 200, max_clients: 1 });
    const elsewhere = await createClient(uniqueName("Not Acme's"));
    const tokenName = uniqueName("Acme team");
    // "*" on a bound token is every permission but organizations:manage.
    const secret = await boundToken(organization.id, tokenName);

    await signIn(page, secret);
    await page.getByRole("heading", { name: "Overview", level: 1 }).waitFor();
    const header = page.getByRole("banner");
    expect(await header.textContent()).toContain(`Signed in as ${tokenName} for ${organization.name}`);
    const nav = page.getByRole("navigation", { name: "Main" });
    expect(await nav.getByRole("link").allTextContents()).not.toContain("Organizations");
    expect(await page.getByRole("combobox", { name: "Organization", exact: true }).count()).toBe(0);

    await goTo(page, "Clients");
    await page.getByText("No clients yet").waitFor();
    expect(await row(page, elsewhere.client.name).count()).toBe(0);

    // Above the plan's rate limit: the API's own sentence.
    await page.getByRole("button", { name: "Create New Client" }).click();
    const form = page.getByRole("dialog", { name: "Create New Client" });
    const name = uniqueName("Acme Checkout");
    await form.getByLabel("Client Name").fill(name);
    await form.getByLabel("Rate Limit").fill("500");
    await form.getByRole("button", { name: "Create Client" }).click();
    const alert = form.getByRole("alert");
    await alert.waitFor();
    expect(await alert.textContent()).toBe(
      "This organization's plan allows a rate limit of at most 200 requests/minute. Ask the gateway's operator for a higher limit.",
    );

    await form.getByLabel("Rate Limit").fill("150");
    await form.getByRole("button", { name: "Create Client" }).click();
    const result = page.getByRole("dialog", { name: "API Client Created Successfully!" });
    const clientSecret = (await result.locator('[data-credential="secret"]').textContent())!;
    expect(clientSecret).toMatch(/^sk_live_/);
    await result.getByRole("button", { name: "Done" }).click();
    await result.waitFor({ state: "detached" });
    expect(await page.content()).not.toContain(clientSecret);
    await row(page, name).waitFor();
    expect(await page.getByRole("row").count()).toBe(2); // the header and its one client
    const { clients } = await adminApi(`/admin/clients?organization_id=${organization.id}`);
    expect(clients.map((c: { name: string }) => c.name)).toEqual([name]);

    // Beyond max_clients (1).
    await page.getByRole("button", { name: "Create New Client" }).click();
    const again = page.getByRole("dialog", { name: "Create New Client" });
    await again.getByLabel("Client Name").fill(uniqueName("One too many"));
    await again.getByRole("button", { name: "Create Client" }).click();
    await again.getByRole("alert").waitFor();
    expect(await again.getByRole("alert").textContent()).toBe(
      "This organization's plan allows at most 1 clients. Ask the gateway's operator for a higher limit.",
    );
    expect(scriptErrors).toEqual([]);
  });
});

describe("console: organizations (the operator)", () => {
  it("creates and edits an organization, then hands out its first token, which signs in", async () => {
    await signIn(page);
    await page.getByRole("heading", { name: "Overview", level: 1 }).waitFor();
    expect(await page.getByRole("banner").textContent()).toContain("Signed in as bootstrap");
    await goTo(page, "Organizations");
    await page.getByRole("row").nth(1).waitFor();
    expect(await page.getByRole("columnheader").allTextContents()).toEqual([
      "Name",
      "Organization ID",
      "Clients",
      "Max Rate Limit",
      "Created",
      "Actions",
    ]);

    await page.getByRole("button", { name: "Create Organization" }).click();
    let dialog = page.getByRole("dialog", { name: "Create Organization" });
    expect(await dialog.getByLabel("Max Rate Limit").inputValue()).toBe("100");
    expect(await dialog.getByLabel("Max Clients").inputValue()).toBe("50");
    const name = "Globex Logistics";
    await dialog.getByLabel("Name", { exact: true }).fill(name);
    await dialog.getByLabel("Max Rate Limit").fill("300");
    await dialog.getByLabel("Max Clients").fill("5");
    await expectAccessible(page);
    await dialog.getByRole("button", { name: "Create Organization" }).click();
    await dialog.waitFor({ state: "detached" });
    const line = row(page, name);
    await line.waitFor();
    expect(await line.textContent()).toMatch(/org_\w+.*0 \/ 5.*300\/min/);
    const id = (await line.locator("code").textContent())!;

    await line.getByRole("button", { name: "Edit" }).click();
    dialog = page.getByRole("dialog", { name: `Edit ${name}` });
    await dialog.getByLabel("Max Clients").fill("10");
    await dialog.getByRole("button", { name: "Save" }).click();
    await dialog.waitFor({ state: "detached" });
    expect(await line.textContent()).toContain("0 / 10");
    expect((await adminApi(`/admin/organizations/${id}`)).organization).toMatchObject({
      name,
      max_rate_limit: 300,
      max_clients: 10,
    });

    await line.getByRole("button", { name: "Create Admin Token" }).click();
    dialog = page.getByRole("dialog", { name: `Create Admin Token for ${name}` });
    // A bound token can never hold organizations:manage: the form does not offer it.
    expect(await dialog.getByRole("checkbox", { name: "organizations:manage" }).count()).toBe(0);
    const tokenName = uniqueName("Globex admin");
    await dialog.getByLabel("Token Name").fill(tokenName);
    for (const p of ["clients:read", "clients:write", "usage:read"]) {
      await dialog.getByRole("checkbox", { name: p }).check();
    }
    await expectAccessible(page);
    await dialog.getByRole("button", { name: "Create Token" }).click();
    const result = page.getByRole("dialog", { name: "Admin Token Created" });
    const secret = (await result.locator('[data-credential="secret"]').textContent())!;
    expect(secret).toMatch(/^nafsi_admin_/);
    await result.getByRole("button", { name: "Copy Token" }).click();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secret);
    await result.getByRole("button", { name: "Done" }).click();
    await result.waitFor({ state: "detached" });
    expect(await page.content()).not.toContain(secret);

    const me = await fetch(`${gateway().baseUrl}/admin/me`, { headers: { authorization: `Bearer ${secret}` } });
    expect(await me.json()).toMatchObject({
      name: tokenName,
      organization_id: id,
      permissions: ["clients:read", "clients:write", "usage:read"],
    });

    await page.getByRole("button", { name: "Sign out" }).click();
    await signIn(page, secret);
    await page.getByRole("heading", { name: "Overview", level: 1 }).waitFor();
    expect(await page.getByRole("banner").textContent()).toContain(`Signed in as ${tokenName} for ${name}`);
    expect(await page.getByRole("navigation", { name: "Main" }).getByRole("link").allTextContents()).toEqual([
      "Overview",
      "Clients",
    ]);
  });

  it("organizations page: accessible, no horizontal scroll at 375 px, and its screenshot", async () => {
    await signIn(page);
    await goTo(page, "Organizations");
    await row(page, traffic.organization.name).waitFor();
    await expectAccessible(page);
    await page.screenshot({ path: screenshotPath("console-organizations.png") });
    await page.setViewportSize({ width: 375, height: 740 });
    await expectNoHorizontalScroll(page);
    await expectAccessible(page);
  });
});

describe("console: overview", () => {
  it("shows the organization's figures, its clients busiest first, and downloads them as CSV", async () => {
    const { organization, clients } = traffic;
    const [portal, claims, sandbox] = clients as [CreatedClient, CreatedClient, CreatedClient];
    const usage = await eventually(async () => {
      const u = await adminApi(`/admin/usage?days=1&organization_id=${organization.id}`);
      return u.total_requests >= 27 && u.failed_authentications >= 2 ? u : undefined;
    });
    // 14 + 8 + 2 + 3 requests; the sandbox's consume no unit.
    expect(usage).toMatchObject({
      total_requests: 27,
      successful_requests: 22,
      units_consumed: 19,
      rate_limited_requests: 3,
      failed_authentications: 2,
    });

    await signIn(page);
    await page.getByRole("heading", { name: "Overview", level: 1 }).waitFor();
    await page.getByRole("combobox", { name: "Organization", exact: true }).selectOption({ label: organization.name });
    const period = page.getByRole("combobox", { name: "Period", exact: true });
    expect(await period.locator("option").allTextContents()).toEqual([
      "Last 24 hours",
      "Last 7 days",
      "Last 30 days",
      "Last 90 days",
    ]);
    await period.selectOption({ label: "Last 24 hours" });
    // The chart of this period (not of the 30 days shown first, which hold the same 27 requests).
    await page
      .getByRole("img", { name: `Daily requests: 27 requests over ${usage.daily.length} days`, exact: false })
      .waitFor();
    expect(await figure("Total requests")).toBe("27");
    expect(await figure("Success rate")).toBe("81.5%");
    expect(await figure("Units consumed")).toBe("19");
    expect(await figure("Rate limited")).toBe("3");
    expect(await figure("Failed authentications")).toBe("2");

    // Busiest first; each name links to that client's usage.
    const names = await page.getByRole("table").getByRole("rowheader").allTextContents();
    expect(names).toEqual(["Patient Portal", "Claims API", "Partner Sandbox"]);
    expect(await row(page, claims.client.id).textContent()).toMatch(/10.*50(\.0)?%.*5.*3.*2/);

    const download = page.waitForEvent("download");
    await page.getByRole("link", { name: "Download CSV" }).click();
    const file = await download;
    expect(file.suggestedFilename()).toMatch(/^nafsi-usage-\d{4}-\d{2}-\d{2}\.csv$/);
    const rows: Record<string, string>[] = parse(readFileSync((await file.path())!), { columns: true });
    const requestsOf = (id: string) =>
      rows.filter((r) => r.client_id === id).reduce((sum, r) => sum + Number(r.requests), 0);
    expect(new Set(rows.map((r) => r.organization_id))).toEqual(new Set([organization.id]));
    expect(requestsOf(portal.client.id)).toBe(14);
    expect(requestsOf(claims.client.id)).toBe(10);
    expect(requestsOf(sandbox.client.id)).toBe(3);
    expect(rows.find((r) => r.client_id === claims.client.id)).toMatchObject({
      client_name: "Claims API",
      environment: "production",
      rate_limited_requests: "3",
      failed_authentications: "2",
    });

    await page.getByRole("link", { name: "Patient Portal" }).click();
    await page.getByRole("heading", { name: "Usage", level: 1 }).waitFor();
    expect(await page.getByText(portal.client.id).count()).toBeGreaterThan(0);
    expect(scriptErrors).toEqual([]);
  }, 90_000);

  it("the Organization filter narrows Clients and the audit log too", async () => {
    const { organization, clients } = traffic;
    const elsewhere = await createClient(uniqueName("Default org client"));
    await signIn(page);
    await goTo(page, "Clients");
    await row(page, elsewhere.client.name).waitFor();
    await page.getByRole("combobox", { name: "Organization" }).first().waitFor();
    // The Overview, left while its answers were on their way, is gone for good.
    expect(await page.getByRole("heading", { level: 1 }).allTextContents()).toEqual(["Clients"]);
    await page.getByRole("combobox", { name: "Organization", exact: true }).selectOption({ label: organization.name });
    await row(page, elsewhere.client.name).waitFor({ state: "detached" });
    await row(page, "Partner Sandbox").waitFor();
    expect(await page.getByRole("row").count()).toBe(1 + clients.length);

    await goTo(page, "Audit log");
    await row(page, elsewhere.client.id).first().waitFor();
    await page.getByRole("combobox", { name: "Organization", exact: true }).selectOption({ label: organization.name });
    await row(page, elsewhere.client.id).first().waitFor({ state: "detached" });
    // The filtered page may still be loading once the other organization's rows are gone.
    await row(page, clients[0]!.client.id).first().waitFor();
  });

  it("overview page: accessible, no horizontal scroll at 375 px, and its screenshot", async () => {
    await signIn(page);
    await page.getByRole("heading", { name: "Overview", level: 1 }).waitFor();
    await page
      .getByRole("combobox", { name: "Organization", exact: true })
      .selectOption({ label: traffic.organization.name });
    await page.getByRole("combobox", { name: "Period", exact: true }).selectOption({ label: "Last 7 days" });
    await page.getByRole("img", { name: /Daily requests/ }).waitFor();
    await row(page, "Patient Portal").waitFor();
    await expectAccessible(page);
    await page.screenshot({ path: screenshotPath("console-overview.png"), fullPage: true });
    await page.setViewportSize({ width: 375, height: 740 });
    await expectNoHorizontalScroll(page);
    await expectAccessible(page);
  });
});
