import type { MiddlewareHandler } from "hono";
import { withCachePolicy } from "../../lib/cache-policy";
import { env } from "../../lib/env";
import type { AppEnv } from "../context";

/** Validators and Cache-Control on the API's answers (lib/cache-policy.ts). */
export const httpCache: MiddlewareHandler<AppEnv> = async (c, next) => {
  await next();
  const path = c.req.path;
  if (path.startsWith("/api/health")) return;
  c.res = await withCachePolicy(
    { method: c.req.method, path, headers: { get: (n) => c.req.header(n) ?? null } },
    c.res,
    env().PUBLIC_CACHE_SECONDS,
  );
};
