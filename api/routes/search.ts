import { createRoute, z } from "@hono/zod-openapi";
import { SEARCH_TYPES } from "../../search/contract";
import { EXACT_COUNT_THRESHOLD, MAX_PAGE, MAX_PAGE_SIZE, MAX_QUERY_LENGTH, SORTS, search } from "../../search/engine";
import { createRouter } from "../context";
import { errorResponses } from "../errors";

const Query = z.object({
  q: z
    .string({ error: "请输入要搜索的内容" })
    .trim()
    .min(1, "请输入要搜索的内容")
    .max(MAX_QUERY_LENGTH, `搜索内容最多 ${MAX_QUERY_LENGTH} 个字`)
    .openapi({ example: "危房改造", description: "搜索词（中文分词；文号如 淄发〔2016〕3号 可整体搜索）" }),
  type: z
    .enum(SEARCH_TYPES, { error: `类型应为 ${SEARCH_TYPES.join("、")} 之一` })
    .optional()
    .openapi({ description: "内容类型" }),
  year: z.coerce
    .number({ error: "年份应为四位数字" })
    .int("年份应为四位数字")
    .min(1990, "年份应为四位数字")
    .max(2100, "年份应为四位数字")
    .optional()
    .openapi({ example: 2018 }),
  district: z.string().trim().min(1).max(20, "区县名称过长").optional().openapi({ example: "高青县" }),
  page: z.coerce
    .number({ error: "页码应为正整数" })
    .int("页码应为正整数")
    .min(1, "页码应为正整数")
    .max(MAX_PAGE, `页码最大为 ${MAX_PAGE}`)
    .default(1),
  pageSize: z.coerce
    .number({ error: "每页条数应为整数" })
    .int("每页条数应为整数")
    .min(1, "每页至少 1 条")
    .max(MAX_PAGE_SIZE, `每页最多 ${MAX_PAGE_SIZE} 条`)
    .default(10),
  sort: z.enum(SORTS, { error: "排序应为 relevance（相关度）或 date（日期）" }).default("relevance"),
});

const Hit = z.object({
  type: z.enum(SEARCH_TYPES),
  id: z.string(),
  title: z.string(),
  titleHtml: z.string().openapi({ description: "标题（安全 HTML，命中词在 <mark> 中）" }),
  snippet: z.string().openapi({ description: "摘要（安全 HTML：全文转义后命中词包在 <mark> 中）" }),
  url: z.string(),
  date: z.string().nullable(),
  district: z.string().nullable(),
});
const Facet = z.array(z.object({ value: z.string(), count: z.number().int() }));
const Result = z
  .object({
    hits: z.array(Hit),
    total: z
      .number()
      .int()
      .openapi({
        description: `匹配总数。不超过 ${EXACT_COUNT_THRESHOLD} 条时为精确值；超过时可能是估计值（见 totalIsExact）`,
      }),
    totalIsExact: z.boolean().openapi({
      description: `true：total 与各分面计数均为精确值；false：均为估计值（仅当匹配超过 ${EXACT_COUNT_THRESHOLD} 条时出现）`,
    }),
    facets: z
      .object({ type: Facet, year: Facet, district: Facet })
      .openapi({ description: "分面计数；totalIsExact 为 false 时为估计值" }),
    page: z.number().int(),
    pageSize: z.number().int(),
    tookMs: z.number(),
  })
  .openapi("SearchResult");

const route = createRoute({
  method: "get",
  path: "/search",
  tags: ["搜索"],
  summary: "全站搜索：公示、资金、项目、政策、档案、群英谱（分面：类型、年份、区县）",
  request: { query: Query },
  responses: {
    200: { description: "搜索结果", content: { "application/json": { schema: Result } } },
    ...errorResponses(400, 503),
  },
});

export const searchRoutes = createRouter().openapi(route, async (c) => {
  const result = await search(c.var.db, c.req.valid("query"));
  return c.json(result, 200);
});
