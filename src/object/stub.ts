import type { LocationHint } from "../domain/records";

/**
 * The Durable Object that speaks for one client ID (named by it, so every edge reaches the same
 * one). `region` matters only on the call that creates the object (the admin's create call): an
 * object stays where it was created, and a hint for an existing object is ignored.
 */
export const authorityFor = (env: Env, clientId: string, region?: LocationHint | null) =>
  region
    ? env.CLIENT_AUTHORITY.getByName(clientId, { locationHint: region })
    : env.CLIENT_AUTHORITY.getByName(clientId);
