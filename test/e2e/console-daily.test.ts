// The console's daily work (contract "Admin console", "Daily work"), in Chromium, found by role and
// accessible name: filters that narrow lists holding rows of more than one kind, names beside IDs,
// audit changes, role presets, re-keying after a regeneration, no write actions on a revoked
// client's workflows, a failed page that shows only its error, and axe on every page. The pages'
// screenshots in docs/ are taken here (CONSOLE_SCREENSHOTS=1).
import { beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import type { Client } from "@nafsi/sdk";
import {
  consolePerTest,
  eventually,
  expectAccessible,
  expectNoHorizontalScroll,
  goTo as follow,
  row,
  screenshotPath,
  signIn,
  uniqueName,
} from "./support/console";
import { gateway, sdkAdmin } from "./support/shared";

let page: Page;
consolePerTest((o) => (page = o.page));

const admin = () => sdkAdmin();
const verify = (clientId: string, secret: string) =>
  fetch(`${gateway().baseUrl}/v1/verify`, {
    method: "POST",
    headers: { "X-Client-ID": clientId, "X-Client-Secret": secret },
    body: "{}",
  }).then((r) => r.arrayBuffer());

// Made once: two clients changed by two actors, a revoked client with a workflow, and alerts of two
// types on two clients.
let alpha: Client;
let beta: Client;
let sandbox: Client;
let revoked: Client;
let revokedWorkflowName: string;
let robot: { id: string; name: string };
let robotClient: Client;

beforeAll(async () => {
  const api = admin();
  let created = await api.clients.create({ name: uniqueName("Alpha Payments"), environment: "production" });
  alpha = created.client;
  await api.clients.update(alpha.id, { rate_limit: 250 });
  created = await api.clients.create({ name: uniqueName("Beta Lending"), environment: "production" });
  beta = created.client;
  const betaSecret = created.client_secret;
  created = await api.clients.create({ name: uniqueName("Gamma Sandbox"), environment: "sandbox" });
  sandbox = created.client;
  const sandboxSecret = created.client_secret;
  created = await api.clients.create({ name: uniqueName("Retired Kiosk"), environment: "production" });
  revoked = created.client;
  revokedWorkflowName = uniqueName("Kiosk check-in");
  await api.workflows.create({
    client_id: revoked.id,
    client_secret: created.client_secret,
    name: revokedWorkflowName,
  });
  await api.clients.revoke(revoked.id);

  const minted = await api.tokens.create({
    name: uniqueName("Provisioning robot"),
    permissions: ["clients:read", "clients:write"],
  });
  robot = { id: minted.token.id, name: minted.token.name };
  robotClient = (
    await sdkAdmin(minted.secret).clients.create({ name: uniqueName("Robot made"), environment: "sandbox" })
  ).client;

  // Alerts: failed authentications on Beta, the rate limit approaching on the sandbox client (10/min).
  for (let i = 0; i < 6; i++) await verify(beta.id, "sk_live_wrong");
  for (let i = 0; i < 10; i++) await verify(sandbox.id, sandboxSecret);
  await verify(beta.id, betaSecret);
  await eventually(async () => {
    const types = new Set<string>();
    for await (const a of api.alerts.list({ limit: 100 }))
      if (a.client_id === beta.id || a.client_id === sandbox.id) types.add(`${a.client_id} ${a.type}`);
    return types.has(`${beta.id} failed_authentication`) && types.has(`${sandbox.id} rate_limit_approaching`)
      ? true
      : undefined;
  });
});

const goTo = (link: string, heading = link) => follow(page, link, heading);
const rows = () => page.getByRole("table").getByRole("row");
/** The body rows' text, once the list has settled (no "Loading"). */
async function bodyRows(): Promise<string[]> {
  await page.getByRole("status").filter({ hasText: "Loading" }).waitFor({ state: "detached" });
  return (await rows().allTextContents()).slice(1);
}
async function waitForRows(check: (texts: string[]) => boolean) {
  await eventually(async () => {
    const texts = await bodyRows();
    return texts.length > 0 && check(texts) ? texts : undefined;
  }, 15_000);
  return bodyRows();
}

async function checkPage() {
  await expectAccessible(page);
  await page.setViewportSize({ width: 375, height: 740 });
  await expectNoHorizontalScroll(page);
  await expectAccessible(page);
  await page.setViewportSize({ width: 1280, height: 800 });
}

describe("console daily work: audit log", () => {
  it("filters by Actor, Action and Target, names each target beside its ID, and shows each entry's changes", async () => {
    await goTo("Audit log");
    const all = await waitForRows((t) => t.some((r) => r.includes(robotClient.id)));
    // More than one kind: several actors and actions on the first page.
    expect(all.some((r) => r.includes("bootstrap"))).toBe(true);
    expect(all.some((r) => r.includes(robot.id))).toBe(true);
    const actions = () => page.locator('td[data-label="Action"]').allTextContents();
    expect(new Set(await actions()).size).toBeGreaterThan(1);

    // Names beside IDs: the client, the token.
    const patch = row(page, alpha.id).filter({ hasText: "client.update" });
    expect(await patch.textContent()).toContain(alpha.name);
    // The PATCH of rate_limit 100 → 250, both numbers in its entry.
    expect(await patch.getByRole("cell").filter({ hasText: "rate_limit" }).textContent()).toContain(
      "rate_limit: 100 → 250",
    );
    expect(await row(page, robotClient.id).first().textContent()).toContain(robot.name);

    const actor = page.getByRole("combobox", { name: "Actor", exact: true });
    await actor.selectOption({ label: robot.name });
    let shown = await waitForRows((t) => t.every((r) => r.includes(robot.id)));
    expect(shown.length).toBeGreaterThan(0);
    expect(shown.every((r) => r.includes("client.create") && r.includes(robot.id))).toBe(true);
    await actor.selectOption({ label: "All actors" });

    const action = page.getByRole("combobox", { name: "Action", exact: true });
    await action.selectOption("client.revoke");
    shown = await waitForRows((t) => t.every((r) => r.includes("client.revoke")));
    expect(shown.some((r) => r.includes(revoked.id))).toBe(true);
    await action.selectOption({ label: "All actions" });

    const target = page.getByRole("combobox", { name: "Target", exact: true });
    await target.selectOption({ label: alpha.name });
    shown = await waitForRows((t) => t.every((r) => r.includes(alpha.id)));
    expect(shown).toHaveLength(2);
    expect(await actions()).toEqual(["client.update", "client.create"]);
    await target.selectOption({ label: "All targets" });
    await waitForRows((t) => t.some((r) => r.includes(robotClient.id)));
    await page.screenshot({ path: screenshotPath("console-audit-log.png") });
    await checkPage();
  });
});

describe("console daily work: alerts", () => {
  it("filters by Type and Client and shows each alert's client by name", async () => {
    await goTo("Alerts");
    const all = await waitForRows((t) => t.some((r) => r.includes(beta.id)) && t.some((r) => r.includes(sandbox.id)));
    expect(all.some((r) => r.includes("Failed authentication"))).toBe(true);
    expect(all.some((r) => r.includes("Rate limit approaching"))).toBe(true);
    expect(await row(page, beta.id).first().textContent()).toContain(beta.name);

    const type = page.getByRole("combobox", { name: "Type", exact: true });
    await type.selectOption({ label: "Failed authentication" });
    let shown = await waitForRows((t) => t.every((r) => r.includes("Failed authentication")));
    expect(shown.some((r) => r.includes(beta.id))).toBe(true);
    expect(shown.some((r) => r.includes(sandbox.id))).toBe(false);
    await type.selectOption({ label: "All types" });

    const client = page.getByRole("combobox", { name: "Client", exact: true });
    await client.selectOption({ label: sandbox.name });
    shown = await waitForRows((t) => t.every((r) => r.includes(sandbox.id)));
    expect(shown.some((r) => r.includes("Rate limit approaching"))).toBe(true);
    await client.selectOption({ label: "All clients" });
    await waitForRows((t) => t.some((r) => r.includes(beta.id)));
    await page.screenshot({ path: screenshotPath("console-alerts.png") });
    await checkPage();
  });
});

describe("console daily work: admin tokens", () => {
  it("role presets tick permissions (Read only: no write permission), each permission described, client scope by name", async () => {
    await goTo("Admin tokens");
    await page.getByRole("button", { name: "Create Admin Token" }).click();
    const dialog = page.getByRole("dialog", { name: "Create Admin Token" });
    const boxes = dialog.getByRole("group", { name: "Permissions" }).getByRole("checkbox");
    const ticked = async () => {
      const out: string[] = [];
      for (const box of await boxes.all()) if (await box.isChecked()) out.push((await box.getAttribute("value"))!);
      return out;
    };

    await dialog.getByRole("radio", { name: "Read only" }).check();
    const readOnly = await ticked();
    expect(readOnly).toContain("clients:read");
    expect(readOnly).toContain("audit:read");
    expect(readOnly.filter((p) => !p.endsWith(":read"))).toEqual([]);

    await dialog.getByRole("radio", { name: "Developer" }).check();
    expect(await ticked()).toEqual(
      expect.arrayContaining(["clients:read", "clients:write", "workflows:read", "workflows:write"]),
    );
    expect(await ticked()).not.toContain("tokens:manage");
    await dialog.getByRole("radio", { name: "Security" }).check();
    expect(await ticked()).toEqual(expect.arrayContaining(["clients:rotate", "clients:revoke", "audit:read"]));
    await dialog.getByRole("radio", { name: "Owner" }).check();
    expect((await ticked()).length).toBe(await boxes.count());

    // One line per permission, read out with its checkbox.
    for (const box of await boxes.all()) {
      const description = await box.evaluate((el) => {
        const id = el.getAttribute("aria-describedby");
        return id ? (document.getElementById(id)?.textContent ?? "") : "";
      });
      expect(description.length, (await box.getAttribute("value"))!).toBeGreaterThan(10);
    }
    await dialog.getByRole("radio", { name: "Read only" }).check();
    await page.screenshot({ path: screenshotPath("console-admin-tokens.png") });
    await expectAccessible(page);

    const name = uniqueName("Alpha auditor");
    await dialog.getByLabel("Token Name").fill(name);
    await dialog.getByRole("group", { name: "Client scope" }).getByRole("checkbox", { name: alpha.name }).check();
    await dialog.getByRole("button", { name: "Create Token" }).click();
    const result = page.getByRole("dialog", { name: "Admin Token Created" });
    const secret = (await result.locator('[data-credential="secret"]').textContent())!;
    const me = await sdkAdmin(secret).me();
    expect(me.client_ids).toEqual([alpha.id]);
    expect(me.permissions.every((p) => p.endsWith(":read"))).toBe(true);
    await result.getByRole("button", { name: "Done" }).click();
    // The list names the scope's client.
    expect(await row(page, name).textContent()).toContain(alpha.name);
    await checkPage();
  });

  it("the header says Signed in as the token's name, not its ID", async () => {
    const minted = await admin().tokens.create({ name: uniqueName("Night shift"), permissions: ["alerts:read"] });
    await page.getByRole("button", { name: "Sign out" }).click();
    await signIn(page, minted.secret);
    const header = page.getByRole("banner");
    expect(await header.textContent()).toContain(`Signed in as ${minted.token.name}`);
    expect(await header.textContent()).not.toContain(minted.token.id);
  });
});

describe("console daily work: workflows and re-keying", () => {
  it("the regenerate dialog says workflows must be re-keyed; afterwards the workflow shows Needs re-key until it is", async () => {
    const api = admin();
    const { client, client_secret } = await api.clients.create({
      name: uniqueName("Delta Mobile"),
      environment: "production",
    });
    const workflowName = uniqueName("Delta onboarding");
    const { workflow } = await api.workflows.create({ client_id: client.id, client_secret, name: workflowName });

    await goTo("Clients");
    await row(page, client.id).getByRole("button", { name: "Regenerate Secret" }).click();
    const dialog = page.getByRole("dialog", { name: `Regenerate the secret of ${client.name}` });
    expect(await dialog.textContent()).toMatch(/Workflows must be re-keyed with the new secret/);
    await dialog.getByLabel("Grace period").selectOption({ label: "1 day" });
    await expectAccessible(page);
    await page.screenshot({ path: screenshotPath("console-regenerate.png") });
    await dialog.getByRole("button", { name: "Regenerate" }).click();
    const shown = page.getByRole("dialog", { name: "New Client Secret" });
    const secret = (await shown.locator('[data-credential="secret"]').textContent())!;
    await shown.getByRole("button", { name: "Done" }).click();

    await goTo("Workflows");
    const line = row(page, workflow.id);
    await line.waitFor();
    await line.getByText("Needs re-key").waitFor();
    expect(await line.textContent()).toContain(client.name);

    // A revoked client's workflow: no Edit, Re-key, Activate or Deactivate.
    const retired = row(page, revokedWorkflowName);
    expect(await retired.textContent()).toContain("Client revoked");
    expect(await retired.getByRole("button").count()).toBe(0);
    await page.screenshot({ path: screenshotPath("console-workflows.png") });
    await checkPage();

    await line.getByRole("button", { name: "Re-key" }).click();
    const rekey = page.getByRole("dialog", { name: `Re-key ${workflowName}` });
    await rekey.getByLabel("Client Secret").fill(secret);
    await rekey.getByRole("button", { name: "Re-key" }).click();
    await rekey.waitFor({ state: "detached" });
    await line.getByText("Needs re-key").waitFor({ state: "detached" });
    expect((await api.workflows.get(workflow.id)).workflow.needs_rekey).toBe(false);
  });
});

describe("console daily work: a page that fails to load", () => {
  it("moving from one client's usage to another's that fails shows only the error", async () => {
    await goTo("Clients");
    await row(page, alpha.id).getByRole("button", { name: "View Usage" }).click();
    await page.getByRole("heading", { name: "Usage", level: 1 }).waitFor();
    await page.getByText("Total requests").waitFor();
    expect(await page.getByText(alpha.name).count()).toBeGreaterThan(0);

    // The same page for a client this gateway does not have: the API answers 404.
    const missing = alpha.id.replace(/.$/, (c) => (c === "A" ? "B" : "A"));
    await page.evaluate((id) => (location.hash = `#/clients/${id}/usage`), missing);
    const error = page.getByRole("alert");
    await error.waitFor();
    expect(await error.textContent()).toMatch(/\S/);
    expect(await page.getByText("Total requests").count()).toBe(0);
    expect(await page.getByText(alpha.name).count()).toBe(0);
    expect(await page.getByRole("img", { name: /Daily requests/ }).count()).toBe(0);
  });
});

describe("console daily work: every page", () => {
  it("axe finds no serious or critical violation on any page, at desktop and phone width", async () => {
    for (const link of ["Overview", "Clients", "Workflows", "Alerts", "Audit log", "Admin tokens", "Organizations"]) {
      await goTo(link);
      await page.getByRole("status").filter({ hasText: "Loading" }).waitFor({ state: "detached" });
      await checkPage();
    }
  });
});
