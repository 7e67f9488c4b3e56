import { createRoute, z } from "@hono/zod-openapi";
import {
  advanceHousingCase,
  correctHousingCase,
  createHousingCase,
  publicHousingCase,
  publicHousingCases,
  withdrawHousingCase,
} from "../../domain/money/housing-cases";
import { PHOTO_PHASES } from "../../domain/money/housing-photos";
import { CASE_METHODS, CASE_STAGES } from "../../domain/money/labels";
import { parseUpdatedSince } from "../../lib/updated-since";
import { createRouter, IdParam, jsonContent } from "../context";
import { errorResponses } from "../errors";
import { IdAndVersion, withdrawalBody } from "../fields";
import { QueryId, UpdatedSince } from "../list-query";
import { requireStaffForWrites } from "../middleware/auth";
import { Day, moneyAmount, Reason } from "../money-fields";
import { jsonBody } from "../request-bodies";

// 危房改造 cases. The public reads follow the privacy module: a case (masked 户主 name) only while one of
// its 公示 notices is public (period, open objections, retention), otherwise counts per stage with small
// cells suppressed. Publishers create, advance through the stages and correct; each write is a version.
// A case's photos are routes/housing-case-photos.ts.

export const housingCasesRoutes = createRouter();
const publisherForWrites = requireStaffForWrites("publisher", "admin");
for (const path of ["", "/:id", "/:id/stages", "/:id/corrections", "/:id/withdrawal"]) {
  housingCasesRoutes.use(`/housing-cases${path}`, publisherForWrites);
}

const Money = moneyAmount("30000.00");
const Grade = z.enum(["C", "D"], { message: "鉴定等级应为 C 或 D" });
const Method = z.enum(CASE_METHODS, { message: `改造方式应为 ${CASE_METHODS.join("、")} 之一` }).openapi({
  description: "repair 修缮加固 | rebuild 翻建 | new 新建 | replace 置换",
});
const Stage = z.enum(CASE_STAGES, { message: `环节应为 ${CASE_STAGES.join("、")} 之一` }).openapi({
  description:
    "applied 申请 | village_review 村评议 | town_review 镇审核 | county_approval 县审批 | started 开工 | completed 竣工 | accepted 验收 | paid 拨付",
});
const Id = z.number().int().positive().max(2_147_483_647);

const CaseView = z
  .object({
    id: z.number().int(),
    year: z.number().int(),
    villageId: z.number().int(),
    village: z.string(),
    nameMasked: z.string().openapi({ description: "户主姓名，隐去部分字（张*明）" }),
    grade: z.string(),
    method: z.string(),
    methodLabel: z.string(),
    subsidyStandard: z.string(),
    amount: z.string(),
    stage: z.string(),
    stageLabel: z.string(),
    stageDates: z.record(z.string(), z.string()),
    reviewNoticeId: z.number().int().nullable(),
    approvalNoticeId: z.number().int().nullable(),
    status: z.enum(["active", "withdrawn"]),
    version: z.number().int(),
    publicUntil: z.string().nullable(),
  })
  .openapi("HousingCase");
const Photo = z.object({
  id: z.number().int(),
  phase: z.enum(PHOTO_PHASES),
  phaseLabel: z.string(),
  key: z.string(),
  width: z.number().int(),
  height: z.number().int(),
  sizes: z.array(z.number().int()).openapi({
    description: "可用宽度；图片地址 /housing-cases/{id}/photos/{photoId}/{width}.webp 或 .jpg",
  }),
});

housingCasesRoutes.openapi(
  createRoute({
    method: "get",
    path: "/housing-cases",
    tags: ["资金到户"],
    summary: "一个村的危房改造：各环节户数（不足 3 户不显示）和正在公示的申请（户主姓名隐去部分字）",
    description: "updatedSince：cases 只列申请本身或其评议、审批公示在此后有变化的（各环节户数不受影响）。",
    request: { query: z.object({ villageId: QueryId, updatedSince: UpdatedSince }) },
    responses: {
      200: jsonContent(
        z.object({
          villageId: z.number().int(),
          total: z.number().int().nullable(),
          byStage: z.array(z.object({ stage: z.string(), label: z.string(), cases: z.number().int().nullable() })),
          cases: z.array(CaseView),
        }),
        "危房改造",
      ),
      ...errorResponses(400, 404, 503),
    },
  }),
  async (c) => {
    const { villageId, updatedSince } = c.req.valid("query");
    return c.json(await publicHousingCases(c.var.db, villageId, undefined, parseUpdatedSince(updatedSince)), 200);
  },
);

housingCasesRoutes.openapi(
  createRoute({
    method: "get",
    path: "/housing-cases/{id}",
    tags: ["资金到户"],
    summary: "一个正在公示的危房改造申请（不在公示期和保留期内的与不存在的同样返回 404）",
    request: { params: IdParam },
    responses: {
      200: jsonContent(CaseView.extend({ photos: z.array(Photo) }), "危房改造申请"),
      ...errorResponses(400, 404, 503),
    },
  }),
  async (c) => c.json(await publicHousingCase(c.var.db, c.req.valid("param").id), 200),
);

housingCasesRoutes.openapi(
  createRoute({
    method: "post",
    path: "/housing-cases",
    tags: ["资金到户"],
    summary: "登记危房改造申请（每户每年一个）",
    security: [{ staffSession: [] }],
    request: {
      body: jsonBody(
        z
          .object({
            householdId: Id,
            year: z.number().int().min(2014, "年度应为 2014–2035").max(2035, "年度应为 2014–2035"),
            grade: Grade,
            method: Method,
            subsidyStandard: z.string().trim().max(200).optional(),
            amount: Money,
            appliedOn: Day,
          })
          .openapi("HousingCaseInput"),
      ),
    },
    responses: { 201: jsonContent(IdAndVersion, "已登记"), ...errorResponses(400, 401, 403, 409, 503) },
  }),
  async (c) =>
    c.json({ id: await createHousingCase(c.var.db, c.req.valid("json"), c.var.staff.userId), version: 1 }, 201),
);

housingCasesRoutes.openapi(
  createRoute({
    method: "post",
    path: "/housing-cases/{id}/stages",
    tags: ["资金到户"],
    summary: "推进到下一环节（只能向后，日期不早于上一环节；村评议、县审批可关联公示）",
    security: [{ staffSession: [] }],
    request: {
      params: IdParam,
      body: jsonBody(z.object({ stage: Stage, on: Day, noticeId: Id.nullish() })),
    },
    responses: { 201: jsonContent(IdAndVersion, "已推进"), ...errorResponses(400, 401, 403, 404, 409, 503) },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    return c.json(
      { id, version: await advanceHousingCase(c.var.db, id, c.req.valid("json"), c.var.staff.userId) },
      201,
    );
  },
);

housingCasesRoutes.openapi(
  createRoute({
    method: "post",
    path: "/housing-cases/{id}/corrections",
    tags: ["资金到户"],
    summary: "更正鉴定等级、改造方式、补助标准或金额（新版本，写明原因）",
    security: [{ staffSession: [] }],
    request: {
      params: IdParam,
      body: jsonBody(
        z.object({
          grade: Grade.optional(),
          method: Method.optional(),
          subsidyStandard: z.string().trim().max(200).optional(),
          amount: Money.optional(),
          reason: Reason,
        }),
      ),
    },
    responses: { 201: jsonContent(IdAndVersion, "已更正"), ...errorResponses(400, 401, 403, 404, 409, 503) },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    const { reason, ...patch } = c.req.valid("json");
    return c.json({ id, version: await correctHousingCase(c.var.db, id, patch, reason, c.var.staff.userId) }, 201);
  },
);

housingCasesRoutes.openapi(
  createRoute({
    method: "post",
    path: "/housing-cases/{id}/withdrawal",
    tags: ["资金到户"],
    summary: "撤回误登的危房改造申请（写明原因）",
    security: [{ staffSession: [] }],
    request: { params: IdParam, body: withdrawalBody },
    responses: { 201: jsonContent(IdAndVersion, "已撤回"), ...errorResponses(400, 401, 403, 404, 409, 503) },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    return c.json(
      { id, version: await withdrawHousingCase(c.var.db, id, c.req.valid("json").reason, c.var.staff.userId) },
      201,
    );
  },
);
