/** The Durable Object that speaks for one client ID (named by it, so every edge reaches the same one). */
export const authorityFor = (env: Env, clientId: string) => env.CLIENT_AUTHORITY.getByName(clientId);
