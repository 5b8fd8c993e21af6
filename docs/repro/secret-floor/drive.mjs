// node docs/repro/secret-floor/drive.mjs [rounds] [seconds]: runs worker.js under wrangler dev and
// drives /bare, /peer, /floor and /floor-contract in interleaved rounds with 10 connections, each
// request naming one of 200 clients in turn (as the bench's `secret` and its peer do), straight to
// the Worker's workerd. Prints, per route, the medians over the rounds of its requests/s and CPU
// per request over the same round's /bare.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { interleave } from "../interleave.mjs";

const [rounds = 12, seconds = 3] = process.argv.slice(2).map(Number);
const CLIENTS = Array.from({ length: 200 }, (_, i) => `client-${i}`);
const requestsTo = (path) =>
  CLIENTS.map((id) => ({ path, headers: { "X-Client-ID": id, "X-Client-Secret": `secret-of-${id}` } }));

await interleave({
  cwd: path.dirname(fileURLToPath(import.meta.url)),
  routes: [
    { label: "/bare", requests: [{ path: "/bare", headers: {} }] },
    { label: "/peer", requests: requestsTo("/peer") },
    { label: "/floor", requests: requestsTo("/floor") },
    { label: "/floor-contract", requests: requestsTo("/floor-contract") },
  ],
  rounds,
  seconds,
});
