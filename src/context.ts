import type { RequestIdVariables } from "hono/request-id";
import type { Environment } from "./auth/credentials";
import type { CredentialProof } from "./authority/protocol";

/** What the data-plane middleware hand down the pipeline. */
export interface Credential {
  clientId: string;
  environment: Environment;
  workflowId: string | null;
  proof: CredentialProof;
}

export interface RateLimitState {
  limit: number;
  remaining: number;
  resetAt: number;
  now: number;
}

export interface AppEnv {
  Bindings: Env;
  Variables: RequestIdVariables & {
    credential: Credential;
    rateLimit: RateLimitState;
    /** The Origin a workflow call was accepted from (its answer may be read by that page). */
    corsOrigin: string;
    /** Set when admin authentication passed; the audit log's actor. */
    actor: string;
  };
}
