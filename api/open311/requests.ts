import { authenticateOpen311Key } from "../../domain/open311/keys";
import { getOpen311Request, listOpen311Requests } from "../../domain/open311/requests";
import { submitOpen311Request } from "../../domain/open311/submit";
import { listCategories } from "../../domain/reference/places";
import { clientOf } from "../middleware/client";
import { badRequest311, notFound311, Open311Failure } from "./errors";
import type { Node } from "./format";
import { checkJurisdiction, parseRequestQuery } from "./query";
import { open311Router, resource, send } from "./respond";

// Open311 service requests: the public list (requests.json / .xml), one request, and a new request
// posted by a client application with its api_key.

export const requestRoutes = open311Router();

requestRoutes.get("/:file", async (c, next) => {
  const { name, format } = resource(c.req.param("file"));
  if (name !== "requests") return next();
  checkJurisdiction(c.req.query("jurisdiction_id"));
  const known = new Set((await listCategories(c.var.db)).map((x) => x.code));
  const query = parseRequestQuery(c.req.query(), known);
  return send(c, format, "service_requests", (await listOpen311Requests(c.var.db, query)) as unknown as Node);
});

requestRoutes.get("/requests/:file", async (c) => {
  const { name, format } = resource(c.req.param("file"));
  checkJurisdiction(c.req.query("jurisdiction_id"));
  const request = await getOpen311Request(c.var.db, name);
  if (!request) throw notFound311(`service_request_id “${name}” 不存在`);
  return send(c, format, "service_requests", [request] as unknown as Node);
});

requestRoutes.post("/:file", async (c, next) => {
  const { name, format } = resource(c.req.param("file"));
  if (name !== "requests") return next();
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
