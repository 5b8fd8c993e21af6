/**
 * GitHub's secret-scanning report, once its signature is verified: a JSON array of
 * `{token, type, url, source}`. Extra fields GitHub may add are ignored (a partner's payload, not
 * one of our own request bodies). Limits: 1 MiB and 1,000 tokens.
 */
import { z } from "@hono/zod-openapi";
import { ApiError } from "../lib/errors";

export const MAX_REPORT_BYTES = 1024 * 1024;
export const MAX_REPORT_TOKENS = 1000;

/** Kept in alerts and audit entries, so cut to a sane length rather than refused. */
const text = (max: number) =>
  z
    .string()
    .optional()
    .transform((s) => (s ?? "").slice(0, max));

export const ReportedToken = z.object({
  token: z.string().min(1),
  type: z.string().max(200),
  url: text(2048),
  source: text(100),
});

export const LeakReportBody = z.array(ReportedToken).max(MAX_REPORT_TOKENS);

export type ReportedToken = z.infer<typeof ReportedToken>;

export const LeakFeedback = z.array(
  z.object({
    token_hash: z.string().openapi({ description: "SHA-256 hex of the reported token." }),
    token_type: z.string(),
    label: z.enum(["true_positive", "false_positive"]),
  }),
);

/** The report's entries, or a 400 that names where it went wrong (never a token's value). */
export function parseReport(body: Uint8Array): ReportedToken[] {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(body));
  } catch {
    throw ApiError.invalidRequest([{ field: "body", message: "The body must be a JSON array." }], "Malformed JSON.");
  }
  if (Array.isArray(value) && value.length > MAX_REPORT_TOKENS) {
    throw ApiError.invalidRequest(
      [{ field: "body", message: `A report may name at most ${MAX_REPORT_TOKENS} tokens.` }],
      "Too many tokens in one report.",
    );
  }
  const parsed = LeakReportBody.safeParse(value);
  if (!parsed.success) {
    throw ApiError.invalidRequest(
      parsed.error.issues.slice(0, 20).map((issue) => ({
        field: issue.path.join(".") || "body",
        message: issue.path.at(-1) === "token" ? "token must be a non-empty string." : issue.message,
      })),
      "The report is not an array of {token, type, url, source}.",
    );
  }
  return parsed.data;
}
