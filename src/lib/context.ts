import type { RequestIdVariables } from "./request-id";

/** What every route has: the Worker's bindings and the gateway's own request ID. */
export interface BaseEnv {
  Bindings: Env;
  Variables: RequestIdVariables;
}
