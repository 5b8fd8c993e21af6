// The 401 path's requests: what random and malformed credentials look like.
import { randomBytes } from "node:crypto";

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
export const randomBase62 = (n) => Array.from(randomBytes(n), (b) => BASE62[b % 62]).join("");

/**
 * Random IDs and secrets have the right prefix and length but (with probability 1 − 62⁻⁶) a wrong
 * checksum; the rest are wrong prefixes, the other environment's secret, junk characters, a
 * missing secret, and real secrets of one client sent with another client's ID (well-formed, so
 * the client's Durable Object decides the first time, and this isolate remembers the pair as wrong
 * afterwards).
 */
export function junkRequests(clients, count) {
  const kinds = [
    () => ({ id: `nafsi_live_${randomBase62(28)}`, secret: `sk_live_${randomBase62(28)}` }),
    () => ({ id: `nafsi_live_${randomBase62(28)}`, secret: `sk_live_${randomBase62(28)}` }),
    () => ({ id: `nafsi_live_${randomBase62(28)}`, secret: `sk_live_${randomBase62(28)}` }),
    (i) => ({ id: clients[i % clients.length].id, secret: `sk_live_${randomBase62(28)}` }),
    (i) => ({ id: clients[i % clients.length].id, secret: `sk_live_${randomBase62(28)}` }),
    (i) => ({ id: clients[i % clients.length].id, secret: `sk_test_${randomBase62(28)}` }),
    (i) => ({
      id: ["' OR 1=1 --", "nafsi_live_", `NAFSI_LIVE_${randomBase62(28)}`, `nafsi_prod_${randomBase62(28)}`][i % 4],
      secret: `sk_live_${randomBase62(28)}`,
    }),
    (i) => ({ id: clients[i % clients.length].id, secret: undefined }),
    (i) => ({ id: clients[i % clients.length].id, secret: clients[(i + 1) % clients.length].secret }),
    (i) => ({ id: clients[(i + 7) % clients.length].id, secret: clients[(i + 3) % clients.length].secret }),
  ];
  return Array.from({ length: count }, (_, i) => {
    const { id, secret } = kinds[i % kinds.length](i);
    return {
      path: "/v1/bench",
      headers: secret === undefined ? { "X-Client-ID": id } : { "X-Client-ID": id, "X-Client-Secret": secret },
    };
  });
}
