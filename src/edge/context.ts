import type { Environment } from "../domain/credentials";
import type { RateLimitState } from "../domain/rate-limit-headers";
import type { BaseEnv } from "../lib/context";
import type { CredentialProof } from "../object/protocol";

/** What the data-plane middleware hand down the pipeline. */
export interface Credential {
  clientId: string;
  environment: Environment;
  workflowId: string | null;
  proof: CredentialProof;
}

export interface EdgeEnv {
  Bindings: Env;
  Variables: BaseEnv["Variables"] & {
    credential: Credential;
    rateLimit: RateLimitState;
    /** The admitted request's organization, as the client's object answered it. */
    organizationId: string;
  };
}
