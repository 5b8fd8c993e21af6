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

/**
 * Storage errors quote their statement and its parameters (drizzle: "Failed query: … params: …"),
 * which can include a secret's hash or a token; those parts are cut before anything is logged.
 */
export function redact(message: string): string {
  return message
    .replace(/params:[\s\S]*$/, "params: [redacted]")
    .replace(/\b[0-9a-f]{64}\b/gi, "[hash]")
    .replace(/\bsk_(live|test)_[0-9A-Za-z]+/g, "[secret]")
    .replace(/eyJ[\w-]+\.[\w-]+\.[\w-]*/g, "[token]")
    .slice(0, 300);
}

/** An error's class and redacted message, never its stack (frames' text can hold request data). */
export function describeError(err: unknown): { error_name: string; error_message: string } {
  if (err instanceof Error) return { error_name: err.name, error_message: redact(err.message) };
  return { error_name: typeof err, error_message: "non-Error thrown" };
}
