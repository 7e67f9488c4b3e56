import type { MiddlewareHandler } from "hono";
import { AppError } from "../../lib/errors";
import { findUnsafePair, findUnsafeText, printable, UNSAFE_TEXT_MESSAGE } from "../../lib/unsafe-text";

// lib/unsafe-text.ts's rule at the API edge (both /api and /open311): path, query and body (JSON, form,
// multipart field values and file names) are checked before any handler runs; the first offender is a
// 400 VALIDATION_FAILED naming it the way validation errors do (`q`, `description`, `reporter.name`;
// `path` for the URL path). The body's bytes stay in Hono's request cache for the handler.

function refuse(field: string): never {
  throw new AppError("VALIDATION_FAILED", `请求参数有误：${field} ${UNSAFE_TEXT_MESSAGE}`, [
    { path: field, message: UNSAFE_TEXT_MESSAGE },
  ]);
}

export const refuseUnsafeText: MiddlewareHandler = async (c, next) => {
  const rawPath = new URL(c.req.url).pathname;
  let path: string;
  try {
    path = decodeURIComponent(rawPath);
  } catch {
    throw new AppError("BAD_REQUEST", "请求路径中的百分号编码无效");
  }
  if (findUnsafeText(path) !== null) refuse("path");
  const query = findUnsafePair(new URL(c.req.url).searchParams.entries());
  if (query !== null) refuse(query);

  const method = c.req.method;
  if (method !== "GET" && method !== "HEAD" && method !== "OPTIONS") {
    const type = (c.req.header("content-type") ?? "").toLowerCase();
    const json = type.startsWith("application/json");
    const urlencoded = type.startsWith("application/x-www-form-urlencoded");
    const multipart = type.startsWith("multipart/form-data");
    if (json || urlencoded || multipart) {
      // The raw bytes are what Hono caches first: every later read (json, text, formData, parseBody)
      // is derived from them with the request's content type, whichever a handler uses.
      await c.req.arrayBuffer();
      let hit: string | null = null;
      try {
        if (json) hit = findUnsafeText(await c.req.json());
        else if (urlencoded) hit = findUnsafePair(new URLSearchParams(await c.req.text()).entries());
        else hit = findUnsafePair((await c.req.formData()).entries());
      } catch {
        hit = null; // malformed JSON or form: the handler's own parsing answers it
      }
      if (hit !== null) refuse(printable(hit));
    }
  }
  await next();
};
