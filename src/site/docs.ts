import { html, raw } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";

/** The page's stylesheet, served from its own path: the page's CSP allows no inline style. */
export const DOCS_CSS_PATH = "/docs.css";
export const DOCS_CSS =
  "body{font:15px/1.5 system-ui,sans-serif;max-width:960px;margin:2em auto;padding:0 1em}section{border-top:1px solid #ddd;padding:.5em 0}.m{font-weight:700;color:#06c}pre{background:#f6f6f6;padding:.5em;overflow:auto;font-size:12px}";

/** The subset of JSON Schema the API's zod schemas produce. */
interface Schema {
  $ref?: string;
  type?: string | string[];
  enum?: unknown[];
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: string[];
  description?: string;
  default?: unknown;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  maxItems?: number;
  anyOf?: Schema[];
}

interface Operation {
  summary?: string;
  description?: string;
  tags?: string[];
  parameters?: { name: string; in: string; required?: boolean; schema?: { type?: string }; description?: string }[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
  responses?: Record<
    string,
    { description?: string; headers?: Record<string, unknown>; content?: Record<string, { example?: unknown }> }
  >;
  security?: Record<string, string[]>[];
  "x-codeSamples"?: { source: string }[];
}
type Doc = {
  info: { title: string; version: string; description?: string };
  paths: Record<string, Record<string, Operation>>;
  components?: {
    schemas?: Record<string, Schema>;
    securitySchemes?: Record<string, { name?: string; scheme?: string; description?: string }>;
  };
};

function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[ch]!,
  );
}

/** The one piece of markdown the descriptions use: `code`. Escaped first, so text is never markup. */
export function inlineMarkdown(text: string | undefined): HtmlEscapedString | Promise<HtmlEscapedString> {
  return raw(escapeHtml(text ?? "").replace(/`([^`]+)`/g, "<code>$1</code>"));
}

/** A schema with its $ref followed (to the document's components), at most a few levels deep. */
function resolve(doc: Doc, schema: Schema, depth = 0): Schema {
  if (!schema.$ref || depth > 8) return schema;
  const name = schema.$ref.replace(/^#\/components\/schemas\//, "");
  const target = doc.components?.schemas?.[name];
  return target ? resolve(doc, target, depth + 1) : schema;
}

/** E.g. "integer, 1..1000", "one of "production", "sandbox"", "array (at most 50 items) of string, at most 300 characters". */
function describeType(doc: Doc, schema: Schema): string {
  const s = resolve(doc, schema);
  if (s.enum) return `one of ${s.enum.map((v) => JSON.stringify(v)).join(", ")}`;
  if (s.anyOf) return s.anyOf.map((alt) => describeType(doc, alt)).join(" or ");
  const type = [s.type ?? "any"].flat().join(" or ");
  if (type === "array" && s.items) {
    const most = s.maxItems !== undefined ? ` (at most ${s.maxItems} items)` : "";
    return `array${most} of ${describeType(doc, s.items)}`;
  }
  const [min, max] = type === "string" ? [s.minLength, s.maxLength] : [s.minimum, s.maximum];
  const range =
    min !== undefined && max !== undefined
      ? `${min}..${max}`
      : max !== undefined
        ? `at most ${max}`
        : min !== undefined
          ? `at least ${min}`
          : "";
  const unit = range && type === "string" ? " characters" : "";
  return range ? `${type}, ${range}${unit}` : type;
}

/** A request body as the list of its fields (the referenced schema's, not its $ref). */
function bodyFields(doc: Doc, schema: Schema) {
  const s = resolve(doc, schema);
  const required = new Set(s.required ?? []);
  return Object.entries(s.properties ?? {}).map(([name, prop]) => {
    const p = resolve(doc, prop);
    return html`<li>
      <code>${name}</code> (${describeType(doc, p)}${required.has(name) ? ", required" : ""}${
        p.default !== undefined ? html`, default <code>${JSON.stringify(p.default)}</code>` : ""
      })
      ${inlineMarkdown(p.description)}
    </li>`;
  });
}

/** "X-Client-ID + X-Client-Secret, or X-Client-ID + X-Workflow-ID": the headers each alternative sends. */
function credentials(doc: Doc, security: Record<string, string[]>[]): string {
  const schemes = doc.components?.securitySchemes ?? {};
  const label = (name: string) =>
    schemes[name]?.name ?? (schemes[name]?.scheme === "bearer" ? "Authorization: Bearer <token>" : name);
  return security.map((alternative) => Object.keys(alternative).map(label).join(" + ")).join(", or ");
}

/** The first example of the operation's successful answer, as the JSON it is. */
function exampleAnswer(op: Operation): string | undefined {
  const success = Object.entries(op.responses ?? {}).find(([status]) => status.startsWith("2"))?.[1];
  const example = Object.values(success?.content ?? {}).find((media) => media.example !== undefined)?.example;
  return example === undefined ? undefined : JSON.stringify(example, null, 2);
}

/**
 * A self-contained HTML reference rendered from the OpenAPI document itself (no CDN script: the
 * page must work offline and cannot drift from /openapi.json).
 *
 * Why not an OpenAPI renderer such as Scalar's: tried with @scalar/api-reference 1.76.0's
 * standalone build served from this origin under this page's CSP (security-headers.ts), it
 * rendered, but Chromium blocked 17 inline styles ("Applying inline style violates ... style-src
 * 'self'"): it needs style-src 'unsafe-inline', which the console's policy refuses. And it is
 * 4.9 MB of script (1.4 MB gzip) against this page's few kilobytes, with hosted fonts (off with
 * withDefaultFonts: false) and "Ask AI"/"Deploy" buttons that call Scalar's services. Redoc
 * 3.0.1's standalone build (2.3 MB, 650 KB gzip) meets the same refusal ("Applying inline style
 * violates ... style-src 'self'") and showed no operation under this policy.
 */
export function renderDocs(doc: Doc) {
  const sections = Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => {
      const params = (op.parameters ?? []).map(
        (p) =>
          html`<li>
            <code>${p.name}</code> (${p.in}${p.required ? ", required" : ""}) ${inlineMarkdown(p.description)}
          </li>`,
      );
      const body = op.requestBody?.content?.["application/json"]?.schema;
      const responses = Object.entries(op.responses ?? {}).map(
        ([status, r]) =>
          html`<li>
            <code>${status}</code> ${inlineMarkdown(r.description)}
            ${r.headers ? html`<br />Headers: ${Object.keys(r.headers).map((h) => html`<code>${h}</code> `)}` : ""}
          </li>`,
      );
      const request = op["x-codeSamples"]?.[0]?.source;
      const answer = exampleAnswer(op);
      return html`<section>
        <h3><span class="m">${method.toUpperCase()}</span> <code>${path}</code></h3>
        <p><strong>${inlineMarkdown(op.summary)}</strong></p>
        ${op.description ? html`<p>${inlineMarkdown(op.description)}</p>` : ""}
        ${op.security?.length ? html`<p>Credentials: <code>${credentials(doc, op.security)}</code></p>` : ""}
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
                <ul>
                  ${bodyFields(doc, body)}
                </ul>`
            : ""
        }
        ${
          request
            ? html`<h4>Example request</h4>
                <pre>${request}</pre>`
            : ""
        }
        <h4>Responses</h4>
        <ul>
          ${responses}
        </ul>
        ${
          answer
            ? html`<h4>Example answer</h4>
                <pre>${answer}</pre>`
            : ""
        }
      </section>`;
    }),
  );
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <title>${doc.info.title} — API reference</title>
        <link rel="stylesheet" href="${DOCS_CSS_PATH}" />
      </head>
      <body>
        <h1>${doc.info.title} <small>${doc.info.version}</small></h1>
        <p>${inlineMarkdown(doc.info.description)}</p>
        <p>Machine-readable: <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1).</p>
        <h2>Credentials</h2>
        <ul>
          ${Object.entries(doc.components?.securitySchemes ?? {}).map(
            ([name, scheme]) =>
              html`<li><code>${scheme.name ?? name}</code> ${inlineMarkdown(scheme.description)}</li>`,
          )}
        </ul>
        ${sections}
      </body>
    </html>`;
}
