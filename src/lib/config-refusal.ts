/**
 * A setting with a value the gateway refuses to guess about (e.g. SECRET_MAX_AGE_DAYS = 900): the
 * calls that depend on it answer 503 until it is fixed, and the problem is logged once per isolate
 * (a Worker has no start-up step that could refuse to boot, so the first use is where it shows).
 */
import { ApiError } from "./errors";
import { log } from "./log";

const logged = new Set<string>();

export function logConfigProblem(problem: string): void {
  if (logged.has(problem)) return;
  logged.add(problem);
  log("error", "config_invalid", { problem });
}

/** The 503 answer names the setting only; its value and the rule are in the log line. */
export function configRefusal(setting: { variable: string; problem: string }): ApiError {
  logConfigProblem(setting.problem);
  return new ApiError(
    "service_unavailable",
    `The gateway is misconfigured: ${setting.variable} is not valid (the operator's log says why).`,
  );
}
