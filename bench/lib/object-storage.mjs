// Storage work inside Durable Objects, attributed to the scenario whose objects did it. Objects
// defer work (a client's object flushes its usage to D1 seconds after the traffic that caused it),
// so their counts cover the whole run and are read once, after the last round has settled.
import { objectOwners, readObjectStorage } from "./gateway.mjs";

/** `{scenario: {sql_rows_read, …}}` summed over each scenario's objects (see bench/storage-counting.ts). */
export async function objectStorageByScenario(gw, scenarios, order) {
  const byOwner = await readObjectStorage(gw);
  const out = {};
  for (const name of order) {
    const objects = scenarios[name].objects;
    if (!objects) continue;
    const owners = await objectOwners(gw, objects.binding, objects.names);
    const sum = {};
    for (const owner of Object.values(owners)) {
      for (const [kind, n] of Object.entries(byOwner[owner] ?? {})) sum[kind] = (sum[kind] ?? 0) + n;
    }
    out[name] = sum;
  }
  return out;
}
