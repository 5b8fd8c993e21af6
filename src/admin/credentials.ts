import { type Credentials, TagKeyMissing, credentialsOf } from "../domain/credentials";
import { ApiError } from "../lib/errors";

/** The gateway's credential tags; without CREDENTIAL_TAG_KEY the admin API cannot mint or check any. */
export async function adminCredentials(env: Env): Promise<Credentials> {
  try {
    return await credentialsOf(env);
  } catch (err) {
    if (err instanceof TagKeyMissing) {
      throw new ApiError("service_unavailable", "The gateway is not configured (CREDENTIAL_TAG_KEY is not set).");
    }
    throw err;
  }
}
