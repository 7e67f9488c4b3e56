import { createRoute, z } from "@hono/zod-openapi";
import { listAssets, listProjects } from "../../domain/projects/directory";
import { parseUpdatedSince } from "../../lib/updated-since";
import { createRouter, jsonContent } from "../context";
import { errorResponses } from "../errors";

// The project library and the asset register, public lists (the single project and publishing live in
// routes/projects.ts).

export const projectDirectoryRoutes = createRouter();

const Filters = z.object({
  stage: z
    .string()
    .max(20)
    .optional()
    .openapi({ description: "reserve | approved | implementing | accepted | maintenance | distribution" }),
  district: z.string().max(20).optional().openapi({ example: "高青县" }),
  year: z.coerce.number().int().min(2014, "年度应为 2014–2035").max(2035, "年度应为 2014–2035").optional(),
  category: z.string().max(20).optional().openapi({ description: "类别名称或代码" }),
  updatedSince: z
    .string()
    .max(40)
    .optional()
    .openapi({ description: "只要此时间之后新增或变更的（ISO 8601，如 2026-11-01T00:00:00+08:00）" }),
  page: z.coerce.number().int().min(1).max(100000).default(1),
  pageSize: z.coerce.number().int().min(1).max(200, "每页最多 200 条").default(50),
});
const Page = z.object({
  items: z.array(z.record(z.string(), z.unknown())),
  total: z.number().int(),
  page: z.number().int(),
  pageSize: z.number().int(),
});

projectDirectoryRoutes.openapi(
  createRoute({
    method: "get",
    path: "/projects",
    tags: ["资金公开"],
    summary: "项目库：按阶段、区县、年度、类别筛选",
    request: { query: Filters },
    responses: { 200: jsonContent(Page, "一页项目"), ...errorResponses(400, 503) },
  }),
  async (c) => {
    const { page, pageSize, updatedSince, ...f } = c.req.valid("query");
    return c.json(
      await listProjects(c.var.db, { ...f, updatedSince: parseUpdatedSince(updatedSince) }, { page, pageSize }),
      200,
    );
  },
);

projectDirectoryRoutes.openapi(
  createRoute({
    method: "get",
    path: "/assets",
    tags: ["资金公开"],
    summary: "扶贫项目资产登记（所有权人、管护主体、管护责任）",
    request: { query: Filters.omit({ updatedSince: true }) },
    responses: { 200: jsonContent(Page, "一页资产"), ...errorResponses(400, 503) },
  }),
  async (c) => {
    const { page, pageSize, ...f } = c.req.valid("query");
    return c.json(await listAssets(c.var.db, f, { page, pageSize }), 200);
  },
);
