import { ApiError } from "./errors";

/**
 * A request body read to at most `limit` bytes; more is 413 payload_too_large.
 *
 * What happens to the rest matters to every later request (docs/repro/body-overflow): in workerd a
 * body read in part and then cancelled or abandoned breaks the connection it came on, and under
 * `wrangler dev` the next request of any caller answers 503. A body never read is harmless, and so
 * is one read to its end. So an announced oversized body is refused unread, and a streamed one past
 * the limit is read to its end and discarded (one chunk at a time: nothing beyond the limit is
 * kept; the platform's own body limit bounds how long that takes). hono's bodyLimit middleware
 * stops reading a chunked body at the limit and leaves the rest: the harmful case.
 */
export async function readCappedBody(request: Request, limit: number): Promise<Uint8Array> {
  const declared = Number(request.headers.get("Content-Length") ?? NaN);
  if (declared > limit) throw tooLarge(limit);
  if (!request.body) return new Uint8Array();
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      chunks.length = 0;
      while (!(await reader.read()).done) {
        /* discarded */
      }
      throw tooLarge(limit);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.byteLength;
  }
  return out;
}

const tooLarge = (limit: number) =>
  new ApiError("payload_too_large", `The request body is larger than the limit of ${limit} bytes.`);
