import { z } from "@hono/zod-openapi";

export { ErrorSchema, json, jsonRequest } from "../../lib/openapi";

/**
 * C0 controls (U+0000..U+001F, including tab and newline), DEL and the C1 controls (U+0080..U+009F).
 * They are refused rather than kept: the strings an admin sends are identifiers, origins and short
 * single-line labels, none of which has a use for them, while names travel into logs, the audit
 * log, the console and terminals, where a newline forges a log line and ESC or U+009B (CSI) starts
 * a terminal escape sequence.
 */
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * The bidirectional embeddings, overrides and isolates (U+202A..U+202E, U+2066..U+2069): they make
 * a name display as something else (an override turns "txt.exe" into what reads as "exe.txt"), in
 * the console, the audit log and every terminal that shows it. The marks (U+200E, U+200F) stay:
 * they reorder nothing on their own, and right-to-left names need them.
 */
const BIDI_CONTROL = /[\u202a-\u202e\u2066-\u2069]/;

/**
 * Every string field of an admin request (body, query or path) starts here, so that a new field
 * cannot forget these checks (test/admin/text-fields.test.ts walks /openapi.json to make sure):
 * - well-formed Unicode: a lone surrogate (JSON allows "\ud800") would be stored, then read back as
 *   U+FFFD, and would break strict JSON parsers of every page that shows it;
 * - no control characters (see CONTROL_CHARACTER) nor bidirectional controls (BIDI_CONTROL), unless
 *   `keepControls`: only for a client secret
 *   offered as proof, which is compared and never stored, shown or logged, and whose own check
 *   (invalid_client_secret) tells the caller plainly that a pasted secret has a line break or tab.
 * `abort` stops at the first failure, so that a field's own checks (an origin's shape, say) never
 * run on such a string and the caller gets this message.
 */
export const text = ({ keepControls = false } = {}) => {
  const wellFormed = z.string().refine((value) => value.isWellFormed(), {
    message: "Must be well-formed Unicode (no unpaired surrogate code points).",
    abort: true,
  });
  if (keepControls) return wellFormed;
  return wellFormed
    .refine((value) => !CONTROL_CHARACTER.test(value), {
      message: "Must not contain control characters (U+0000..U+001F, U+007F..U+009F).",
      abort: true,
    })
    .refine((value) => !BIDI_CONTROL.test(value), {
      message: "Must not contain bidirectional controls (U+202A..U+202E, U+2066..U+2069).",
      abort: true,
    });
};

export const IsoTime = z.string().datetime().nullable().openapi({ example: "2026-01-28T12:00:00.000Z" });

export const Limit = z.coerce
  .number()
  .int()
  .min(1)
  .max(100)
  .default(50)
  .openapi({ description: "Page size (1..100)." });
export const OrganizationId = text().max(200).openapi({ example: "org_4fT9kQ2mXbV7cLp0sNw3Ze" });
export const Cursor = text().max(200).optional().openapi({ description: "next_cursor of the previous page." });
