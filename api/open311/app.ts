import { Hono } from "hono";
import { cors } from "hono/cors";

import { getDb } from "../../db/client";
import type { AppEnv } from "../context";
import { limitBodies } from "../middleware/body-limit";
import { requestContext } from "../middleware/request-context";
import { siteHeaders } from "../middleware/site-headers";
import { refuseUnsafeText } from "../middleware/text-guard";
import { discoveryRoutes } from "./discovery";
import { errorBody, notFound311, Open311Failure, toOpen311Error } from "./errors";
import { CONTENT_TYPE, type Format, render, splitFormat } from "./format";
import { checkJurisdiction } from "./query";
import { requestRoutes } from "./requests";
import { resource } from "./respond";
import { serviceRoutes } from "./services";
import { tokenRoutes } from "./tokens";

// Open311 GeoReport v2 at /open311/v2/ — a separate Hono app from /api: its own URL scheme (resources
// with a .json/.xml suffix), its own error format (a list of {code, description}) and XML output, none
// of which fit the OpenAPI/zod routers of /api. Handlers still only validate, call a domain verb and
// render. The site mounts it with site/pages/open311/[...path].ts. Each resource is a router of its own
// (discovery.ts, services.ts, requests.ts, tokens.ts).

export const open311 = new Hono<AppEnv>().basePath("/open311/v2");

open311.use("*", requestContext);
open311.use("*", siteHeaders);
// Public data and key-authenticated posts, no cookies: any origin may call it (browser-based clients).
open311.use("*", cors({ origin: "*", allowMethods: ["GET", "POST"], maxAge: 600 }));
open311.use("*", limitBodies());
open311.use("*", refuseUnsafeText);
open311.use("*", async (c, next) => {
  c.set("db", await getDb());
  await next();
});

/** The format a response should use: the path's suffix, or XML (the spec's required format). */
function formatOf(path: string): Format {
  return path.toLowerCase().endsWith(".json") ? "json" : "xml";
}

// One router per resource; a "<name>.<format>" a router does not serve goes on to the next, and past the
// last one it is no resource (GET) or a method the resource lacks (POST).
open311.route("/", discoveryRoutes);
open311.route("/", serviceRoutes);
open311.route("/", requestRoutes);
open311.route("/", tokenRoutes);

open311.get("/:file", async (c) => {
  const { name } = resource(c.req.param("file"));
  checkJurisdiction(c.req.query("jurisdiction_id"));
  throw notFound311(`没有这个资源：${name}`);
});

open311.post("/:file", async (c) => {
  resource(c.req.param("file"));
  throw methodNotAllowed(c.req.path);
});

function methodNotAllowed(path: string) {
  const file = path.split("/").pop() ?? "";
  const name = splitFormat(file)?.name;
  const allow = path.includes("/services/") || path.includes("/tokens/") || name !== "requests" ? "GET" : "GET, POST";
  return new Open311Failure(405, [`此地址不支持该请求方法，可用：${allow}`], { Allow: allow });
}

open311.notFound((c) => {
  const known = /^\/open311\/v2\/((discovery|services|requests)\.[a-z]+|(services|requests|tokens)\/[^/]+)$/i;
  const err = known.test(c.req.path) ? methodNotAllowed(c.req.path) : notFound311(`没有这个接口：${c.req.path}`);
  const e = toOpen311Error(err);
  for (const [k, v] of Object.entries(e.headers ?? {})) c.header(k, v);
  const format = formatOf(c.req.path);
  return c.body(render(format, "errors", errorBody(e)), e.status, { "Content-Type": CONTENT_TYPE[format] });
});

open311.onError((err, c) => {
  const requestId = c.get("requestId");
  if (requestId) c.header("X-Request-Id", requestId);
  const e = toOpen311Error(err, requestId);
  for (const [k, v] of Object.entries(e.headers ?? {})) c.header(k, v);
  const format = formatOf(c.req.path);
  return c.body(render(format, "errors", errorBody(e)), e.status, { "Content-Type": CONTENT_TYPE[format] });
});
