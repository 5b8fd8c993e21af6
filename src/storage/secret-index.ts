/**
 * From a secret's hash to its client, through the indexes on clients.secret_hash and
 * clients.previous_secret_hash: a leak report is answered without scanning the clients table.
 * Read from D1's primary, so a secret created or regenerated a moment ago is found.
 */
import { inArray, or } from "drizzle-orm";
import { primaryDatabase } from "./database";
import { clients } from "./schema";

/** D1 binds at most 100 parameters per statement; each hash is bound twice. */
const HASHES_PER_QUERY = 50;

/** Client ID per secret hash (current or previous), for the hashes that name one. */
export async function clientsBySecretHash(db: D1Database, hashes: readonly string[]): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  const unique = [...new Set(hashes)];
  const orm = primaryDatabase(db);
  for (let i = 0; i < unique.length; i += HASHES_PER_QUERY) {
    const chunk = unique.slice(i, i + HASHES_PER_QUERY);
    const rows = await orm
      .select({ id: clients.id, secretHash: clients.secretHash, previousSecretHash: clients.previousSecretHash })
      .from(clients)
      .where(or(inArray(clients.secretHash, chunk), inArray(clients.previousSecretHash, chunk)));
    for (const row of rows) {
      if (chunk.includes(row.secretHash)) found.set(row.secretHash, row.id);
      if (row.previousSecretHash !== null && chunk.includes(row.previousSecretHash))
        found.set(row.previousSecretHash, row.id);
    }
  }
  return found;
}
