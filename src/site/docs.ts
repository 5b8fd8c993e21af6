import { html, raw } from "hono/html";

interface Operation {
  summary?: string;
  description?: string;
  tags?: string[];
  parameters?: { name: string; in: string; required?: boolean; schema?: { type?: string }; description?: string }[];
  requestBody?: { content?: Record<string, { schema?: unknown }> };
  responses?: Record<string, { description?: string }>;
}
type Doc = {
  info: { title: string; version: string; description?: string };
  paths: Record<string, Record<string, Operation>>;
};

/**
 * A self-contained HTML reference rendered from the OpenAPI document itself (no CDN script: the
 * page must work offline and cannot drift from /openapi.json).
 */
export function renderDocs(doc: Doc) {
  const sections = Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => {
      const params = (op.parameters ?? []).map(
        (p) => html`<li><code>${p.name}</code> (${p.in}${p.required ? ", required" : ""}) ${p.description ?? ""}</li>`,
      );
      const body = op.requestBody?.content?.["application/json"]?.schema;
      const responses = Object.entries(op.responses ?? {}).map(
        ([status, r]) => html`<li><code>${status}</code> ${r.description ?? ""}</li>`,
      );
      return html`<section>
        <h3><span class="m">${method.toUpperCase()}</span> <code>${path}</code></h3>
        <p><strong>${op.summary ?? ""}</strong></p>
        ${op.description ? html`<p>${op.description}</p>` : ""}
        ${
          params.length
            ? html`<h4>Parameters</h4>
                <ul>
                  ${params}
                </ul>`
            : ""
        }
        ${
          body
            ? html`<h4>Body</h4>
                <pre>${JSON.stringify(body, null, 2)}</pre>`
            : ""
        }
        <h4>Responses</h4>
        <ul>
          ${responses}
        </ul>
      </section>`;
    }),
  );
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <title>${doc.info.title} — API reference</title>
        <style>
          ${raw(
            "body{font:15px/1.5 system-ui,sans-serif;max-width:960px;margin:2em auto;padding:0 1em}section{border-top:1px solid #ddd;padding:.5em 0}.m{font-weight:700;color:#06c}pre{background:#f6f6f6;padding:.5em;overflow:auto;font-size:12px}",
          )}
        </style>
      </head>
      <body>
        <h1>${doc.info.title} <small>${doc.info.version}</small></h1>
        <p>${doc.info.description ?? ""}</p>
        <p>Machine-readable: <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1).</p>
        ${sections}
      </body>
    </html>`;
}
