import { createRoute, z } from "@hono/zod-openapi";
import { fiscalDataPackage } from "../../domain/funds/export";
import {
  OPEN_DATASET_NAMES,
  OPEN_DATASETS,
  openDataset,
  openDatasetCsv,
  openDatasetResource,
  openDatasetValidator,
} from "../../domain/money/open-data";
import { notModified, type Validator, validatorHeaders } from "../../lib/conditional-get";
import { notFound } from "../../lib/errors";
import { createRouter, jsonContent } from "../context";
import { errorResponses } from "../errors";

// The money trail as open data: a CSV file per public table (domain/money/open-data.ts) and one
// Frictionless Data Package describing them all, the fund allocation export included.

export const moneyExportRoutes = createRouter();

const tags = ["资金公开"];
const exportPath = (origin: string, name: string) => `${origin}/api/money/exports/${name}.csv`;

moneyExportRoutes.openapi(
  createRoute({
    method: "get",
    path: "/money/datapackage.json",
    tags,
    summary:
      "资金轨迹开放数据的 Data Package 描述（资金分配、拨付、支出、到户汇总、危房改造汇总、公示名单汇总、资产巡查、资产收益）",
    responses: { 200: jsonContent(z.record(z.string(), z.unknown()), "Frictionless Data Package 描述") },
  }),
  (c) => {
    const origin = new URL(c.req.url).origin;
    const funds = fiscalDataPackage(origin);
    return c.json(
      {
        profile: "tabular-data-package",
        name: "zibo-poverty-money-trail",
        title: "淄博市扶贫资金轨迹开放数据",
        description:
          "从资金分配到拨付、项目支出、直接拨付到户和资产收益的公开数据。到户发放、危房改造和公示名单只公布按村汇总的户数和金额，不含任何个人信息。",
        homepage: `${origin}/funds`,
        licenses: funds.licenses,
        resources: [
          ...funds.resources,
          ...OPEN_DATASETS.map((d) => openDatasetResource(d, exportPath(origin, d.name))),
        ],
      },
      200,
    );
  },
);

const File = z.object({
  file: z
    .enum(OPEN_DATASET_NAMES.map((n) => `${n}.csv`) as [string, ...string[]], {
      message: `文件应为 ${OPEN_DATASET_NAMES.map((n) => `${n}.csv`).join("、")} 之一`,
    })
    .openapi({ param: { name: "file", in: "path" }, example: "asset-income.csv" }),
});

// Revalidated on every use like the fund export: an unchanged file costs a 304 and a few index reads.
const cacheHeaders = (v: Validator) => ({
  ...validatorHeaders(v),
  "cache-control": "public, max-age=0, must-revalidate",
});

moneyExportRoutes.openapi(
  createRoute({
    method: "get",
    path: "/money/exports/{file}",
    tags,
    summary: "下载一张资金轨迹开放数据表（CSV，UTF-8 带 BOM；ETag/Last-Modified，未变时 304）",
    request: { params: File },
    responses: {
      200: { description: "CSV", content: { "text/csv": { schema: z.string() } } },
      304: { description: "未变化" },
      ...errorResponses(400, 404, 503),
    },
  }),
  async (c) => {
    const name = c.req.valid("param").file.replace(/\.csv$/, "");
    const d = openDataset(name);
    if (!d) throw notFound("没有这张数据表");
    const v = await openDatasetValidator(c.var.db, d);
    if (notModified(c.req.raw.headers, v))
      return new Response(null, { status: 304, headers: cacheHeaders(v) }) as never;
    return new Response(openDatasetCsv(c.var.db, d), {
      headers: {
        "content-type": "text/csv; charset=utf-8",
        "content-disposition": `attachment; filename="${name}.csv"`,
        ...cacheHeaders(v),
      },
    }) as never;
  },
);
