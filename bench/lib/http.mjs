// The bench's own HTTP client (seeding, checks, the accuracy and memory runs) and a small pool.
import { Buffer } from "node:buffer";
import http from "node:http";

/**
 * workerd closes a keep-alive connection that stays idle for 5 s; a request sent on it at that
 * moment gets a reset. Idle sockets are therefore dropped here after 2 s (the agent's `timeout`
 * applies to free sockets; each request sets its own).
 */
export const IDLE_SOCKET_MS = 2000;
const adminAgent = new http.Agent({ keepAlive: true, maxSockets: 64, timeout: IDLE_SOCKET_MS });

export function request(base, method, urlPath, { headers = {}, body, agent = adminAgent, timeoutMs = 30_000 } = {}) {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const req = http.request(
      `${base}${urlPath}`,
      {
        method,
        agent,
        headers: {
          ...headers,
          ...(payload ? { "content-type": "application/json", "content-length": payload.length } : {}),
        },
        timeout: timeoutMs,
      },
      (res) => {
        const chunks = [];
        res.on("data", (c) => chunks.push(c));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let json = null;
          try {
            json = text ? JSON.parse(text) : null;
          } catch {
            /* not JSON */
          }
          resolve({ status: res.statusCode, headers: res.headers, json, text });
        });
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error(`timeout: ${method} ${urlPath}`)));
    req.on("error", reject);
    req.end(payload);
  });
}

/** Runs `fn(i)` for i in [0, count) with at most `concurrency` in flight. */
export async function pool(count, concurrency, fn) {
  let next = 0;
  const results = new Array(count);
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) {
        const i = next++;
        results[i] = await fn(i);
      }
    }),
  );
  return results;
}

/** A new keep-alive agent with the same idle rule, for a run of its own. */
export const agent = (maxSockets) => new http.Agent({ keepAlive: true, maxSockets, timeout: IDLE_SOCKET_MS });
