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

export function configRefusal(problem: string): ApiError {
  logConfigProblem(problem);
  return new ApiError("service_unavailable", `The gateway is misconfigured: ${problem}`);
}
