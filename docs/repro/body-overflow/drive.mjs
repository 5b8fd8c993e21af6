// node drive.mjs <port> <route> [chunked|length] [rounds]: per round, one 2 MiB POST (chunked, or
// with Content-Length) to the route, then 20 POSTs of 10 bytes to /drain (read whole: 200), all over one keep-alive agent (4 sockets).
// Prints the tally of answers: status codes, or the socket error.
import { Buffer } from "node:buffer";
import http from "node:http";

const [port, route, framing = "chunked", rounds = "5"] = process.argv.slice(2);
const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
const chunk = Buffer.alloc(64 * 1024, 32);

function post(path, bytes, chunked) {
  return new Promise((resolve) => {
    const headers = chunked ? { "Transfer-Encoding": "chunked" } : { "Content-Length": bytes };
    const req = http.request({ host: "127.0.0.1", port, path, method: "POST", agent, headers }, (res) => {
      res.resume();
      res.on("end", () => resolve(String(res.statusCode)));
    });
    req.on("error", (e) => resolve(e.code));
    let left = bytes;
    const pump = () => {
      while (left > 0) {
        const n = Math.min(left, chunk.length);
        left -= n;
        if (!req.write(chunk.subarray(0, n))) return void req.once("drain", pump);
      }
      req.end();
    };
    pump();
  });
}

const tally = { big: {}, after: {} };
const count = (t, k) => (t[k] = (t[k] ?? 0) + 1);
for (let r = 0; r < Number(rounds); r++) {
  count(tally.big, await post(`/${route}`, 2 * 1024 * 1024, framing === "chunked"));
  for (let i = 0; i < 20; i++) count(tally.after, await post("/drain", 10, false));
}
console.log(route.padEnd(10), framing.padEnd(8), JSON.stringify(tally));
agent.destroy();
