import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { env } from "../../lib/env";
import { AppError } from "../../lib/errors";

/** Refuse oversized bodies with 413 before anything reads them; uploads get a larger limit. */
export function limitBodies(): MiddlewareHandler {
  const tooLarge = (max: number) => () => {
    throw new AppError("PAYLOAD_TOO_LARGE", `请求内容过大：上限为 ${Math.floor(max / 1024)} KB`, { maxBytes: max });
  };
  const e = env();
  const json = bodyLimit({ maxSize: e.MAX_BODY_BYTES, onError: tooLarge(e.MAX_BODY_BYTES) });
  const upload = bodyLimit({ maxSize: e.MAX_UPLOAD_BYTES, onError: tooLarge(e.MAX_UPLOAD_BYTES) });
  return (c, next) => {
    if (c.req.method === "GET" || c.req.method === "HEAD") return next();
    const type = c.req.header("content-type") ?? "";
    return (type.startsWith("multipart/form-data") ? upload : json)(c, next);
  };
}
