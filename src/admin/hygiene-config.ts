import { createMiddleware } from "hono/factory";
import { type HygieneSettings, hygieneSettings } from "../domain/secret-hygiene";
import { configRefusal } from "../lib/config-refusal";
import type { AdminEnv } from "./context";

/** The secret-hygiene settings, or the 503 that an invalid one makes of every admin call. */
export function hygieneOf(env: Env): HygieneSettings {
  const settings = hygieneSettings(env);
  if (!settings.ok) throw configRefusal(settings.problem);
  return settings.value;
}

/** Every client the API shows carries rotation_due_at, so the admin API needs the setting first. */
export const requireHygieneConfig = () =>
  createMiddleware<AdminEnv>(async (c, next) => {
    hygieneOf(c.env);
    await next();
  });
