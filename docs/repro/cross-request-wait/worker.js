// The smallest reproduction behind src/edge/coalesce.ts: one request (the leader) makes a Durable
// Object call while concurrent requests (followers) wait for its result, which it hands them as
// plain data through a promise each follower created in its own request.
//   /alone     a follower awaits only that promise
//   /timer     a follower races it against a timer of its own
//   /timer-io  as /timer, then makes a Durable Object call of its own
import { DurableObject } from "cloudflare:workers";

export class Counter extends DurableObject {
  n = 0;
  async add(k) {
    this.n += k;
    return this.n;
  }
}

const waiting = [];
let busy = false;

export default {
  async fetch(request, env) {
    const mode = new URL(request.url).pathname.slice(1);
    if (busy) {
      const own = Promise.withResolvers(); // created in the follower's own request
      waiting.push(own.resolve);
      let timer;
      const value =
        mode === "alone"
          ? await own.promise
          : await Promise.race([own.promise, new Promise((r) => (timer = setTimeout(() => r("timeout"), 1000)))]);
      clearTimeout(timer);
      if (mode === "timer-io") await env.COUNTER.getByName("x").add(0);
      return Response.json({ role: "follower", value });
    }
    busy = true;
    const value = await env.COUNTER.getByName("x").add(1);
    await new Promise((r) => setTimeout(r, 20)); // let followers queue
    const followers = waiting.splice(0);
    busy = false;
    for (const resolve of followers) resolve({ n: value }); // plain data only
    return Response.json({ role: "leader", value, followers: followers.length });
  },
};
