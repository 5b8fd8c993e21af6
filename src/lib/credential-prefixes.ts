/**
 * How the gateway's credentials and IDs begin (src/domain/credentials.ts mints and checks them).
 * They live in the bottom layer because the validation hook (src/lib/validation.ts) needs them too:
 * a name the caller typed that starts with one of them may be a credential pasted in the wrong
 * place, and an error never repeats it.
 */
export const PREFIX = {
  clientId: { production: "nafsi_live_", sandbox: "nafsi_test_" },
  secret: { production: "sk_live_", sandbox: "sk_test_" },
  workflowId: "wf_",
  adminSecret: "nafsi_admin_",
} as const;

/** Standard Webhooks' prefix of a webhook endpoint's signing secret. */
export const WEBHOOK_SECRET_PREFIX = "whsec_";

/** Every prefix a credential (or an ID that travels beside one) of the gateway starts with. */
export const CREDENTIAL_PREFIXES: readonly string[] = [
  ...Object.values(PREFIX.clientId),
  ...Object.values(PREFIX.secret),
  PREFIX.workflowId,
  PREFIX.adminSecret,
  WEBHOOK_SECRET_PREFIX,
];
