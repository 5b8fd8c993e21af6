// POST /bench/seed-clients: the memory figure's clients. The only part of the bench Worker that
// reaches into the gateway's modules (beyond the entry it wraps): its imports from ../src are here.
import type { Context } from "hono";
import { credentialsOf, lastFour } from "../src/domain/credentials";
import { sha256Hex } from "../src/domain/hash";
import { newClientRow } from "../src/domain/client-rules";
import { database } from "../src/storage/database";
import { clients } from "../src/storage/schema";
import type { BenchApp } from "./env";

/**
 * Clients for the memory figure (10,000 of them): creating them one by one through the admin API
 * takes minutes here, so they are minted with the gateway's own code (IDs, secrets, hashes, rows)
 * and inserted into D1 in batches. Their Durable Objects do not exist yet: each client's first
 * data-plane request creates its object, which loads the client from D1 (the path of any client
 * created before its object existed), so "used once each" leaves every client in memory just as
 * the admin API would have.
 */
export async function seedClients(c: Context<BenchApp>) {
  if (!c.env.ADMIN_TOKEN || c.req.header("Authorization") !== `Bearer ${c.env.ADMIN_TOKEN}`)
    return c.json({ error: "unauthorized" }, 401);
  const { count, rate_limit } = await c.req.json<{ count: number; rate_limit: number }>();
  const n = Math.max(0, Math.min(1000, Math.floor(count)));
  const now = Date.now();
  const made: { id: string; secret: string }[] = [];
  const rows = [];
  const credentials = await credentialsOf(c.env);
  for (let i = 0; i < n; i++) {
    const id = await credentials.newClientId("production");
    const secret = await credentials.newClientSecret("production");
    const row = newClientRow(
      { id, name: `memory-${i}`, environment: "production", rate_limit, organizationId: "org_default" },
      { hash: await sha256Hex(secret), lastFour: lastFour(secret) },
      now,
    );
    if (!row.ok) return c.json({ error: row.message }, 400);
    rows.push(row.value);
    made.push({ id, secret });
  }
  const db = database(c.env.DB);
  const statements = rows.map((row) => db.insert(clients).values(row));
  if (statements.length > 0) await db.batch(statements as [(typeof statements)[0], ...typeof statements]);
  return c.json({ clients: made }, 201);
}
