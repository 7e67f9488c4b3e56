import { createRoute, z } from "@hono/zod-openapi";
import { hotlineStats, parseStatsFilters, statsCsv } from "../../domain/stats/hotline";
import { createRouter } from "../context";
import { errorResponses } from "../errors";

// Public hotline statistics: aggregates only, small cells withheld (domain/stats/hotline.ts).

const tags = ["公开统计"];
const Query = z.object({
  year: z.string().optional().openapi({ description: "年份，例如 2026", example: "2026" }),
  district: z.string().optional().openapi({ description: "区县代码或名称，例如 gaoqing 或 高青县" }),
  category: z.string().optional().openapi({ description: "问题类别代码或名称，例如 housing" }),
  format: z.enum(["json", "csv"], { error: "format 应为 json 或 csv" }).optional(),
});
const Cell = z.object({
  received: z.number().nullable(),
  accepted: z.number().nullable(),
  closed: z.number().nullable(),
  acceptedOnTimeRate: z.number().nullable(),
  handledOnTimeRate: z.number().nullable(),
  closureRate: z.number().nullable(),
  satisfactionRate: z.number().nullable(),
  avgDaysToClose: z.number().nullable(),
});
const Row = Cell.extend({ key: z.string(), label: z.string() });
const Stats = z
  .object({
    filters: z.object({
      year: z.number().nullable(),
      district: z.string().nullable(),
      category: z.string().nullable(),
    }),
    generatedAt: z.string(),
    suppressBelow: z.number(),
    totals: Cell,
    byMonth: z.array(Row),
    byDistrict: z.array(Row),
    byCategory: z.array(Row),
    overdueUnits: z.array(
      z.object({ unit: z.string(), overdueNow: z.number().nullable(), repliedLate: z.number().nullable() }),
    ),
  })
  .openapi("HotlineStats", {
    description: "null = 少于 3 件不公布（或无分母）。比率为百分数，保留一位小数。",
  });

const statsRoute = createRoute({
  method: "get",
  path: "/stats/hotline",
  tags,
  summary: "12317 热线公开统计（仅汇总数，少于 3 件不公布）",
  request: { query: Query },
  responses: {
    200: {
      description: "统计",
      content: { "application/json": { schema: Stats }, "text/csv": { schema: z.string() } },
    },
    ...errorResponses(400),
  },
});

export const statsRoutes = createRouter();
statsRoutes.openapi(statsRoute, async (c) => {
  const params = new URL(c.req.url).searchParams;
  const f = await parseStatsFilters(c.var.db, params);
  const s = await hotlineStats(c.var.db, f);
  c.header("Cache-Control", "public, max-age=60");
  if (c.req.valid("query").format === "csv") {
    return c.body(statsCsv(s), 200, {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="hotline-stats${f.year ? `-${f.year}` : ""}.csv"`,
    });
  }
  return c.json(s, 200);
});
