import { defineMiddleware } from "astro:middleware";
import { randomUUID } from "node:crypto";
import type { APIContext, MiddlewareNext } from "astro";
import { withCachePolicy } from "../lib/cache-policy";
import { databaseInputProblem } from "../lib/database-input";
import { env } from "../lib/env";
import { errorFields } from "../lib/error-fields";
import { log } from "../lib/log";
import { applySecurityHeaders } from "../lib/security-headers";
import { badRequestUrl, unsafePageField } from "./lib/unsafe-input";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * A page, with bad input answered by a readable 400 page (site/pages/bad-request.astro: NUL or unpaired
 * surrogates anywhere — lib/unsafe-text.ts — or a value the database refused) and an unexpected error
 * logged without its data (lib/error-fields.ts) and answered by site/pages/500.astro — never by Astro
 * printing the error (a failed query's message holds its parameters) or by an empty body.
 */
async function renderPage(context: APIContext, next: MiddlewareNext, requestId: string | undefined) {
  const { request, url } = context;
  const unsafe = await unsafePageField(request, url);
  if (unsafe !== null) return next(new Request(badRequestUrl(url, unsafe), { headers: request.headers }));
  try {
    return await next();
  } catch (err) {
    if (databaseInputProblem(err)) {
      log.warn("database refused an input value", { requestId, route: context.routePattern, ...errorFields(err) });
      return next(new Request(badRequestUrl(url, "", "value"), { headers: request.headers }));
    }
    log.error("page failed", { requestId, route: context.routePattern, ...errorFields(err) });
    // A bodiless 500: Astro answers it with site/pages/500.astro.
    return new Response(null, { status: 500 });
  }
}

/**
 * Every response: request id, security headers, one log line. Page form posts must come from our own
 * origin (Astro's own check is off because it also refused Open311 clients that send no Origin).
 */
export const onRequest = defineMiddleware(async (context, next) => {
  const { request, url } = context;
  // /open311/ is the GeoReport API: its own request ids, logs and errors; clients post from anywhere.
  const isApi = url.pathname === "/api" || url.pathname.startsWith("/api/") || url.pathname.startsWith("/open311/");
  const started = performance.now();
  if (!isApi && !SAFE_METHODS.has(request.method)) {
    const origin = request.headers.get("origin");
    const fetchSite = request.headers.get("sec-fetch-site");
    if ((origin && origin !== url.origin) || fetchSite === "cross-site") {
      return new Response("跨站提交已被拒绝（Cross-site form submission refused）", {
        status: 403,
        headers: { "Content-Type": "text/plain; charset=utf-8" },
      });
    }
  }
  // nginx passes its $request_id on: the same id in its access log, ours and the response.
  const incomingId = request.headers.get("x-request-id");
  const requestId = isApi
    ? undefined
    : incomingId && /^[A-Za-z0-9_-]{8,64}$/.test(incomingId)
      ? incomingId
      : randomUUID();
  let response = isApi ? await next() : await renderPage(context, next, requestId);
  // Redirects and fetched responses have immutable headers; copy those before adding ours.
  try {
    response.headers.set("X-Content-Type-Options", "nosniff");
  } catch {
    response = new Response(response.body, response);
  }
  if (requestId) response.headers.set("X-Request-Id", requestId);
  // Not the CSP in `astro dev`, whose client injects inline scripts.
  // HSTS when the client came over HTTPS: the page server (scripts/serve.ts) has already replaced
  // X-Forwarded-Proto with what lib/client-address.ts decided, so the URL's scheme is the client's.
  applySecurityHeaders(response.headers, {
    csp: process.env.NODE_ENV !== "development",
    https: url.protocol === "https:",
  });
  // Shared-cache lifetime and validators for public pages, private no-store for the rest
  // (lib/cache-policy.ts). The API apps apply the same policy themselves.
  if (!isApi)
    response = await withCachePolicy(
      { method: request.method, path: url.pathname, headers: request.headers },
      response,
      env().PUBLIC_CACHE_SECONDS,
    );
  if (!isApi) {
    // The route's pattern (/notices/[id]), never the path or query a client sent.
    log.info("page", {
      requestId,
      method: request.method,
      route: context.routePattern,
      status: response.status,
      ms: Math.round((performance.now() - started) * 10) / 10,
    });
  }
  return response;
});
