// Preloaded with NODE_OPTIONS=--import into every Node process of a run (npm, the start script,
// wrangler and its own Node child): appends each host name looked up to the file named by
// NAFSI_LOOKUP_LOG, one a line, so that a test can tell whether anything tried to reach beyond
// the machine. (net and undici resolve through dns.lookup, read at each call.)
import dns from "node:dns";
import { appendFileSync } from "node:fs";
import process from "node:process";

const file = process.env.NAFSI_LOOKUP_LOG;
if (file) {
  const lookup = dns.lookup;
  dns.lookup = function (host, ...rest) {
    appendFileSync(file, `${host}\n`);
    return lookup.call(this, host, ...rest);
  };
}
