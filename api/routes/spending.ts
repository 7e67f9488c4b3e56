import { createRoute, z } from "@hono/zod-openapi";
import { PROJECT_STAGES } from "../../db/schema";
import {
  correctSpending,
  createSpending,
  getSpending,
  listSpending,
  SPENDING_CHANGES_LIMIT,
  withdrawSpending,
} from "../../domain/money/spending";
import { parseUpdatedSince } from "../../lib/updated-since";
import { createRouter, IdParam, jsonContent } from "../context";
import { errorResponses } from "../errors";
import { withdrawalBody } from "../fields";
import { QueryId, UpdatedSince } from "../list-query";
import { requireStaffForWrites } from "../middleware/auth";
import { Day, moneyAmount, Reason } from "../money-fields";
import { jsonBody } from "../request-bodies";

// 支出 on a project: public reads (the payee is a company or unit, public by rule), publisher writes as
// versions with reasons.

export const spendingRoutes = createRouter();
const publisherForWrites = requireStaffForWrites("publisher", "admin");
spendingRoutes.use("/spending", publisherForWrites);
spendingRoutes.use("/spending/*", publisherForWrites);

const Money = moneyAmount("120000.00");
const Stage = z.enum(PROJECT_STAGES, { message: `阶段应为 ${PROJECT_STAGES.join("、")} 之一` }).openapi({
  description: "该笔支出对应的项目阶段：reserve | approved | implementing | accepted | maintenance | distribution",
});

const SpendingInput = z
  .object({
    projectId: z.number().int().positive().max(2_147_483_647),
    disbursementId: z.number().int().positive().max(2_147_483_647).nullish(),
    payee: z.string().trim().min(1, "请填写收款单位").max(200),
    contractNo: z.string().trim().max(100).optional(),
    amount: Money,
    paidOn: Day,
    purpose: z.string().trim().max(500).optional(),
    stage: Stage,
  })
  .openapi("SpendingInput");

const Version = z.object({
  version: z.number().int(),
  kind: z.string(),
  snapshot: z.record(z.string(), z.unknown()),
  reason: z.string().nullable(),
  createdAt: z.string(),
});
const Spending = z
  .object({
    id: z.number().int(),
    projectId: z.number().int(),
    disbursementId: z.number().int().nullable(),
    payee: z.string(),
    contractNo: z.string(),
    amount: z.string(),
    paidOn: z.string(),
    purpose: z.string(),
    stage: z.string(),
    stageLabel: z.string(),
    status: z.enum(["active", "withdrawn"]),
    version: z.number().int(),
    updatedAt: z.string().openapi({ description: "新增、更正或撤回的时间（ISO 8601）" }),
  })
  .openapi("Spending");
const SpendingDetail = Spending.extend({ versions: z.array(Version) });

spendingRoutes.openapi(
  createRoute({
    method: "get",
    path: "/spending",
    tags: ["资金到户"],
    summary: "项目支出（收款单位、合同编号、金额、日期、用途、阶段；撤回的也列出并标明）",
    description: `给出 projectId（一个项目的全部支出，按支付日期）或 updatedSince（此后新增、更正或撤回的，按变化时间从早到晚；不给 projectId 时最多 ${SPENDING_CHANGES_LIMIT} 条，以最后一条的 updatedAt 接着取），或两者；total 为所列未撤回支出的合计。`,
    request: {
      query: z.object({
        projectId: QueryId.optional().openapi({ description: "项目编号" }),
        updatedSince: UpdatedSince,
      }),
    },
    responses: {
      200: jsonContent(z.object({ items: z.array(Spending), total: z.string() }), "支出"),
      ...errorResponses(400, 503),
    },
  }),
  async (c) => {
    const { projectId, updatedSince } = c.req.valid("query");
    return c.json(await listSpending(c.var.db, { projectId, updatedSince: parseUpdatedSince(updatedSince) }), 200);
  },
);

spendingRoutes.openapi(
  createRoute({
    method: "get",
    path: "/spending/{id}",
    tags: ["资金到户"],
    summary: "一笔支出及其公开的版本历史",
    request: { params: IdParam },
    responses: { 200: jsonContent(SpendingDetail, "支出"), ...errorResponses(400, 404, 503) },
  }),
  async (c) => c.json(await getSpending(c.var.db, c.req.valid("param").id), 200),
);

spendingRoutes.openapi(
  createRoute({
    method: "post",
    path: "/spending",
    tags: ["资金到户"],
    summary: "登记一笔项目支出（填了拨付编号的，不超过该拨付的余额）",
    security: [{ staffSession: [] }],
    request: { body: jsonBody(SpendingInput) },
    responses: { 201: jsonContent(SpendingDetail, "已登记"), ...errorResponses(400, 401, 403, 409, 503) },
  }),
  async (c) => {
    const id = await createSpending(c.var.db, c.req.valid("json"), c.var.staff.userId);
    return c.json(await getSpending(c.var.db, id), 201);
  },
);

spendingRoutes.openapi(
  createRoute({
    method: "post",
    path: "/spending/{id}/corrections",
    tags: ["资金到户"],
    summary: "更正支出（新版本，旧版本公开保留）",
    security: [{ staffSession: [] }],
    request: {
      params: IdParam,
      body: jsonBody(SpendingInput.omit({ projectId: true }).partial().extend({ reason: Reason })),
    },
    responses: { 201: jsonContent(SpendingDetail, "已更正"), ...errorResponses(400, 401, 403, 404, 409, 503) },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    const { reason, ...patch } = c.req.valid("json");
    await correctSpending(c.var.db, id, patch, reason, c.var.staff.userId);
    return c.json(await getSpending(c.var.db, id), 201);
  },
);

spendingRoutes.openapi(
  createRoute({
    method: "post",
    path: "/spending/{id}/withdrawal",
    tags: ["资金到户"],
    summary: "撤回支出（公开保留，标明撤回及原因）",
    security: [{ staffSession: [] }],
    request: { params: IdParam, body: withdrawalBody },
    responses: { 201: jsonContent(SpendingDetail, "已撤回"), ...errorResponses(400, 401, 403, 404, 409, 503) },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    await withdrawSpending(c.var.db, id, c.req.valid("json").reason, c.var.staff.userId);
    return c.json(await getSpending(c.var.db, id), 201);
  },
);
