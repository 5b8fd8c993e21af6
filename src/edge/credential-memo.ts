/**
 * Per-isolate memory of what the keyed tags and the secret's hash said about exact header values,
 * so that junk repeated at the edge (and a client's own repeated secret) costs a map lookup instead
 * of HMACs and a SHA-256. Each entry is a pure function of the string under this isolate's keys
 * (entries are kept per Credentials, i.e. per key pair), so it cannot change an answer. Bounded,
 * least recently used forgotten first. The values stay in this isolate's memory only, never in an
 * answer or a log, like the request headers they came from.
 */
import type { Credentials, Environment } from "../domain/credentials";
import { sha256Hex } from "../domain/hash";
import { Lru } from "../lib/lru";

const MAX_ENTRIES = 5_000;

interface Memo {
  ids: Lru<string, Environment | null>;
  workflowIds: Lru<string, boolean>;
  secrets: Lru<string, { environment: Environment | null; hash: string | null }>;
}

const memos = new WeakMap<Credentials, Memo>();

function memoOf(credentials: Credentials): Memo {
  let memo = memos.get(credentials);
  if (!memo)
    memos.set(
      credentials,
      (memo = { ids: new Lru(MAX_ENTRIES), workflowIds: new Lru(MAX_ENTRIES), secrets: new Lru(MAX_ENTRIES) }),
    );
  return memo;
}

/** The environment of one of our client IDs, or null. */
export async function clientIdEnvironment(credentials: Credentials, id: string): Promise<Environment | null> {
  const memo = memoOf(credentials).ids;
  const known = memo.get(id);
  if (known !== undefined) return known;
  return memo.set(id, await credentials.clientIdEnvironment(id));
}

/** Whether this is one of our workflow IDs. */
export async function isWorkflowId(credentials: Credentials, id: string): Promise<boolean> {
  const memo = memoOf(credentials).workflowIds;
  const known = memo.get(id);
  if (known !== undefined) return known;
  return memo.set(id, await credentials.isWorkflowId(id));
}

/** The secret's environment by its tag (null: not one of ours) and, for one of ours, its SHA-256. */
export async function secretFacts(
  credentials: Credentials,
  secret: string,
): Promise<{ environment: Environment | null; hash: string | null }> {
  const memo = memoOf(credentials).secrets;
  const known = memo.get(secret);
  if (known !== undefined) return known;
  const environment = await credentials.secretEnvironment(secret);
  return memo.set(secret, { environment, hash: environment ? await sha256Hex(secret) : null });
}
