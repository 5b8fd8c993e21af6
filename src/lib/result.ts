import { type ErrorCode, fromRefusal } from "./errors";

/**
 * What crosses the Durable Object RPC boundary instead of a thrown ApiError: RPC keeps an
 * Error's message but not its class, so a refusal is a value and the Worker turns it into an
 * ApiError on its side.
 */
export type Refusal = {
  ok: false;
  code: ErrorCode;
  message: string;
  field?: string;
  /** Fields the error carries beside code and message (e.g. plan_limit_exceeded's limit and max). */
  extra?: Record<string, unknown>;
};
export type Outcome<T> = { ok: true; value: T } | Refusal;

export const refuse = (code: ErrorCode, message: string, field?: string, extra?: Record<string, unknown>): Refusal => ({
  ok: false,
  code,
  message,
  ...(field === undefined ? {} : { field }),
  ...(extra === undefined ? {} : { extra }),
});
export const accept = <T>(value: T): Outcome<T> => ({ ok: true, value });

/** On the Worker side: the value, or the refusal thrown as the ApiError it stands for. */
export function unwrap<T>(outcome: Outcome<T>): T {
  if (!outcome.ok) throw fromRefusal(outcome);
  return outcome.value;
}
