import { runInDurableObject } from "cloudflare:test";
import type { Clock } from "../../src/lib/clock";
import { authority } from "./helpers";

/** Sets the clock of the client's Durable Object to `t` (until the object restarts or it is set again). */
export async function setObjectClock(clientId: string, t: number): Promise<void> {
  await runInDurableObject(authority(clientId), (instance: object) => {
    (instance as { clock: Clock }).clock = { now: () => t };
  });
}
