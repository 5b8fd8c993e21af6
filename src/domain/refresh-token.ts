/**
 * Workflow refresh tokens: JWTs per RFC 8725. One pinned algorithm (HS256: the gateway both signs
 * and verifies, so an asymmetric pair buys nothing), an explicit `typ`, fixed `iss` and `aud`, and a
 * `kid` naming the key so TOKEN_SIGNING_KEY can be rotated while TOKEN_SIGNING_KEY_PREVIOUS still
 * verifies the tokens it signed.
 */
import { SignJWT, decodeProtectedHeader, jwtVerify } from "jose";
import { newOpaqueId } from "./credentials";
import { sha256Hex } from "./hash";

export const TOKEN_ALG = "HS256";
export const TOKEN_TYP = "nafsi-rt+jwt";
export const TOKEN_ISSUER = "nafsi-gateway";
export const TOKEN_AUDIENCE = "nafsi-gateway/v1";

export interface RefreshClaims {
  workflowId: string;
  clientId: string;
  secretVersion: number;
  tokenId: string;
  issuedAt: number;
}

interface SigningKey {
  kid: string;
  key: Uint8Array;
}

const encoder = new TextEncoder();
/** Per isolate: deriving a kid costs a hash, and keys change only on deploy. */
const keyCache = new Map<string, Promise<SigningKey>>();

function signingKey(secret: string): Promise<SigningKey> {
  let cached = keyCache.get(secret);
  if (!cached) {
    cached = sha256Hex(`kid:${secret}`).then((h) => ({ kid: h.slice(0, 16), key: encoder.encode(secret) }));
    keyCache.set(secret, cached);
  }
  return cached;
}

export class SigningKeyMissing extends Error {
  constructor() {
    super("TOKEN_SIGNING_KEY is not configured");
  }
}

export async function mintRefreshToken(
  env: Pick<Env, "TOKEN_SIGNING_KEY">,
  claims: { workflowId: string; clientId: string; secretVersion: number },
  now: number,
): Promise<{ token: string; tokenId: string; issuedAt: number }> {
  if (!env.TOKEN_SIGNING_KEY) throw new SigningKeyMissing();
  const { kid, key } = await signingKey(env.TOKEN_SIGNING_KEY);
  const tokenId = newOpaqueId("rt_");
  const token = await new SignJWT({ cid: claims.clientId, sv: claims.secretVersion })
    .setProtectedHeader({ alg: TOKEN_ALG, typ: TOKEN_TYP, kid })
    .setIssuer(TOKEN_ISSUER)
    .setAudience(TOKEN_AUDIENCE)
    .setSubject(claims.workflowId)
    .setIssuedAt(Math.floor(now / 1000))
    .setJti(tokenId)
    .sign(key);
  // The JWT's iat has whole seconds (RFC 7519 NumericDate); the workflow's token_issued_at keeps the
  // milliseconds, so that it never precedes created_at and two re-keys in one second stay distinct.
  return { token, tokenId, issuedAt: now };
}

/**
 * The token's claims when its signature, algorithm, type, issuer and audience all hold; null for
 * anything else. Validity against the client's current state is the Durable Object's decision.
 */
export async function verifyRefreshToken(
  env: Pick<Env, "TOKEN_SIGNING_KEY" | "TOKEN_SIGNING_KEY_PREVIOUS">,
  token: string,
): Promise<RefreshClaims | null> {
  if (!env.TOKEN_SIGNING_KEY) throw new SigningKeyMissing();
  let kid: unknown;
  try {
    kid = decodeProtectedHeader(token).kid;
  } catch {
    return null;
  }
  const candidates = [env.TOKEN_SIGNING_KEY, env.TOKEN_SIGNING_KEY_PREVIOUS].filter((k): k is string => !!k);
  for (const secret of candidates) {
    const key = await signingKey(secret);
    if (key.kid !== kid) continue;
    try {
      const { payload } = await jwtVerify(token, key.key, {
        algorithms: [TOKEN_ALG],
        typ: TOKEN_TYP,
        issuer: TOKEN_ISSUER,
        audience: TOKEN_AUDIENCE,
        requiredClaims: ["sub", "jti", "iat", "cid", "sv"],
      });
      if (typeof payload.cid !== "string" || !Number.isSafeInteger(payload.sv) || typeof payload.jti !== "string")
        return null;
      return {
        workflowId: payload.sub!,
        clientId: payload.cid,
        secretVersion: payload.sv as number,
        tokenId: payload.jti,
        issuedAt: payload.iat! * 1000,
      };
    } catch {
      return null;
    }
  }
  return null;
}
