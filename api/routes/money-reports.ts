import { createRoute, z } from "@hono/zod-openapi";
import { getAllocation } from "../../domain/funds/allocations";
import { moneyChanges, parseUpdatedSince } from "../../domain/money/feed";
import { stuckMoney } from "../../domain/money/stuck";
import { allocationTrail, districtIdByName, PROGRESS_GROUPS, progressSummary } from "../../domain/money/trail";
import { villagePage } from "../../domain/money/villages";
import { createRouter, IdParam, jsonContent } from "../context";
import { errorResponses } from "../errors";

// Public money reports: an allocation's trail, progress by district/year/category/programme, a
// village's page data, money still waiting, and the change list.

export const moneyReportRoutes = createRouter();

const Obj = z.record(z.string(), z.unknown());

moneyReportRoutes.openapi(
  createRoute({
    method: "get",
    path: "/funds/{id}/trail",
    tags: ["资金到户"],
    summary: "一笔资金分配的去向：分配 → 拨付（逐笔）→ 支出 / 发放到户，及尚未拨付的余额和时长",
    request: { params: IdParam },
    responses: { 200: jsonContent(Obj, "资金去向"), ...errorResponses(400, 404, 503) },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    await getAllocation(c.var.db, id);
    return c.json(await allocationTrail(c.var.db, id), 200);
  },
);

moneyReportRoutes.openapi(
  createRoute({
    method: "get",
    path: "/money/progress",
    tags: ["资金到户"],
    summary:
      "拨付率（已拨付 ÷ 已分配）和到户率（已发放到户 ÷ 拨付到户）按区县、年度、类别或到户项目（programme，只有已发放到户金额）汇总",
    request: {
      query: z.object({
        groupBy: z.enum(PROGRESS_GROUPS).default("district"),
        year: z.coerce.number().int().min(2014).max(2035).optional(),
        district: z.string().max(20).optional(),
      }),
    },
    responses: {
      200: jsonContent(z.object({ groupBy: z.string(), rows: z.array(Obj) }), "汇总"),
      ...errorResponses(400, 503),
    },
  }),
  async (c) => {
    const q = c.req.valid("query");
    const districtId = q.district ? await districtIdByName(c.var.db, q.district) : null;
    return c.json(
      { groupBy: q.groupBy, rows: await progressSummary(c.var.db, q.groupBy, { year: q.year, districtId }) },
      200,
    );
  },
);

moneyReportRoutes.openapi(
  createRoute({
    method: "get",
    path: "/villages/{id}",
    tags: ["资金到户"],
    summary: "一个村的资金到村到户、项目、公示名单（仅公示期和保留期内，姓名隐去部分字）、危房改造、公示和 12317 数字",
    request: { params: IdParam },
    responses: { 200: jsonContent(Obj, "村"), ...errorResponses(400, 404, 503) },
  }),
  async (c) => c.json(await villagePage(c.var.db, c.req.valid("param").id), 200),
);

moneyReportRoutes.openapi(
  createRoute({
    method: "get",
    path: "/money/stuck",
    tags: ["资金到户"],
    summary: "滞留资金：发布 30 / 60 / 90 天后仍未全部拨付的资金分配，按区县和时长",
    request: {
      query: z.object({
        district: z.string().max(20).optional(),
        minAge: z.coerce.number().int().min(30).max(3650).default(30),
      }),
    },
    responses: { 200: jsonContent(Obj, "滞留资金"), ...errorResponses(400, 503) },
  }),
  async (c) => {
    const q = c.req.valid("query");
    if (q.district) await districtIdByName(c.var.db, q.district);
    return c.json(await stuckMoney(c.var.db, { district: q.district, minAge: q.minAge }), 200);
  },
);

moneyReportRoutes.openapi(
  createRoute({
    method: "get",
    path: "/money/changes",
    tags: ["资金到户"],
    summary: "变化列表：新增、更正、撤回的资金分配和拨付，以及到户发放批次（新→旧；Atom 版本见 /feeds/money.xml）",
    request: {
      query: z.object({
        updatedSince: z.string().max(40).optional().openapi({ description: "只要此时间之后的变化（ISO 8601）" }),
        limit: z.coerce.number().int().min(1).max(500).default(100),
      }),
    },
    responses: { 200: jsonContent(z.object({ items: z.array(Obj) }), "变化"), ...errorResponses(400, 503) },
  }),
  async (c) => {
    const q = c.req.valid("query");
    return c.json(
      { items: await moneyChanges(c.var.db, { since: parseUpdatedSince(q.updatedSince), limit: q.limit }) },
      200,
    );
  },
);
