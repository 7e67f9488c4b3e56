import { createRoute, z } from "@hono/zod-openapi";
import {
  correctAllocation,
  createAllocation,
  FUND_SORTS,
  GROUP_BYS,
  getAllocation,
  listAllocations,
  summarizeAllocations,
  withdrawAllocation,
} from "../../domain/funds/allocations";
import {
  allocationsCsvStream,
  allocationsJsonStream,
  exportValidator,
  fiscalDataPackage,
} from "../../domain/funds/export";
import { resolveFundFilters } from "../../domain/funds/filters";
import { importAllocations } from "../../domain/funds/import";
import { toAllocationPatch, toAllocationValues } from "../../domain/funds/input";
import { notModified, type Validator, validatorHeaders } from "../../lib/conditional-get";
import { AppError } from "../../lib/errors";
import { createRouter, IdParam, jsonContent } from "../context";
import { csvUploadBody, ImportedBatch, importRefused, uploadedCsv } from "../csv-upload";
import { errorResponses } from "../errors";
import { Day, Reason, withdrawalBody } from "../fields";
import { requireStaffForWrites } from "../middleware/auth";
import { jsonBody } from "../request-bodies";

// 资金分配结果公开: public reading, exports; publishing (create, correct, withdraw, import) is staff-only.

const publisherForWrites = requireStaffForWrites("publisher", "admin");
export const fundsRoutes = createRouter();
fundsRoutes.use("/funds", publisherForWrites);
fundsRoutes.use("/funds/*", publisherForWrites);

const Filters = z.object({
  year: z.string().optional().openapi({ description: "年度，如 2018", example: "2018" }),
  level: z
    .string()
    .optional()
    .openapi({ description: "资金级次：中央 | 省级 | 市级 | 县级（或 central/provincial/city/county）" }),
  district: z.string().optional().openapi({ description: "区县名称", example: "高青县" }),
  town: z.string().optional().openapi({ description: "镇办名称（需同时给出区县）" }),
  village: z.string().optional().openapi({ description: "村名（需同时给出区县）" }),
  category: z.string().optional().openapi({ description: "类别名称或代码，如 产业扶贫 / industry" }),
  q: z.string().max(100, "关键词最多 100 个字").optional().openapi({ description: "在资金名称、文号、用途中查找" }),
});
const Sort = z
  .enum(FUND_SORTS, { message: `排序只能是 ${FUND_SORTS.join("、")} 之一` })
  .default("-published")
  .openapi({ description: "排序：-published（默认，发布日期新→旧）、amount、-amount、year、-year" });
const UpdatedSince = z.string().max(40).optional().openapi({
  description: "只要此时间之后新增、更正或撤回的记录（ISO 8601，如 2026-11-01T00:00:00+08:00；含已撤回的，看 status）",
});
const ListQuery = Filters.extend({
  updatedSince: UpdatedSince,
  page: z.coerce.number().int().min(1, "页码从 1 开始").max(100000).default(1),
  pageSize: z.coerce.number().int().min(1).max(200, "每页最多 200 条").default(50),
  sort: Sort,
});

const Allocation = z
  .object({
    id: z.number().int(),
    year: z.number().int(),
    level: z.enum(["central", "provincial", "city", "county"]),
    levelLabel: z.string().openapi({ example: "中央" }),
    fundName: z.string().openapi({ example: "中央财政专项扶贫资金" }),
    docNumber: z.string().openapi({ example: "淄财农〔2018〕12号" }),
    district: z.string(),
    town: z.string().nullable(),
    village: z.string().nullable(),
    projectId: z.number().int().nullable(),
    project: z.string().nullable(),
    categoryCode: z.string(),
    category: z.string(),
    amount: z.string().openapi({ description: "金额（元），两位小数的十进制字符串", example: "120000.00" }),
    purpose: z.string(),
    publishedOn: z.string(),
    status: z.enum(["active", "withdrawn"]),
    version: z.number().int(),
    corrected: z.boolean().openapi({ description: "有更正记录（已更正）" }),
  })
  .openapi("Allocation");
const Version = z.object({
  version: z.number().int(),
  kind: z.enum(["original", "correction", "withdrawal"]),
  year: z.number().int(),
  level: z.string(),
  levelLabel: z.string(),
  fundName: z.string(),
  docNumber: z.string(),
  district: z.string(),
  town: z.string().nullable(),
  village: z.string().nullable(),
  category: z.string(),
  amount: z.string(),
  purpose: z.string(),
  publishedOn: z.string(),
  reason: z.string().nullable(),
  createdAt: z.string(),
});
const AllocationDetail = Allocation.extend({ versions: z.array(Version) }).openapi("AllocationDetail");

const Money = z
  .union([z.string(), z.number()])
  .openapi({ description: "金额（元），字符串，最多两位小数", example: "120000.00", type: "string" });
const AllocationInput = z
  .object({
    year: z.number({ message: "年度应为数字，如 2018" }).int(),
    level: z.string().min(1, "请填写资金级次"),
    fundName: z.string().trim().min(1, "请填写资金名称").max(200),
    docNumber: z.string().trim().min(1, "请填写文号").max(100),
    district: z.string().min(1, "请填写区县"),
    town: z.string().nullish(),
    village: z.string().nullish(),
    projectId: z.number().int().positive().nullish(),
    category: z.string().min(1, "请填写类别"),
    amount: Money,
    purpose: z.string().max(1000).optional(),
    publishedOn: Day.optional(),
  })
  .openapi("AllocationInput");
const Correction = AllocationInput.partial().extend({ reason: Reason }).openapi("AllocationCorrection");

// ------------------------------------------------------------------------------------------- reading
fundsRoutes.openapi(
  createRoute({
    method: "get",
    path: "/funds",
    tags: ["资金公开"],
    summary: "资金分配结果（筛选、分页、排序；sum 为全部匹配记录的合计）",
    request: { query: ListQuery },
    responses: {
      200: jsonContent(
        z.object({
          items: z.array(Allocation),
          total: z.number().int(),
          sum: z.string().openapi({ example: "1250000.00" }),
          page: z.number().int(),
          pageSize: z.number().int(),
        }),
        "一页记录",
      ),
      ...errorResponses(400, 503),
    },
  }),
  async (c) => {
    const q = c.req.valid("query");
    const f = await resolveFundFilters(c.var.db, q);
    return c.json(await listAllocations(c.var.db, f, { page: q.page, pageSize: q.pageSize, sort: q.sort }), 200);
  },
);

fundsRoutes.openapi(
  createRoute({
    method: "get",
    path: "/funds/summary",
    tags: ["资金公开"],
    summary: "按区县、镇办、村、年度、级次或类别汇总",
    request: {
      query: Filters.extend({
        groupBy: z.enum(GROUP_BYS, { message: `groupBy 只能是 ${GROUP_BYS.join("、")} 之一` }),
      }),
    },
    responses: {
      200: jsonContent(
        z.object({
          groupBy: z.string(),
          rows: z.array(
            z.object({ key: z.string(), value: z.string().nullable(), count: z.number().int(), sum: z.string() }),
          ),
        }),
        "汇总",
      ),
      ...errorResponses(400, 503),
    },
  }),
  async (c) => {
    const q = c.req.valid("query");
    const f = await resolveFundFilters(c.var.db, q);
    return c.json({ groupBy: q.groupBy, rows: await summarizeAllocations(c.var.db, f, q.groupBy) }, 200);
  },
);

const exportRoute = (ext: "csv" | "json") =>
  createRoute({
    method: "get",
    path: `/funds/export.${ext}`,
    tags: ["资金公开"],
    summary:
      ext === "csv"
        ? "导出当前筛选的全部记录（CSV，UTF-8 带 BOM，Excel 可直接打开）"
        : "导出当前筛选的全部记录（JSON 数组）",
    request: { query: Filters.extend({ sort: Sort }) },
    responses: {
      200: {
        description: "流式输出",
        content:
          ext === "csv"
            ? { "text/csv": { schema: z.string() } }
            : { "application/json": { schema: z.array(Allocation) } },
      },
      ...errorResponses(400, 503),
    },
  });

fundsRoutes.openapi(exportRoute("csv"), async (c) => {
  const q = c.req.valid("query");
  const f = await resolveFundFilters(c.var.db, q);
  const validator = await exportValidator(c.var.db);
  if (notModified(c.req.raw.headers, validator)) return notModifiedResponse(validator);
  return new Response(allocationsCsvStream(c.var.db, f, q.sort), {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="funds.csv"; filename*=UTF-8''${encodeURIComponent(exportName(f))}.csv`,
      ...exportCacheHeaders(validator),
    },
  }) as never;
});
fundsRoutes.openapi(exportRoute("json"), async (c) => {
  const q = c.req.valid("query");
  const f = await resolveFundFilters(c.var.db, q);
  const validator = await exportValidator(c.var.db);
  if (notModified(c.req.raw.headers, validator)) return notModifiedResponse(validator);
  return new Response(allocationsJsonStream(c.var.db, f, q.sort), {
    headers: {
      "content-type": "application/json; charset=utf-8",
      "content-disposition": `attachment; filename="funds.json"; filename*=UTF-8''${encodeURIComponent(exportName(f))}.json`,
      ...exportCacheHeaders(validator),
    },
  }) as never;
});

// Exports are revalidated on every use (max-age=0): an unchanged export costs a 304 and two index reads.
function exportCacheHeaders(v: Validator) {
  return { ...validatorHeaders(v), "cache-control": "public, max-age=0, must-revalidate" };
}
function notModifiedResponse(v: Validator) {
  return new Response(null, { status: 304, headers: exportCacheHeaders(v) }) as never;
}

function exportName(f: Awaited<ReturnType<typeof resolveFundFilters>>) {
  return ["资金分配", f.year, f.district, f.town, f.village, f.category].filter(Boolean).join("-");
}

fundsRoutes.openapi(
  createRoute({
    method: "get",
    path: "/funds/datapackage.json",
    tags: ["资金公开"],
    summary: "导出的 Fiscal Data Package 描述（datapackage.json）",
    responses: { 200: jsonContent(z.record(z.string(), z.unknown()), "Fiscal Data Package 描述") },
  }),
  (c) => c.json(fiscalDataPackage(new URL(c.req.url).origin), 200),
);

fundsRoutes.openapi(
  createRoute({
    method: "get",
    path: "/funds/{id}",
    tags: ["资金公开"],
    summary: "一条资金分配及其全部版本（更正、撤回）",
    request: { params: IdParam },
    responses: { 200: jsonContent(AllocationDetail, "记录及版本"), ...errorResponses(400, 404, 503) },
  }),
  async (c) => c.json(await getAllocation(c.var.db, c.req.valid("param").id), 200),
);

// ---------------------------------------------------------------------------------------- publishing
fundsRoutes.openapi(
  createRoute({
    method: "post",
    path: "/funds",
    tags: ["资金公开"],
    summary: "录入一条资金分配（信息发布员）",
    security: [{ staffSession: [] }],
    request: { body: jsonBody(AllocationInput) },
    responses: { 201: jsonContent(AllocationDetail, "已发布"), ...errorResponses(400, 401, 403, 503) },
  }),
  async (c) => {
    const values = await toAllocationValues(c.var.db, c.req.valid("json"));
    const id = await createAllocation(c.var.db, values, c.var.staff.userId);
    return c.json(await getAllocation(c.var.db, id), 201);
  },
);

fundsRoutes.openapi(
  createRoute({
    method: "post",
    path: "/funds/{id}/corrections",
    tags: ["资金公开"],
    summary: "更正（产生新版本，旧版本保留并公开）",
    security: [{ staffSession: [] }],
    request: { params: IdParam, body: jsonBody(Correction) },
    responses: { 201: jsonContent(AllocationDetail, "已更正"), ...errorResponses(400, 401, 403, 404, 409, 503) },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    const { reason, ...patch } = c.req.valid("json");
    const values = await toAllocationPatch(c.var.db, patch);
    if (Object.keys(values).length === 0) throw new AppError("VALIDATION_FAILED", "没有需要更正的内容");
    await correctAllocation(c.var.db, id, values, reason, c.var.staff.userId);
    return c.json(await getAllocation(c.var.db, id), 201);
  },
);

fundsRoutes.openapi(
  createRoute({
    method: "post",
    path: "/funds/{id}/withdrawal",
    tags: ["资金公开"],
    summary: "撤回（作为公开的版本保留，并写明原因）",
    security: [{ staffSession: [] }],
    request: { params: IdParam, body: withdrawalBody },
    responses: { 201: jsonContent(AllocationDetail, "已撤回"), ...errorResponses(400, 401, 403, 404, 409, 503) },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    await withdrawAllocation(c.var.db, id, c.req.valid("json").reason, c.var.staff.userId);
    return c.json(await getAllocation(c.var.db, id), 201);
  },
);

fundsRoutes.openapi(
  createRoute({
    method: "post",
    path: "/funds/import",
    tags: ["资金公开"],
    summary: "导入 CSV（UTF-8 或 GBK；全部通过才导入，否则逐行报告问题且不改动任何记录）",
    description:
      "multipart/form-data 的 file 字段，或 text/csv 请求体。表头：年度, 资金级次, 资金名称, 文号, 区县, 镇办, 村, 项目, 类别, 金额, 用途（可选：发布日期）。400 的 details.problems 为逐行问题 { row, column, value, problem, expected }。",
    security: [{ staffSession: [] }],
    request: { body: csvUploadBody },
    responses: {
      201: jsonContent(ImportedBatch, "已全部导入"),
      400: importRefused,
      ...errorResponses(401, 403, 413, 415, 503),
    },
  }),
  async (c) => {
    const { buf: bytes, fileName } = await uploadedCsv(c);
    const r = await importAllocations(c.var.db, bytes, { fileName, actorId: c.var.staff.userId });
    return c.json({ batchId: r.batchId, encoding: r.encoding, count: r.count, total: r.total }, 201);
  },
);
