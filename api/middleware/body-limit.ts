import type { MiddlewareHandler } from "hono";
import { env } from "../../lib/env";
import { AppError } from "../../lib/errors";

// Refuse oversized bodies with 413 before a handler reads them; uploads get a larger limit.
//
// - With Content-Length (and no Transfer-Encoding): compared with the limit, nothing read here.
// - Otherwise (chunked, or a body that does not say its length — over HTTP/1.1 that is an empty body,
//   e.g. a DELETE): read here, counting, up to the limit, and the request is rebuilt around the bytes
//   read. hono/body-limit rebuilt it with `new Request(request, …)`, which throws on the Node adapter's
//   request object: every chunked or length-less POST/PUT/DELETE was a 500.

export function limitBodies(): MiddlewareHandler {
  const e = env();
  return async (c, next) => {
    const method = c.req.method;
    if (method === "GET" || method === "HEAD" || method === "OPTIONS") return next();
    const multipart = (c.req.header("content-type") ?? "").startsWith("multipart/form-data");
    const max = multipart ? e.MAX_UPLOAD_BYTES : e.MAX_BODY_BYTES;
    const length = c.req.header("content-length");
    const chunked = c.req.header("transfer-encoding") !== undefined;
    if (!chunked && length !== undefined) {
      if (!/^\d{1,15}$/.test(length.trim())) throw new AppError("BAD_REQUEST", "Content-Length 请求头无效");
      if (Number(length) > max) throw tooLarge(max);
      return next();
    }
    const body = c.req.raw.body;
    if (!body) return next();
    const bytes = await readUpTo(body, max);
    if (bytes === null) throw tooLarge(max);
    const headers = new Headers(c.req.raw.headers);
    headers.delete("transfer-encoding");
    headers.set("content-length", String(bytes.byteLength));
    c.req.raw = new Request(c.req.url, { method, headers, body: bytes, signal: c.req.raw.signal });
    return next();
  };
}

function tooLarge(max: number) {
  return new AppError("PAYLOAD_TOO_LARGE", `请求内容过大：上限为 ${Math.floor(max / 1024)} KB`, { maxBytes: max });
}

/** The whole stream, or null as soon as it passes `max` bytes (the rest is not read). */
async function readUpTo(body: ReadableStream<Uint8Array>, max: number): Promise<Uint8Array<ArrayBuffer> | null> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel().catch(() => {});
      return null;
    }
    chunks.push(value);
  }
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}
