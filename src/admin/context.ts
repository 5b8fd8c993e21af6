import type { BaseEnv } from "../lib/context";
import type { Principal } from "./principal";

export interface AdminEnv {
  Bindings: Env;
  Variables: BaseEnv["Variables"] & {
    /** Set when admin authentication passed: who is calling, with which permissions and scope. */
    principal: Principal;
  };
}
