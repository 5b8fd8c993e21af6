/**
 * Creating or re-keying a workflow takes the client's current secret only. The generic answer is
 * "Invalid client secret"; the messages below name the common mistakes (a pasted space, the other
 * environment's secret) that can be told from the value alone, without revealing anything stored.
 */
import { type Environment, secretShapeEnvironment } from "./credentials";
import { ApiError } from "../lib/errors";

export const INVALID_SECRET = "Invalid client secret";

export function precheckSecret(secret: string, clientEnvironment: Environment): void {
  if (secret !== secret.trim()) {
    throw new ApiError(
      "invalid_client_secret",
      `${INVALID_SECRET}: it has leading or trailing white space. Paste it again without spaces or line breaks.`,
    );
  }
  const environment = secretShapeEnvironment(secret);
  if (environment !== null && environment !== clientEnvironment) {
    const [prefix, other] = environment === "sandbox" ? ["sk_test_", "production"] : ["sk_live_", "sandbox"];
    throw new ApiError(
      "invalid_client_secret",
      `${INVALID_SECRET}: this is a ${environment} secret (${prefix}) but the client is a ${other} client.`,
    );
  }
  if (environment === null) throw new ApiError("invalid_client_secret", INVALID_SECRET);
}
