import { createMiddleware } from "hono/factory";
import { type Credentials, type Environment, TagKeyMissing, credentialsOf } from "../domain/credentials";
import { clientIdEnvironment, isWorkflowId, secretFacts } from "./credential-memo";
import { type RefreshClaims, SigningKeyMissing } from "../domain/refresh-token";
import { heldToken, holdCurrentToken, verifiedClaims } from "./token-memo";
import { isKnownWrong } from "./wrong-secrets";
import type { CredentialProof } from "../object/protocol";
import type { Credential, EdgeEnv } from "./context";
import { ApiError } from "../lib/errors";
import { executionContext } from "../lib/execution-context";
import { recordEdgeFailure } from "./edge-failures";
import { storageUnavailable } from "./fail-closed";
import { tokenFromDatabase } from "../storage/token-cache";

const MAX_HEADER_LENGTH = 256;

export const invalidCredentials = () => ApiError.shared("invalid_credentials", "Invalid client credentials.");
const missingCredentials = () =>
  ApiError.shared("missing_credentials", "Send X-Client-ID with X-Client-Secret (backends) or X-Workflow-ID (SDKs).");

async function secretProof(
  credentials: Credentials,
  clientId: string,
  environment: Environment,
  secret: string,
): Promise<CredentialProof> {
  const facts = await secretFacts(credentials, secret);
  if (facts.environment !== environment || facts.hash === null) throw invalidCredentials();
  const secretHash = facts.hash;
  if (isKnownWrong(clientId, secretHash)) throw invalidCredentials();
  return { kind: "secret", secretHash };
}

/** A header that was sent twice arrives joined with ", "; none of our values contain a comma. */
function singleHeader(c: { req: { header(name: string): string | undefined } }, name: string): string | undefined {
  const value = c.req.header(name);
  if (value === undefined) return undefined;
  if (value.length > MAX_HEADER_LENGTH) {
    throw ApiError.invalidRequest([{ field: name, message: `Longer than ${MAX_HEADER_LENGTH} characters.` }]);
  }
  if (value.includes(",")) {
    throw ApiError.invalidRequest([{ field: name, message: "Sent more than once." }]);
  }
  // An empty header is a missing one.
  return value.trim() || undefined;
}

/**
 * Everything about the credentials that can be decided at the edge without asking the client's
 * authority: presence, shape and checksum, the environment prefixes, a secret this isolate already
 * knows to be wrong, and a refresh token's signature and claims. What it produces is a proof for
 * the rate-limit step's single call to the client's Durable Object, which makes the final decision.
 */
export const authenticate = () =>
  createMiddleware<EdgeEnv>(async (c, next) => {
    const credentials = await edgeCredentials(c.env);
    const clientId = singleHeader(c, "X-Client-ID");
    // A request that names one of our client IDs counts for it whatever its outcome (contract). A
    // made-up or mistyped ID fails its keyed tag here and touches no storage.
    const named = clientId ? await clientIdEnvironment(credentials, clientId) : null;
    let secret: string | undefined;
    let workflowId: string | undefined;
    try {
      secret = singleHeader(c, "X-Client-Secret");
      workflowId = singleHeader(c, "X-Workflow-ID");
      if (secret !== undefined && workflowId !== undefined) {
        throw ApiError.invalidRequest(
          [{ field: "X-Workflow-ID", message: "Send either X-Client-Secret or X-Workflow-ID, not both." }],
          "Send either X-Client-Secret or X-Workflow-ID, not both.",
        );
      }
    } catch (err) {
      const ctx = executionContext(c);
      if (named && ctx && err instanceof ApiError) recordEdgeFailure(c.env, ctx, clientId!, err.wireCode);
      throw err;
    }
    if (!clientId) throw missingCredentials();
    const environment = named;
    if (!environment) {
      // Not one of our IDs: there is no client to count it for, and no storage is touched.
      throw secret === undefined && workflowId === undefined ? missingCredentials() : invalidCredentials();
    }

    let proof: CredentialProof;
    try {
      if (secret === undefined && workflowId === undefined) throw missingCredentials();
      proof =
        secret !== undefined
          ? await secretProof(credentials, clientId, environment, secret)
          : await workflowProof(c.env, clientId, workflowId!, c.req.header("Origin") ?? null, false);
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) {
        const ctx = executionContext(c);
        if (ctx) recordEdgeFailure(c.env, ctx, clientId, err.wireCode);
      }
      throw err;
    }
    const credential: Credential = { clientId, environment, workflowId: workflowId ?? null, proof };
    c.set("credential", credential);
    await next();
  });

/**
 * The proof for a workflow call. From KV when it holds a token that verifies and names this
 * workflow; a verified token of another client is refused at once (a workflow never changes
 * client), without D1 and without a KV write. On a real KV miss the token comes from D1's primary
 * and is cached, once. An ID KV remembers as absent is sent with no token: the Durable Object,
 * which knows every workflow of its client, either refuses it or answers "stale" (it was created
 * since), which brings the caller back here with `fromDatabase`: D1 again, and no KV write, since
 * the management call that minted the token has written KV itself.
 */
export async function workflowProof(
  env: Env,
  clientId: string,
  workflowId: string,
  origin: string | null,
  fromDatabase: boolean,
): Promise<CredentialProof> {
  if (!(await isWorkflowId(await edgeCredentials(env), workflowId))) throw invalidCredentials();
  const proofOf = (claims: RefreshClaims | null): CredentialProof => {
    if (!claims || claims.workflowId !== workflowId || claims.clientId !== clientId) throw invalidCredentials();
    return { kind: "workflow", workflowId, tokenId: claims.tokenId, secretVersion: claims.secretVersion, origin };
  };
  try {
    if (!fromDatabase) {
      const cached = await heldToken(env, workflowId);
      if (cached === null) return { kind: "uncached_workflow", workflowId, origin };
      const claims = cached === undefined ? null : await verifiedClaims(env, cached);
      // A verified token of this workflow names its client for good: no D1 and no KV write.
      if (claims?.workflowId === workflowId) return proofOf(claims);
    }
    // A miss, or an entry that is not this workflow's token (garbage, another key): D1 decides, and
    // KV is written only then, never after a "stale" (the management call wrote KV itself).
    const token = await tokenFromDatabase(env, workflowId, { cache: !fromDatabase });
    holdCurrentToken(env, workflowId, token);
    return proofOf(token === null ? null : await verifiedClaims(env, token));
  } catch (err) {
    if (err instanceof ApiError) throw err;
    if (err instanceof SigningKeyMissing) {
      throw new ApiError("service_unavailable", "Workflow authentication is not configured.", {
        headers: { "Retry-After": "60" },
      });
    }
    throw storageUnavailable(err);
  }
}

/** The gateway's credential tags; without CREDENTIAL_TAG_KEY no credential can be trusted (503). */
async function edgeCredentials(env: Env): Promise<Credentials> {
  try {
    return await credentialsOf(env);
  } catch (err) {
    if (err instanceof TagKeyMissing) {
      throw new ApiError("service_unavailable", "Authentication is not configured.", {
        headers: { "Retry-After": "60" },
      });
    }
    throw err;
  }
}
