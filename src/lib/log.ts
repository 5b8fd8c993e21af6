/**
 * One JSON line per event. Callers pass identifiers and codes only; there is deliberately no
 * helper that logs a request's headers or body, since those carry secrets and tokens.
 */
export function log(level: "info" | "warn" | "error", event: string, fields: Record<string, unknown> = {}): void {
  const line = JSON.stringify({ level, event, at: new Date().toISOString(), ...fields });
  if (level === "error") console.error(line);
  else if (level === "warn") console.warn(line);
  else console.log(line);
}

/** An error's class and message, never its stack (stacks can hold request data in frames' text). */
export function describeError(err: unknown): { error_name: string; error_message: string } {
  if (err instanceof Error) return { error_name: err.name, error_message: err.message.slice(0, 300) };
  return { error_name: typeof err, error_message: "non-Error thrown" };
}
