import { expect } from "vitest";
import { NafsiError } from "../src/index.js";

/** Awaits a verification that must reject with NafsiError `invalid_signature`, and returns the error. */
export async function refusal(promise: Promise<unknown>): Promise<NafsiError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(NafsiError);
  expect(error).toMatchObject({ code: "invalid_signature" });
  return error as NafsiError;
}
