// What a Worker may do with the rest of a request body it will not accept. Each route answers a
// POST 413 once more than LIMIT bytes arrived (200 with the size otherwise), having done:
//   /untouched  nothing: answered without reading the body at all
//   /cancel     reader.cancel() after LIMIT bytes
//   /release    reader.releaseLock() after LIMIT bytes, the rest left unread
//   /close      as /cancel, answered with Connection: close
//   /later      answered at once, the rest read and discarded in ctx.waitUntil
//   /drain      the rest read and discarded before answering
const LIMIT = 1024 * 1024;

export default {
  async fetch(request, env, ctx) {
    const mode = new URL(request.url).pathname.slice(1);
    if (!request.body) return new Response("no body");
    if (mode === "untouched") return new Response("too large", { status: 413 });
    const reader = request.body.getReader();
    let size = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return new Response(`read ${size}`);
      size += value.byteLength;
      if (size > LIMIT) break;
    }
    const drain = async () => {
      for (;;) if ((await reader.read()).done) return;
    };
    if (mode === "cancel" || mode === "close") await reader.cancel();
    else if (mode === "release") reader.releaseLock();
    else if (mode === "later") ctx.waitUntil(drain());
    else if (mode === "drain") await drain();
    return new Response("too large", { status: 413, headers: mode === "close" ? { Connection: "close" } : {} });
  },
};
