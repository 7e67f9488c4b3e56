import { createRoute, z } from "@hono/zod-openapi";
import {
  assetIncomeOf,
  assetIncomeVersions,
  correctAssetIncome,
  DISTRIBUTION_LABELS,
  recordAssetIncome,
} from "../../domain/projects/asset-income";
import { notFound } from "../../lib/errors";
import { createRouter, IdParam, jsonContent } from "../context";
import { errorResponses } from "../errors";
import { NewId, Reason } from "../fields";
import { requireStaffForWrites } from "../middleware/auth";
import { moneyAmount } from "../money-fields";
import { jsonBody } from "../request-bodies";

// A project asset's income per year and its distribution (sums only): public reads, publisher writes.

export const assetIncomeRoutes = createRouter();
assetIncomeRoutes.use("/projects/:id/income", requireStaffForWrites("publisher", "admin"));
assetIncomeRoutes.use("/projects/:id/income/*", requireStaffForWrites("publisher", "admin"));

const Figures = {
  income: moneyAmount("50000.00").openapi({ description: "当年资产收益（元）" }),
  toHouseholds: moneyAmount("30000.00")
    .optional()
    .openapi({ description: `${DISTRIBUTION_LABELS.toHouseholds}（元）` }),
  toCollective: moneyAmount("15000.00")
    .optional()
    .openapi({ description: `${DISTRIBUTION_LABELS.toCollective}（元）` }),
  toMaintenance: moneyAmount("5000.00")
    .optional()
    .openapi({ description: `${DISTRIBUTION_LABELS.toMaintenance}（元）` }),
  toOther: moneyAmount("0.00")
    .optional()
    .openapi({ description: `${DISTRIBUTION_LABELS.toOther}（元）` }),
  note: z.string().max(500).optional().openapi({ example: "光伏电站发电收益" }),
};

const AssetIncome = z
  .object({
    year: z.number().int(),
    income: z.string(),
    toHouseholds: z.string(),
    toCollective: z.string(),
    toMaintenance: z.string(),
    toOther: z.string(),
    distributed: z.string(),
    undistributed: z.string(),
    note: z.string(),
    version: z.number().int(),
    updatedAt: z.string(),
  })
  .openapi("AssetIncome");

const YearParam = IdParam.extend({
  year: z.coerce
    .number()
    .int()
    .min(2014, "年度应为 2014 年以后")
    .max(2100, "年度有误")
    .openapi({ param: { name: "year", in: "path" }, example: 2025 }),
});

const Version = z.object({
  version: z.number().int(),
  kind: z.enum(["original", "correction", "withdrawal"]),
  snapshot: z.record(z.string(), z.unknown()),
  reason: z.string().nullable(),
  createdAt: z.string(),
});

assetIncomeRoutes.openapi(
  createRoute({
    method: "get",
    path: "/projects/{id}/income",
    tags: ["扶贫项目"],
    summary: "项目资产的年度收益及分配（新→旧，只含合计金额）",
    request: { params: IdParam },
    responses: {
      200: jsonContent(z.object({ items: z.array(AssetIncome) }), "年度收益"),
      ...errorResponses(400, 503),
    },
  }),
  async (c) => c.json({ items: await assetIncomeOf(c.var.db, c.req.valid("param").id) }, 200),
);

assetIncomeRoutes.openapi(
  createRoute({
    method: "get",
    path: "/projects/{id}/income/{year}",
    tags: ["扶贫项目"],
    summary: "一年的资产收益及其全部版本（更正）",
    request: { params: YearParam },
    responses: {
      200: jsonContent(AssetIncome.extend({ versions: z.array(Version) }), "年度收益及版本"),
      ...errorResponses(400, 404, 503),
    },
  }),
  async (c) => {
    const { id, year } = c.req.valid("param");
    const item = (await assetIncomeOf(c.var.db, id)).find((i) => i.year === year);
    if (!item) throw notFound(`${year} 年还没有填报资产收益`);
    return c.json({ ...item, versions: await assetIncomeVersions(c.var.db, id, year) }, 200);
  },
);

assetIncomeRoutes.openapi(
  createRoute({
    method: "post",
    path: "/projects/{id}/income",
    tags: ["扶贫项目"],
    summary: "填报一年的资产收益及分配（须先登记资产，否则 409；该年已填报 409，请更正）",
    security: [{ staffSession: [] }],
    request: {
      params: IdParam,
      body: jsonBody(
        z.object({ year: z.number().int().openapi({ example: 2025 }), ...Figures }).openapi("AssetIncomeInput"),
      ),
    },
    responses: {
      201: jsonContent(NewId, "已填报"),
      ...errorResponses(400, 401, 403, 404, 409, 503),
    },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    return c.json({ id: await recordAssetIncome(c.var.db, id, c.req.valid("json"), c.var.staff.userId) }, 201);
  },
);

assetIncomeRoutes.openapi(
  createRoute({
    method: "put",
    path: "/projects/{id}/income/{year}",
    tags: ["扶贫项目"],
    summary: "更正一年的资产收益及分配（写明原因，旧数字作为公开版本保留）",
    security: [{ staffSession: [] }],
    request: {
      params: YearParam,
      body: jsonBody(
        z
          .object({ ...Figures, reason: Reason.openapi({ example: "分红金额按村民代表会议决议更正" }) })
          .openapi("AssetIncomeCorrection"),
      ),
    },
    responses: {
      200: jsonContent(NewId, "已更正"),
      ...errorResponses(400, 401, 403, 404, 409, 503),
    },
  }),
  async (c) => {
    const { id, year } = c.req.valid("param");
    return c.json({ id: await correctAssetIncome(c.var.db, id, year, c.req.valid("json"), c.var.staff.userId) }, 200);
  },
);
