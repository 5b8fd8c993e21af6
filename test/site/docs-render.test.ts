/** GET /docs shows request bodies as their fields ($ref followed) and `code` in descriptions as <code>. */
import { describe, expect, it } from "vitest";
import { renderDocs } from "../../src/site/docs";
import { call } from "../support/helpers";

async function docsPage(): Promise<string> {
  const res = await call("/docs");
  expect(res.status).toBe(200);
  expect(res.headers.get("Content-Type")).toMatch(/^text\/html/);
  return res.text();
}

/** The section of one operation, from its heading to the next section. */
function section(page: string, method: string, path: string): string {
  const start = page.indexOf(`<span class="m">${method}</span> <code>${path}</code>`);
  expect(start, `${method} ${path}`).toBeGreaterThan(0);
  const end = page.indexOf("<section>", start);
  return page.slice(start, end < 0 ? undefined : end);
}

describe("GET /docs", () => {
  it("shows each request body's fields, not a $ref", async () => {
    const page = await docsPage();
    expect(page).not.toContain("$ref");
    expect(page).not.toContain("#/components/schemas");

    const create = section(page, "POST", "/admin/clients");
    expect(create).toMatch(/<code>name<\/code> \(string, 1\.\.200 characters, required\)/);
    expect(create).toMatch(
      /<code>environment<\/code> \(one of &quot;production&quot;, &quot;sandbox&quot;, required\)/,
    );
    expect(create).toMatch(/<code>rate_limit<\/code> \(integer, 1\.\.1000\)\s*Requests per minute/);
    expect(create).toContain("<code>retention_days</code>");

    const workflow = section(page, "POST", "/admin/workflows");
    for (const field of ["client_id", "client_secret", "name", "allowed_origins"]) {
      expect(workflow).toContain(`<code>${field}</code>`);
    }
    expect(workflow).toMatch(
      /<code>allowed_origins<\/code> \(array \(at most 50 items\) of string, at most 300 characters\)/,
    );

    const regenerate = section(page, "POST", "/admin/clients/{client_id}/regenerate-secret");
    expect(regenerate).toMatch(/<code>grace_period_seconds<\/code> \(integer, 0\.\.604800, default <code>0<\/code>\)/);
  });

  it("shows the data plane with its credentials, an example request and answer, and only each call's error codes", async () => {
    const page = await docsPage();
    const post = section(page, "POST", "/v1/{path}");
    expect(post).toContain("<code>X-Client-ID + X-Client-Secret, or X-Client-ID + X-Workflow-ID</code>");
    expect(post).toMatch(/<h4>Example request<\/h4>\s*<pre>curl -s -X POST/);
    expect(post).toContain("&quot;authenticated&quot;: true");
    expect(post).toContain("<code>rate_limit_exceeded</code>");
    expect(post).toContain("<code>origin_not_allowed</code>");
    expect(post).toMatch(/<code>429<\/code>[\s\S]*Headers:[\s\S]*<code>Retry-After<\/code>/);

    const list = section(page, "GET", "/admin/clients");
    expect(list).toContain("<h4>Example answer</h4>");
    expect(list).not.toContain("immutable_field");
    expect(section(page, "PATCH", "/admin/clients/{client_id}")).toContain("<code>immutable_field</code>");
  });

  it("renders markdown backticks as <code>, with the text inside escaped", async () => {
    const page = await docsPage();
    // The API description: "Admin calls take `Authorization: Bearer <token>`: …"
    expect(page).toContain("<code>Authorization: Bearer &lt;token&gt;</code>");
    const text = page.replace(/<style>[\s\S]*?<\/style>/, "");
    expect(text).not.toContain("`");
  });

  it("escapes HTML in descriptions before rendering backticks", () => {
    const page = String(
      renderDocs({
        info: { title: "T", version: "1", description: "<script>alert(1)</script> and `<b>x</b>` & `a`" },
        paths: {},
      }),
    );
    expect(page).not.toContain("<script>alert");
    expect(page).not.toContain("<b>x</b>");
    expect(page).toContain(
      "&lt;script&gt;alert(1)&lt;/script&gt; and <code>&lt;b&gt;x&lt;/b&gt;</code> &amp; <code>a</code>",
    );
  });
});
