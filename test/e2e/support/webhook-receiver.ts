// A webhook receiver on a loopback port (the development URLs the gateway accepts:
// http://127.0.0.1:<port>/...), recording every request it gets.
import { type Server, createServer } from "node:http";
import type { AddressInfo } from "node:net";

export interface Arrival {
  path: string;
  headers: Record<string, string>;
  body: string;
  at: number;
}

export interface Receiver {
  /** `http://127.0.0.1:<port>`, to which a test appends its own path. */
  url: string;
  arrivals: Arrival[];
  arrivalsAt(path: string): Arrival[];
  close(): Promise<void>;
}

/** Starts the receiver; `status` says what each request is answered (an empty 204 by default). */
export async function startReceiver(status: (path: string) => number = () => 204): Promise<Receiver> {
  const arrivals: Arrival[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const path = req.url ?? "/";
      const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
      arrivals.push({ path, headers, body: Buffer.concat(chunks).toString("utf8"), at: Date.now() });
      res.writeHead(status(path)).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    arrivals,
    arrivalsAt: (path) => arrivals.filter((a) => a.path === path),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
