import { createRoute } from "@hono/zod-openapi";
import { villagePage } from "../../domain/money/villages";
import { createRouter, IdParam, jsonContent } from "../context";
import { errorResponses } from "../errors";
import { Loose } from "../fields";

// One village's page data: money to the village and its households, projects, lists (only while public,
// names partly hidden), 危房改造 cases, notices and hotline figures. Public.

export const villageRoutes = createRouter();

villageRoutes.openapi(
  createRoute({
    method: "get",
    path: "/villages/{id}",
    tags: ["资金到户"],
    summary: "一个村的资金到村到户、项目、公示名单（仅公示期和保留期内，姓名隐去部分字）、危房改造、公示和 12317 数字",
    request: { params: IdParam },
    responses: { 200: jsonContent(Loose, "村"), ...errorResponses(400, 404, 503) },
  }),
  async (c) => c.json(await villagePage(c.var.db, c.req.valid("param").id), 200),
);
