/**
 * Idempotent admin POSTs (contract: "Idempotent requests and request bodies"). A POST with an
 * `Idempotency-Key` claims (token, key) in D1 before its route runs; its answer is then kept for
 * 24 hours and a repeat of the same request gets it again with `Idempotent-Replayed: true`, while
 * the route does not run a second time. The same key for another request, or while the first still
 * runs, is a 409. Storage: src/storage/idempotency-keys.ts and docs/storage.md.
 */
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { sha256Hex } from "../domain/hash";
import { clockNow } from "../lib/clock";
import { ApiError } from "../lib/errors";
import { describeError, log } from "../lib/log";
import {
  type Fingerprint,
  type IdempotencyRow,
  claimKey,
  keepAnswer,
  keepSecretShown,
  keyRow,
  releaseKey,
} from "../storage/idempotency-keys";
import type { AdminEnv } from "./context";

export const IDEMPOTENCY_KEY_HEADER = "Idempotency-Key";

/** 1..255 printable ASCII characters (space included), as the contract says. */
const VALID_KEY = /^[\x20-\x7e]{1,255}$/;

/** The answer carries a secret: never kept by a browser, a proxy or this middleware. */
export interface SecretShown {
  /** The id of the object created or changed, named in a replay's 409 `secret_already_shown`. */
  resourceId: string;
  /** How to get a new secret, one sentence, for that 409's message. */
  renewal: string;
}

/**
 * What a route calls when its answer shows a secret: the answer's `Cache-Control: no-store` header
 * and, for this middleware, the object it was for. One call does both, so a route cannot send one
 * without the other. An explicit mark, rather than this middleware guessing from `no-store` and
 * the body's shape: the route knows which object the secret belongs to and how to get a new one,
 * and a new secret-bearing route (webhook endpoints) says so where it answers.
 */
export function secretShown(c: Context<AdminEnv>, shown: SecretShown): { "Cache-Control": "no-store" } {
  c.set("secretShown", shown);
  return { "Cache-Control": "no-store" };
}

export const idempotency = () =>
  createMiddleware<AdminEnv>(async (c, next) => {
    const key = c.req.header(IDEMPOTENCY_KEY_HEADER);
    if (c.req.method !== "POST" || key === undefined) return next();
    if (!VALID_KEY.test(key)) {
      throw ApiError.invalidRequest(
        [{ field: IDEMPOTENCY_KEY_HEADER, message: "Must be 1 to 255 printable ASCII characters." }],
        "The Idempotency-Key header is not valid.",
      );
    }
    const db = c.env.DB;
    const actor = c.get("principal").actor;
    const url = new URL(c.req.url);
    // The exact bytes (read through Hono's body cache, so the route's validator reads them again).
    const request: Fingerprint = {
      method: c.req.method,
      path: url.pathname + url.search,
      bodyHash: await sha256Hex(await c.req.arrayBuffer()),
    };
    const claimId = crypto.randomUUID();
    if (!(await claimKey(db, actor, key, request, claimId, clockNow()))) {
      return answerTaken(c, await keyRow(db, actor, key, clockNow()), request);
    }

    try {
      await next();
    } catch (err) {
      await releaseKey(db, actor, key, claimId);
      throw err;
    }

    const res = c.res;
    const shown = c.get("secretShown");
    try {
      if (res.status >= 500) {
        // Nothing was decided for sure: the same request may be sent again and run afresh.
        await releaseKey(db, actor, key, claimId);
      } else if (shown) {
        await keepSecretShown(db, actor, key, claimId, shown);
      } else if (/no-store/i.test(res.headers.get("Cache-Control") ?? "")) {
        // A route that sent no-store without secretShown(): keep nothing rather than a secret.
        log("warn", "idempotency_no_store_unmarked", { path: request.path, request_id: c.get("requestId") });
        await releaseKey(db, actor, key, claimId);
      } else {
        const body = await res.clone().text();
        await keepAnswer(db, actor, key, claimId, {
          status: res.status,
          contentType: res.headers.get("Content-Type"),
          body,
        });
      }
    } catch (err) {
      // The route's work is done and its answer stands. The claim stays until CLAIM_TTL_MS: a
      // repeat meanwhile is told request_in_progress, then the same request may run again.
      log("error", "idempotency_keep_failed", { request_id: c.get("requestId"), ...describeError(err) });
    }
  });

/** The answer to a request whose key this request could not claim. */
function answerTaken(c: Context<AdminEnv>, row: IdempotencyRow | undefined, request: Fingerprint): Response {
  // No row: the first request was released (a 5xx) between our claim and this read; try again.
  if (!row || row.state === "in_progress") {
    if (row && !sameRequest(row, request)) throw mismatch();
    throw new ApiError("request_in_progress", "A request with this Idempotency-Key is still being processed.", {
      headers: { "Retry-After": "1" },
    });
  }
  if (!sameRequest(row, request)) throw mismatch();
  if (row.state === "secret_shown") {
    throw new ApiError(
      "secret_already_shown",
      `This request was already processed, and its answer showed a secret: a secret is shown only in the first answer and is not kept. ${row.renewal ?? ""}`.trim(),
      { extra: { resource_id: row.resourceId } },
    );
  }
  // Through the context, so that the headers every answer gets (X-Request-Id: the replay's own) stay.
  return c.body(row.body ?? "", (row.status ?? 200) as ContentfulStatusCode, {
    "Content-Type": row.contentType ?? "application/json",
    "Idempotent-Replayed": "true",
  });
}

const sameRequest = (row: IdempotencyRow, request: Fingerprint): boolean =>
  row.method === request.method && row.path === request.path && row.bodyHash === request.bodyHash;

const mismatch = () =>
  new ApiError(
    "idempotency_key_mismatch",
    "This Idempotency-Key was used for a different request (method, path or body): use a new key for a new request.",
  );
