import { randomUUID } from "node:crypto";
import type { MiddlewareHandler } from "hono";
import { log } from "../../lib/log";
import type { AppEnv } from "../context";

const VALID_ID = /^[A-Za-z0-9_-]{8,64}$/;

/** A request id on every response (X-Request-Id) and one structured log line per request. */
export const requestContext: MiddlewareHandler<AppEnv> = async (c, next) => {
  const incoming = c.req.header("x-request-id");
  const requestId = incoming && VALID_ID.test(incoming) ? incoming : randomUUID();
  c.set("requestId", requestId);
  const started = performance.now();
  await next();
  c.header("X-Request-Id", requestId);
  // The matched route's pattern, never the path or query a client sent: both can carry what a person
  // typed (a search term, a ticket number pasted with a phone number, a receipt code).
  log.info("request", {
    requestId,
    method: c.req.method,
    route: c.req.routePath,
    status: c.res.status,
    ms: Math.round((performance.now() - started) * 10) / 10,
  });
};
