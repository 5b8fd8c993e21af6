/**
 * Whether the gateway is configured well enough to serve (GET /healthz): each required secret set
 * and long enough for what it keys, and each variable valid. Pure: the caller reads the env, logs
 * the problems and answers. The variables' own rules live with their users (secret-hygiene.ts);
 * this module only gathers them.
 */
import { leakedSecretAction, secretMaxAgeDays } from "./secret-hygiene";

/**
 * The secrets without which the gateway answers 503 to everyone (or to every admin), and the least
 * length each must have. The two keys are HMAC-SHA256 keys (the credential tags; the workflows'
 * HS256 refresh tokens), which RFC 7518 §3.2 asks to be at least 256 bits: 32 characters. The
 * bootstrap admin token is a bearer password with every permission: below 16 characters it could be
 * guessed. `npm start` and the README's deploy steps make 43 random base64url characters for each.
 */
export const REQUIRED_SECRETS = {
  ADMIN_TOKEN: 16,
  TOKEN_SIGNING_KEY: 32,
  CREDENTIAL_TAG_KEY: 32,
} as const;

export type RequiredSecret = keyof typeof REQUIRED_SECRETS;

/** A setting that is wrong: its name (what an answer may show) and why (for the log only). */
export interface SettingProblem {
  variable: string;
  problem: string;
}

/** Why a required secret cannot be used, or null; never its value. */
export function secretProblem(name: RequiredSecret, value: string | undefined): SettingProblem | null {
  if (!value) return { variable: name, problem: `${name} is not set.` };
  const min = REQUIRED_SECRETS[name];
  if (value.length < min) {
    return { variable: name, problem: `${name} is ${value.length} characters long; it must have at least ${min}.` };
  }
  return null;
}

const UPSTREAMS = ["UPSTREAM_URL_PRODUCTION", "UPSTREAM_URL_SANDBOX"] as const;

/** An upstream is empty (the built-in echo answers) or an absolute http(s) URL. */
export function upstreamProblem(name: (typeof UPSTREAMS)[number], value: unknown): SettingProblem | null {
  if (value === undefined || value === null || value === "") return null;
  let url: URL | null = null;
  try {
    url = new URL(String(value));
  } catch {
    /* not a URL */
  }
  if (url && (url.protocol === "https:" || url.protocol === "http:")) return null;
  return { variable: name, problem: `${name} must be empty or an absolute http(s) URL.` };
}

export type SettingsEnv = Partial<Record<RequiredSecret | (typeof UPSTREAMS)[number], string>> & {
  SECRET_MAX_AGE_DAYS?: unknown;
  LEAKED_SECRET_ACTION?: unknown;
};

/** Every problem of the configuration, in a stable order: the secrets, then the variables. */
export function settingProblems(env: SettingsEnv): SettingProblem[] {
  const problems: (SettingProblem | null)[] = [
    ...(Object.keys(REQUIRED_SECRETS) as RequiredSecret[]).map((name) => secretProblem(name, env[name])),
    ...[secretMaxAgeDays(env), leakedSecretAction(env)].map((s) => (s.ok ? null : s)),
    ...UPSTREAMS.map((name) => upstreamProblem(name, env[name])),
  ];
  return problems.filter((p): p is SettingProblem => p !== null);
}
