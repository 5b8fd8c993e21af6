import { createMiddleware } from "hono/factory";
import { secretMaxAgeDays } from "../domain/secret-hygiene";
import { configRefusal } from "../lib/config-refusal";
import type { AdminEnv } from "./context";

/** SECRET_MAX_AGE_DAYS, or the 503 that an invalid value makes of every admin call. */
export function secretMaxAgeOf(env: Env): number {
  const setting = secretMaxAgeDays(env);
  if (!setting.ok) throw configRefusal(setting);
  return setting.value;
}

/** Every client the API shows carries rotation_due_at, so the admin API needs the setting first. */
export const requireHygieneConfig = () =>
  createMiddleware<AdminEnv>(async (c, next) => {
    secretMaxAgeOf(c.env);
    await next();
  });
