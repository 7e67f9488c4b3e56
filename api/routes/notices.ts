import { createRoute, z } from "@hono/zod-openapi";
import { objectionSummary } from "../../domain/hotline/objection-summary";
import {
  amendNotice,
  createNotice,
  getNotice,
  listNotices,
  publishNotice,
  withdrawNotice,
} from "../../domain/notices/notices";
import { MIN_PERIOD_DAYS, NOTICE_STATES } from "../../domain/notices/state";
import { parseUpdatedSince } from "../../lib/updated-since";
import { createRouter, IdParam, jsonContent } from "../context";
import { errorResponses } from "../errors";
import { Reason, withdrawalBody } from "../fields";
import { requireStaffForWrites } from "../middleware/auth";
import { jsonBody } from "../request-bodies";

// 公告公示: public reading; publishing (create, amend, withdraw) is staff-only and audited.

const publisherForWrites = requireStaffForWrites("publisher", "admin");
export const noticesRoutes = createRouter();
noticesRoutes.use("/notices", publisherForWrites);
noticesRoutes.use("/notices/*", publisherForWrites);

const State = z.enum(NOTICE_STATES as [string, ...string[]]).openapi({
  description: "draft 草稿 | in_period 公示中 | ended 公示期满 | withdrawn 已撤回 | amended 已更正",
});

const NoticeSummary = z
  .object({
    id: z.number().int(),
    title: z.string(),
    district: z.string(),
    town: z.string().nullable(),
    village: z.string().nullable(),
    state: State,
    stateLabel: z.string(),
    periodStart: z.string().nullable(),
    periodEnd: z.string().nullable(),
    periodDays: z.number().int(),
    daysLeft: z.number().int().openapi({ description: "公示期剩余天数（含今天）" }),
    publishedAt: z.string().nullable(),
    amendsId: z.number().int().nullable().openapi({ description: "本条更正的原公示" }),
    supersededById: z.number().int().nullable().openapi({ description: "更正本条的新公示" }),
  })
  .openapi("NoticeSummary");
const NoticeDetail = NoticeSummary.extend({
  projectId: z.number().int().nullable(),
  project: z.string().nullable(),
  docNumber: z.string().nullable(),
  fields: z.record(z.string(), z.string()).openapi({
    description:
      "项目名称 实施地点 建设内容 补助标准 资金来源及规模 实施期限 实施单位及责任人 绩效目标 带贫减贫机制 监督电话",
  }),
  body: z.string(),
  withdrawReason: z.string().nullable(),
  withdrawnAt: z.string().nullable(),
  amendReason: z.string().nullable(),
  history: z.array(NoticeSummary.extend({ amendReason: z.string().nullable() })),
  versions: z
    .array(
      z.object({
        version: z.number().int(),
        kind: z.enum(["publish", "amend", "withdraw"]),
        title: z.string(),
        district: z.string(),
        town: z.string().nullable(),
        village: z.string().nullable(),
        projectId: z.number().int().nullable(),
        docNumber: z.string().nullable(),
        fields: z.record(z.string(), z.string()),
        body: z.string(),
        periodStart: z.string().nullable(),
        periodEnd: z.string().nullable(),
        periodDays: z.number().int(),
        publishedAt: z.string().nullable(),
        amendsId: z.number().int().nullable(),
        amendReason: z.string().nullable(),
        withdrawnAt: z.string().nullable(),
        withdrawReason: z.string().nullable(),
      }),
    )
    .openapi({
      description:
        "已发布的各个版本（发布或更正、撤回），新的在前；透明日志中记有每个版本 JCS（RFC 8785）的 SHA-256（见 docs/transparency-log.md）",
    }),
  objections: z.object({
    count: z.number().int(),
    outcomes: z.array(
      z.object({
        number: z.string(),
        status: z.string(),
        outcome: z.string().nullable(),
        repliedAt: z.string().nullable(),
      }),
    ),
  }),
  objectionUrl: z.string().nullable().openapi({ description: "公示期内：提出异议的地址" }),
}).openapi("NoticeDetail");

const text = (max: number) => z.string().max(max).optional();
const NoticeInput = z
  .object({
    title: z.string().trim().min(2, "请填写标题").max(200),
    district: z.string().min(1, "请填写区县"),
    town: z.string().nullish(),
    village: z.string().nullish(),
    projectId: z.number().int().positive().nullish(),
    docNumber: z.string().max(100).nullish(),
    projectName: text(200),
    location: text(500),
    content: text(5000),
    subsidyStandard: text(1000),
    funding: text(1000),
    periodText: text(200),
    implementer: text(500),
    performanceTarget: text(2000),
    povertyMechanism: text(2000),
    supervisionPhone: text(100),
    body: text(20000),
    periodDays: z
      .number()
      .int()
      .min(MIN_PERIOD_DAYS, `公示期不得少于 ${MIN_PERIOD_DAYS} 天`)
      .max(90, "公示期最多 90 天")
      .optional()
      .openapi({ description: "公示期天数，默认 10，不少于 7" }),
    publish: z.boolean().optional().openapi({ description: "false 保存为草稿；默认立即发布" }),
  })
  .openapi("NoticeInput");

async function detail(c: { var: { db: Parameters<typeof getNotice>[0] } }, id: number, includeDraft = false) {
  const n = await getNotice(c.var.db, id, { includeDraft });
  const objections = await objectionSummary(c.var.db, id);
  return {
    ...n,
    objections,
    objectionUrl: n.state === "in_period" ? `/report?kind=objection&noticeId=${n.id}` : null,
  };
}

noticesRoutes.openapi(
  createRoute({
    method: "get",
    path: "/notices",
    tags: ["公告公示"],
    summary: "公示列表（区县、镇办、村、状态、年度、关键词；分页）",
    request: {
      query: z.object({
        district: z.string().optional(),
        town: z.string().optional(),
        village: z.string().optional(),
        state: State.optional(),
        year: z.coerce.number().int().min(2014, "年度超出范围").max(2035, "年度超出范围").optional(),
        q: z.string().max(100).optional(),
        updatedSince: z.string().max(40).optional().openapi({
          description: "只要此时间之后发布、变更或撤回的（ISO 8601，如 2026-11-01T00:00:00+08:00）",
        }),
        page: z.coerce.number().int().min(1).default(1),
        pageSize: z.coerce.number().int().min(1).max(100, "每页最多 100 条").default(20),
      }),
    },
    responses: {
      200: jsonContent(
        z.object({
          items: z.array(NoticeSummary),
          total: z.number().int(),
          page: z.number().int(),
          pageSize: z.number().int(),
        }),
        "一页公示",
      ),
      ...errorResponses(400, 503),
    },
  }),
  async (c) => {
    const { page, pageSize, state, updatedSince, ...f } = c.req.valid("query");
    return c.json(
      await listNotices(
        c.var.db,
        { ...f, state: state as never, updatedSince: parseUpdatedSince(updatedSince) },
        { page, pageSize },
      ),
      200,
    );
  },
);

noticesRoutes.openapi(
  createRoute({
    method: "get",
    path: "/notices/{id}",
    tags: ["公告公示"],
    summary: "一条公示：字段、公示期、更正记录、异议数量及处理结果（不含异议人信息）",
    request: { params: IdParam },
    responses: { 200: jsonContent(NoticeDetail, "公示"), ...errorResponses(400, 404, 503) },
  }),
  async (c) => c.json(await detail(c, c.req.valid("param").id), 200),
);

noticesRoutes.openapi(
  createRoute({
    method: "post",
    path: "/notices",
    tags: ["公告公示"],
    summary: "发布公示（或保存草稿）",
    security: [{ staffSession: [] }],
    request: { body: jsonBody(NoticeInput) },
    responses: { 201: jsonContent(NoticeDetail, "已发布"), ...errorResponses(400, 401, 403, 503) },
  }),
  async (c) => {
    const id = await createNotice(c.var.db, c.req.valid("json"), c.var.staff.userId);
    return c.json(await detail(c, id, true), 201);
  },
);

noticesRoutes.openapi(
  createRoute({
    method: "post",
    path: "/notices/{id}/publish",
    tags: ["公告公示"],
    summary: "发布草稿（公示期从今天开始）",
    security: [{ staffSession: [] }],
    request: { params: IdParam },
    responses: { 200: jsonContent(NoticeDetail, "已发布"), ...errorResponses(400, 401, 403, 404, 409, 503) },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    await publishNotice(c.var.db, id, c.var.staff.userId);
    return c.json(await detail(c, id), 200);
  },
);

noticesRoutes.openapi(
  createRoute({
    method: "post",
    path: "/notices/{id}/amendments",
    tags: ["公告公示"],
    summary: "更正公示：发布更正后的新公示（重新计算公示期），原公示保留并标记“已更正”",
    security: [{ staffSession: [] }],
    request: {
      params: IdParam,
      body: jsonBody(NoticeInput.partial().omit({ publish: true }).extend({ reason: Reason })),
    },
    responses: { 201: jsonContent(NoticeDetail, "更正后的新公示"), ...errorResponses(400, 401, 403, 404, 409, 503) },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    const { reason, ...patch } = c.req.valid("json");
    const newId = await amendNotice(c.var.db, id, patch, reason, c.var.staff.userId);
    return c.json(await detail(c, newId), 201);
  },
);

noticesRoutes.openapi(
  createRoute({
    method: "post",
    path: "/notices/{id}/withdrawal",
    tags: ["公告公示"],
    summary: "撤回公示（保留并公开撤回原因）",
    security: [{ staffSession: [] }],
    request: { params: IdParam, body: withdrawalBody },
    responses: { 200: jsonContent(NoticeDetail, "已撤回"), ...errorResponses(400, 401, 403, 404, 409, 503) },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    await withdrawNotice(c.var.db, id, c.req.valid("json").reason, c.var.staff.userId);
    return c.json(await detail(c, id), 200);
  },
);
