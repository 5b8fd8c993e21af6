import type { BaseEnv } from "../lib/context";
import type { SecretShown } from "./idempotency";
import type { Principal } from "./principal";

export interface AdminEnv {
  Bindings: Env;
  Variables: BaseEnv["Variables"] & {
    /** Set when admin authentication passed: who is calling, with which permissions and scope. */
    principal: Principal;
    /** Set by a route whose answer shows a secret (see secretShown in idempotency.ts). */
    secretShown?: SecretShown;
  };
}
