import type { Context } from "hono";
import type { ZodError } from "zod";
import { ApiError, type FieldIssue } from "./errors";

type HookResult = { success: true } | { success: false; error: ZodError };

/** zod issues as the contract's `details`: one `{field, message}` per problem, unknown keys named. */
export function issuesToDetails(error: ZodError): FieldIssue[] {
  const details: FieldIssue[] = [];
  for (const issue of error.issues) {
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) details.push({ field: [...issue.path, key].join("."), message: "Unknown field." });
    } else {
      details.push({ field: issue.path.join(".") || "body", message: issue.message });
    }
  }
  return details;
}

/** The validation hook every route shares: a failed parse is a 400 invalid_request with details. */
export const validationHook = (result: HookResult, _c: Context): undefined => {
  if (!result.success) throw ApiError.invalidRequest(issuesToDetails(result.error));
  return undefined;
};

/**
 * A hook for PATCH bodies: naming a field that can never change (an ID, the environment, a secret)
 * is immutable_field rather than a generic unknown-field error, so the caller learns why.
 */
export const patchHook =
  (immutable: readonly string[]) =>
  (result: HookResult, c: Context): undefined => {
    if (result.success) return undefined;
    for (const issue of result.error.issues) {
      if (issue.code !== "unrecognized_keys") continue;
      const field = issue.keys.find((k) => immutable.includes(k));
      if (field !== undefined) {
        throw new ApiError("immutable_field", `${field} cannot be changed.`, { extra: { field } });
      }
    }
    return validationHook(result, c);
  };
