/**
 * Per-isolate memory of (client ID, secret hash) pairs the client's Durable Object called wrong.
 * Safe to keep without expiry: a wrong secret can never become right, since new secrets are fresh
 * random values and a replaced one never comes back. It only saves the object a call per junk
 * request; the answer is the object's own. Bounded, the least recently remembered forgotten first.
 */
import { Lru } from "../lib/lru";

const MAX_ENTRIES = 10_000;
const wrong = new Lru<string, true>(MAX_ENTRIES);

const key = (clientId: string, secretHash: string) => `${clientId}:${secretHash}`;

export function isKnownWrong(clientId: string, secretHash: string): boolean {
  return wrong.has(key(clientId, secretHash));
}

export function rememberWrong(clientId: string, secretHash: string): void {
  wrong.set(key(clientId, secretHash), true);
}
