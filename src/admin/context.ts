import type { BaseEnv } from "../lib/context";

export interface AdminEnv {
  Bindings: Env;
  Variables: BaseEnv["Variables"] & {
    /** Set when admin authentication passed; the audit log's actor. */
    actor: string;
  };
}
