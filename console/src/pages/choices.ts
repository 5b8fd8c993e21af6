// Choices and field settings that more than one form offers.

export const STATUSES = [
  { value: "active", label: "Active" },
  { value: "inactive", label: "Inactive" },
];

export const ENVIRONMENTS = [
  { value: "production", label: "Production" },
  { value: "sandbox", label: "Sandbox" },
];

export const STATUS_FIELD = { label: "Status", name: "status", kind: "select", options: STATUSES } as const;
export const ENVIRONMENT_FIELD = {
  label: "Environment",
  name: "environment",
  kind: "select",
  options: ENVIRONMENTS,
} as const;

/** A client's `Rate Limit` (requests per minute, the API's 1..1000), in create and edit. */
export const RATE_LIMIT_FIELD = {
  label: "Rate Limit",
  name: "rate_limit",
  kind: "number",
  min: 1,
  max: 1000,
  required: true,
} as const;

/** A name field (clients, workflows, tokens, organizations): the API's 1..200 characters. */
export const nameField = (label: string) => ({ label, name: "name", required: true, maxLength: 200 }) as const;
