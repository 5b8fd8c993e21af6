/**
 * POST /leaks/github: GitHub's secret scanning partner endpoint (README "Secret hygiene").
 *
 * Order matters. The signature over the raw body is verified before anything else is read or
 * looked up, so an unsigned caller cannot use the endpoint to learn which secrets exist: it gets
 * 401 invalid_signature and no D1, Durable Object or client-data access happens (the key list
 * itself may come from KV). Then each token is classified by its own shape and keyed tag (never
 * by the report's `type`); only tokens whose tag is ours are looked up, by hash, through an index.
 * Every action runs in the client's Durable Object before the report is answered, so the next
 * data-plane request already sees it.
 */
import { OpenAPIHono, z } from "@hono/zod-openapi";
import { credentialsOf, lastFour, TagKeyMissing } from "../domain/credentials";
import { sha256Hex } from "../domain/hash";
import { type LeakedSecretAction, leakedSecretAction } from "../domain/secret-hygiene";
import { readCappedBody } from "../lib/capped-body";
import { clockNow } from "../lib/clock";
import { configRefusal } from "../lib/config-refusal";
import type { BaseEnv } from "../lib/context";
import { ApiError } from "../lib/errors";
import { log } from "../lib/log";
import { errorResponses, json, wireCodes } from "../lib/openapi";
import type { AuditContext, LeakLabel } from "../object/protocol";
import { authorityFor } from "../object/stub";
import { clientsBySecretHash } from "../storage/secret-index";
import { keysFor } from "./github-keys";
import { verifySignature } from "./github-signature";
import { revokeLeakedAdminToken } from "./leaked-admin-token";
import { LeakFeedback, MAX_REPORT_BYTES, type ReportedToken, parseReport } from "./leak-report";

export const LEAK_REPORTER = "github_secret_scanning";
const KEY_ID_HEADER = "Github-Public-Key-Identifier";
const SIGNATURE_HEADER = "Github-Public-Key-Signature";
/** Durable Object calls of one report in flight at once. */
const CONCURRENCY = 8;

const invalidSignature = (message: string) => new ApiError("invalid_signature", message);

export const leakRoutes = new OpenAPIHono<BaseEnv>();

const LEAK_EXAMPLE = {
  token: "sk_live_5mKq8ZtP2vXw9RbN4cLd7YfJ1gHs3Ae6Uo0Tih2Qx",
  type: "nafsi_live_secret",
  url: "https://github.com/octo/app/blob/0a1b2c/config.js",
  source: "content",
};

const LEAK_ERRORS = ["invalid_request", "invalid_signature", "payload_too_large", "service_unavailable"] as const;

leakRoutes.openAPIRegistry.registerPath({
  method: "post",
  path: "/leaks/github",
  tags: ["Secret scanning"],
  summary: "GitHub secret scanning partner endpoint",
  description:
    "Takes GitHub's leak report, signed with ECDSA P-256 / SHA-256 over the raw body (`Github-Public-Key-Signature`: base64 DER; `Github-Public-Key-Identifier`: the key's ID). A current client secret raises `secret_leaked` (and deactivates the client with LEAKED_SECRET_ACTION=deactivate), a previous secret in its grace period ends the grace period, an admin token is revoked. At most 1,000 tokens and 1 MiB.",
  request: {
    headers: z.object({ [KEY_ID_HEADER]: z.string(), [SIGNATURE_HEADER]: z.string() }),
    body: {
      content: {
        "application/json": {
          schema: z.array(z.object({ token: z.string(), type: z.string(), url: z.string(), source: z.string() })),
          example: [LEAK_EXAMPLE],
        },
      },
      required: true,
    },
  },
  responses: {
    200: json(LeakFeedback, "One label per reported token", [
      {
        token_hash: "9f2c41e0b7d85a3e6c1f04b29d7e8a5c3b6f10d2e4a7c9b8f1e3d5a7c9b2e4f6",
        token_type: "nafsi_live_secret",
        label: "true_positive",
      },
    ]),
    ...errorResponses(LEAK_ERRORS),
  },
  "x-error-codes": wireCodes(LEAK_ERRORS),
  // GitHub sends it; by hand it only shows the shape (an unsigned report is 401 invalid_signature).
  "x-codeSamples": [
    {
      lang: "shell",
      label: "curl",
      source: `curl -s -X POST "http://localhost:8787/leaks/github" \\\n  -H "${KEY_ID_HEADER}: $KEY_ID" -H "${SIGNATURE_HEADER}: $SIGNATURE" \\\n  -H "Content-Type: application/json" -d '${JSON.stringify([LEAK_EXAMPLE])}'`,
    },
  ],
});

leakRoutes.post("/leaks/github", async (c) => {
  const keyId = c.req.header(KEY_ID_HEADER)?.trim();
  const signature = c.req.header(SIGNATURE_HEADER)?.trim();
  if (!keyId || !signature) throw invalidSignature(`${KEY_ID_HEADER} and ${SIGNATURE_HEADER} are required.`);
  const body = await readCappedBody(c.req.raw, MAX_REPORT_BYTES);
  const keys = await keysFor(c.env, keyId, clockNow());
  if (!keys.ok) {
    if (keys.reason === "unavailable") throw new ApiError("service_unavailable", keys.message);
    throw invalidSignature("Unknown signing key.");
  }
  if (!(await verifySignature(keys.keys, signature, body))) throw invalidSignature("The signature does not verify.");

  // ---- signed by GitHub from here on ----
  const action = leakedSecretAction(c.env);
  if (!action.ok) throw configRefusal(action);
  const report = parseReport(body);
  const audit: AuditContext = {
    actor: LEAK_REPORTER,
    ip: c.req.header("CF-Connecting-IP") ?? null,
    requestId: c.get("requestId") ?? null,
  };
  const labels = await labelTokens(c.env, report, action.value, audit);
  const feedback = await Promise.all(
    report.map(async (t) => {
      const hash = await sha256Hex(t.token);
      return { token_hash: hash, token_type: t.type, label: labels.get(hash) ?? ("false_positive" as LeakLabel) };
    }),
  );
  log("info", "leak_report", {
    key_id: keyId,
    tokens: feedback.length,
    true_positives: feedback.filter((f) => f.label === "true_positive").length,
  });
  return c.json(feedback, 200);
});

type Candidate =
  | { kind: "client_secret"; hash: string; token: ReportedToken }
  | { kind: "admin_token"; hash: string; token: ReportedToken };

/** The label of each distinct reported token (by hash); tokens that are not ours stay unlisted. */
async function labelTokens(
  env: Env,
  report: ReportedToken[],
  action: LeakedSecretAction,
  audit: AuditContext,
): Promise<Map<string, LeakLabel>> {
  let credentials;
  try {
    credentials = await credentialsOf(env);
  } catch (err) {
    if (err instanceof TagKeyMissing) {
      throw new ApiError("service_unavailable", "The gateway is not configured (CREDENTIAL_TAG_KEY is not set).");
    }
    throw err;
  }
  const candidates = new Map<string, Candidate>();
  for (const token of report) {
    const hash = await sha256Hex(token.token);
    if (candidates.has(hash)) continue;
    // The keyed tag first: a made-up or mistyped value is not looked up anywhere.
    if (await credentials.secretEnvironment(token.token)) candidates.set(hash, { kind: "client_secret", hash, token });
    else if (await credentials.isAdminSecret(token.token)) candidates.set(hash, { kind: "admin_token", hash, token });
  }
  const secretHashes = [...candidates.values()].filter((c) => c.kind === "client_secret").map((c) => c.hash);
  const owners = secretHashes.length > 0 ? await clientsBySecretHash(env.DB, secretHashes) : new Map<string, string>();

  const labels = new Map<string, LeakLabel>();
  const act = async (candidate: Candidate): Promise<void> => {
    const { hash, token } = candidate;
    if (candidate.kind === "admin_token") {
      const details = { reason: "leaked", url: token.url, source: token.source };
      labels.set(hash, await revokeLeakedAdminToken(env, hash, audit, details, clockNow()));
      return;
    }
    const clientId = owners.get(hash);
    if (!clientId) return;
    const report = {
      secretHash: hash,
      secretLastFour: lastFour(token.token),
      url: token.url,
      source: token.source,
      action,
    };
    labels.set(hash, await authorityFor(env, clientId).reportLeakedSecret(clientId, report, audit));
  };
  const queue = [...candidates.values()].filter((c) => c.kind === "admin_token" || owners.has(c.hash));
  await Promise.all(
    Array.from({ length: Math.min(CONCURRENCY, queue.length) }, async () => {
      for (let next = queue.shift(); next; next = queue.shift()) await act(next);
    }),
  );
  return labels;
}
