// Oversized chunked bodies under `wrangler dev` (contract "Idempotent requests and request bodies"):
// each is 413 payload_too_large, and every request after it, on that connection or another, is
// answered as usual. A body cancelled half read breaks the connection it came on, and wrangler's
// proxy then answers the next request of any caller 503 (docs/repro/body-overflow); vitest's
// Workers pool cannot show that, so it is checked here against the real Worker.
import http from "node:http";
import { afterAll, describe, expect, it } from "vitest";
import { gateway } from "./support/shared";

const TWO_MIB = 2 * 1024 * 1024;
/** Few sockets, kept alive: the requests after a big one reuse its connection, as a client's would. */
const agent = new http.Agent({ keepAlive: true, maxSockets: 2 });
afterAll(() => agent.destroy());

interface Answer {
  status: number;
  body: string;
}

/** One request through node's http module; a `chunked` body is sent in 64 KiB chunks without Content-Length. */
function send(
  method: string,
  path: string,
  options: { headers?: Record<string, string>; body?: string; chunked?: number } = {},
): Promise<Answer> {
  const url = new URL(gateway().baseUrl + path);
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { ...options.headers };
    if (options.chunked !== undefined) headers["Transfer-Encoding"] = "chunked";
    else if (options.body !== undefined) headers["Content-Length"] = Buffer.byteLength(options.body);
    const req = http.request({ host: url.hostname, port: url.port, path, method, headers, agent }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode!, body }));
    });
    req.on("error", reject);
    let left = options.chunked ?? 0;
    const chunk = Buffer.alloc(64 * 1024, " ");
    const pump = () => {
      while (left > 0) {
        const n = Math.min(left, chunk.length);
        left -= n;
        if (!req.write(chunk.subarray(0, n))) return void req.once("drain", pump);
      }
      req.end(options.body);
    };
    pump();
  });
}

const auth = () => ({ Authorization: `Bearer ${gateway().adminToken}` });
const json = { "Content-Type": "application/json" };

/** Ordinary requests of every kind, with the status each answers when all is well. */
const ORDINARY: [expected: number, () => Promise<Answer>][] = [
  [
    201,
    () =>
      send("POST", "/admin/clients", {
        headers: { ...auth(), ...json },
        body: JSON.stringify({ name: "After a big body", environment: "sandbox" }),
      }),
  ],
  [200, () => send("GET", "/admin/clients?limit=1", { headers: auth() })],
  [200, () => send("GET", "/healthz")],
  [401, () => send("POST", "/leaks/github", { headers: json, body: "[]" })],
];

const BIG: Record<string, () => Promise<Answer>> = {
  "/admin/clients": () =>
    send("POST", "/admin/clients", { headers: { ...auth(), ...json }, body: "{}", chunked: TWO_MIB }),
  "/leaks/github": () =>
    send("POST", "/leaks/github", {
      headers: { ...json, "Github-Public-Key-Identifier": "x", "Github-Public-Key-Signature": "x" },
      body: "[]",
      chunked: TWO_MIB,
    }),
};

describe("oversized chunked bodies under wrangler dev", () => {
  it.each(Object.keys(BIG))(
    "5 chunked 2 MiB POSTs to %s are 413, and the 20 requests after each are answered as usual",
    async (path) => {
      const unexpected: string[] = [];
      for (let round = 0; round < 5; round++) {
        const big = await BIG[path]!();
        expect(big.status, big.body).toBe(413);
        expect(JSON.parse(big.body).error.code).toBe("payload_too_large");
        for (let i = 0; i < 20; i++) {
          const [expected, request] = ORDINARY[i % ORDINARY.length]!;
          const answer = await request();
          if (answer.status !== expected) unexpected.push(`round ${round}, #${i}: ${answer.status} ${answer.body}`);
        }
      }
      expect(unexpected).toEqual([]);
    },
    120_000,
  );
});
