import type { Context } from "hono";
import type { ZodError } from "zod";
import { CREDENTIAL_PREFIXES } from "./credential-prefixes";
import { ApiError, type FieldIssue } from "./errors";

type HookResult = { success: true } | { success: false; error: ZodError };

/** What `field` says instead of a name that an error must not repeat. */
export const UNKNOWN_FIELD = "(unknown field)";
/** Longer than any name of ours: more likely a value (a token, a key) than a misspelt field. */
const MAX_NAMED_LENGTH = 64;

/** A name the caller chose that may be a credential pasted in the wrong place. */
const mayBeCredential = (name: PropertyKey): boolean =>
  typeof name === "string" &&
  (name.length > MAX_NAMED_LENGTH || CREDENTIAL_PREFIXES.some((prefix) => name.startsWith(prefix)));

/** A field's path as `details` names it, or UNKNOWN_FIELD when any part of it may be a credential. */
const fieldName = (path: readonly PropertyKey[]): string =>
  path.some(mayBeCredential) ? UNKNOWN_FIELD : path.map(String).join(".");

/**
 * zod issues as the contract's `details`: one `{field, message}` per problem, unknown keys named
 * (unless the name may be a credential: contract "Idempotent requests and request bodies"). The
 * messages are ours or zod's, which never quote a key.
 */
export function issuesToDetails(error: ZodError): FieldIssue[] {
  const details: FieldIssue[] = [];
  for (const issue of error.issues) {
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) details.push({ field: fieldName([...issue.path, key]), message: "Unknown field." });
    } else {
      details.push({ field: fieldName(issue.path) || "body", message: issue.message });
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
      // Only the body's own keys: a nested object (alert_settings) has no immutable fields.
      if (issue.code !== "unrecognized_keys" || issue.path.length > 0) continue;
      const field = issue.keys.find((k) => immutable.includes(k));
      if (field !== undefined) {
        throw new ApiError("immutable_field", `${field} cannot be changed.`, { extra: { field } });
      }
    }
    return validationHook(result, c);
  };
