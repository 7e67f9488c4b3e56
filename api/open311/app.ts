import { type Context, Hono } from "hono";
import { cors } from "hono/cors";

import { getDb } from "../../db/client";
import { authenticateOpen311Key } from "../../domain/open311/keys";
import { getOpen311Request, listOpen311Requests } from "../../domain/open311/requests";
import { getOpen311ServiceDefinition, listOpen311Services } from "../../domain/open311/services";
import { submitOpen311Request } from "../../domain/open311/submit";
import { listCategories } from "../../domain/reference/places";
import type { AppEnv } from "../context";
import { limitBodies } from "../middleware/body-limit";
import { requestContext } from "../middleware/request-context";
import { siteHeaders } from "../middleware/site-headers";
import { refuseUnsafeText } from "../middleware/text-guard";
import { clientOf } from "../routes/tickets";
import { badRequest311, errorBody, notFound311, Open311Failure, toOpen311Error } from "./errors";
import { CONTENT_TYPE, type Format, type Node, render, splitFormat } from "./format";
import { checkJurisdiction, parseRequestQuery } from "./query";

// Open311 GeoReport v2 at /open311/v2/ — a separate Hono app from /api: its own URL scheme (resources
// with a .json/.xml suffix), its own error format (a list of {code, description}) and XML output, none
// of which fit the OpenAPI/zod routers of /api. Handlers still only validate, call a domain verb and
// render. The site mounts it with site/pages/open311/[...path].ts.

export const open311 = new Hono<AppEnv>().basePath("/open311/v2");

/** The GeoReport spec this endpoint implements (used in discovery). */
export const GEOREPORT_V2_SPEC = "http://wiki.open311.org/GeoReport_v2";
/** When the service list or this API last changed in a way clients should notice. */
const CHANGESET = "2026-11-28T00:00:00+08:00";

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

function send(c: Context<AppEnv>, format: Format, root: string, value: Node, status: 200 | 201 = 200) {
  return c.body(render(format, root, value), status, { "Content-Type": CONTENT_TYPE[format] });
}

/** Resolve "<name>.<fmt>" or fail with 404 (unknown format = no such resource). */
function resource(file: string) {
  const split = splitFormat(file);
  if (!split) throw notFound311(`没有这个资源：${file}（请在资源名后加 .json 或 .xml）`);
  return split;
}

open311.get("/:file", async (c) => {
  const { name, format } = resource(c.req.param("file"));
  checkJurisdiction(c.req.query("jurisdiction_id"));
  const db = c.var.db;
  if (name === "discovery") {
    const url = new URL(c.req.url);
    return send(c, format, "discovery", {
      changeset: CHANGESET,
      contact: "淄博市12317扶贫监督举报中心（电话 12317）",
      key_service: "POST 需要 api_key：由系统管理员为客户端应用签发（见项目 README 的 Open311 一节）",
      endpoints: [
        {
          specification: GEOREPORT_V2_SPEC,
          url: `${url.origin}/open311/v2`,
          changeset: CHANGESET,
          type: "production",
          formats: ["text/xml", "application/json"],
        },
      ],
    });
  }
  if (name === "services") {
    return send(c, format, "services", (await listOpen311Services(db)) as unknown as Node);
  }
  if (name === "requests") {
    const known = new Set((await listCategories(db)).map((x) => x.code));
    const query = parseRequestQuery(c.req.query(), known);
    return send(c, format, "service_requests", (await listOpen311Requests(db, query)) as unknown as Node);
  }
  throw notFound311(`没有这个资源：${name}`);
});

open311.get("/services/:file", async (c) => {
  const { name, format } = resource(c.req.param("file"));
  checkJurisdiction(c.req.query("jurisdiction_id"));
  const definition = await getOpen311ServiceDefinition(c.var.db, name);
  if (!definition) throw notFound311(`service_code “${name}” 不存在`);
  return send(c, format, "service_definition", definition as unknown as Node);
});

open311.get("/requests/:file", async (c) => {
  const { name, format } = resource(c.req.param("file"));
  checkJurisdiction(c.req.query("jurisdiction_id"));
  const request = await getOpen311Request(c.var.db, name);
  if (!request) throw notFound311(`service_request_id “${name}” 不存在`);
  return send(c, format, "service_requests", [request] as unknown as Node);
});

// Every service is "realtime": POST returns the service_request_id at once and never a token, so no
// token can resolve. The resource exists (clients probe it) and answers 404 as the spec says.
open311.get("/tokens/:file", async (c) => {
  const { name } = resource(c.req.param("file"));
  checkJurisdiction(c.req.query("jurisdiction_id"));
  throw notFound311(`token “${name}” 不存在：本接口的服务均为 realtime，提交后直接返回 service_request_id`);
});

open311.post("/:file", async (c) => {
  const { name, format } = resource(c.req.param("file"));
  if (name !== "requests") throw methodNotAllowed(c.req.path);
  const type = c.req.header("content-type") ?? "";
  if (!type.toLowerCase().startsWith("application/x-www-form-urlencoded")) {
    throw badRequest311("请求须为 application/x-www-form-urlencoded; charset=utf-8 表单");
  }
  const form = new URLSearchParams(await c.req.text());
  checkJurisdiction(form.get("jurisdiction_id"));
  const client = await authenticateOpen311Key(c.var.db, form.get("api_key"));
  if (!client) {
    throw new Open311Failure(403, [form.get("api_key") ? "api_key 无效或已停用，无法提交" : "缺少 api_key，无法提交"]);
  }
  const created = await submitOpen311Request(c.var.db, client, form, {
    idempotencyKey: c.req.header("idempotency-key") ?? undefined,
    submitter: clientOf(c),
  });
  // 200 as in the spec's (and its Swagger's) POST response; the body is the created request.
  return send(c, format, "service_requests", [created] as unknown as Node);
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
