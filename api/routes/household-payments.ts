import { createRoute, z } from "@hono/zod-openapi";
import { PROGRAMMES } from "../../domain/money/labels";
import { importHouseholdPayments } from "../../domain/money/payment-import";
import { correctHouseholdPayment, createHouseholdPayment, withdrawHouseholdPayment } from "../../domain/money/payments";
import { createRouter, IdParam, jsonContent } from "../context";
import { csvUploadBody, ImportedBatch, uploadedCsv } from "../csv-upload";
import { errorResponses } from "../errors";
import { IdAndVersion, NewId, withdrawalBody } from "../fields";
import { requireStaff } from "../middleware/auth";
import { Day, moneyAmount, Reason } from "../money-fields";
import { jsonBody } from "../request-bodies";

// Payments to households (直接拨付到户) and their CSV import; publisher-only.

export const householdPaymentRoutes = createRouter();
const publisher = requireStaff("publisher", "admin");
householdPaymentRoutes.use("/household-payments", publisher);
householdPaymentRoutes.use("/household-payments/*", publisher);

const Money = moneyAmount("50000.00");

const PaymentInput = z
  .object({
    householdId: z.number().int().positive().optional(),
    idNumber: z.string().trim().max(30).optional(),
    disbursementId: z.number().int().positive(),
    programme: z.enum(PROGRAMMES, { message: `项目应为 ${PROGRAMMES.join("、")} 之一` }),
    period: z.string().trim().min(4, "期次应以四位年份开头").max(30),
    amount: Money,
    paidOn: Day.nullish(),
    state: z.enum(["paid", "pending", "returned"]).optional(),
    returnReason: z.string().max(500).nullish(),
    method: z.string().max(50).optional(),
  })
  .openapi("HouseholdPaymentInput");

householdPaymentRoutes.openapi(
  createRoute({
    method: "post",
    path: "/household-payments",
    tags: ["资金到户"],
    summary: "登记一笔到户发放（同户同项目同期只一次；不超过所属拨付）",
    security: [{ staffSession: [] }],
    request: { body: jsonBody(PaymentInput) },
    responses: { 201: jsonContent(NewId, "已登记"), ...errorResponses(400, 401, 403, 409, 503) },
  }),
  async (c) => c.json({ id: await createHouseholdPayment(c.var.db, c.req.valid("json"), c.var.staff.userId) }, 201),
);

householdPaymentRoutes.openapi(
  createRoute({
    method: "post",
    path: "/household-payments/{id}/corrections",
    tags: ["资金到户"],
    summary: "更正到户发放（金额、状态、日期、退回原因）",
    security: [{ staffSession: [] }],
    request: {
      params: IdParam,
      body: jsonBody(
        PaymentInput.pick({ amount: true, paidOn: true, state: true, returnReason: true, method: true })
          .partial()
          .extend({ reason: Reason }),
      ),
    },
    responses: { 201: jsonContent(IdAndVersion, "已更正"), ...errorResponses(400, 401, 403, 404, 409, 503) },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    const { reason, ...patch } = c.req.valid("json");
    return c.json({ id, version: await correctHouseholdPayment(c.var.db, id, patch, reason, c.var.staff.userId) }, 201);
  },
);

householdPaymentRoutes.openapi(
  createRoute({
    method: "post",
    path: "/household-payments/{id}/withdrawal",
    tags: ["资金到户"],
    summary: "撤回到户发放",
    security: [{ staffSession: [] }],
    request: { params: IdParam, body: withdrawalBody },
    responses: { 201: jsonContent(IdAndVersion, "已撤回"), ...errorResponses(400, 401, 403, 404, 409, 503) },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    const version = await withdrawHouseholdPayment(c.var.db, id, c.req.valid("json").reason, c.var.staff.userId);
    return c.json({ id, version }, 201);
  },
);

householdPaymentRoutes.openapi(
  createRoute({
    method: "post",
    path: "/household-payments/import",
    tags: ["资金到户"],
    summary: "导入到户发放 CSV（UTF-8 或 GBK；全部通过才导入，否则逐行报告问题且不写入）",
    description:
      "multipart/form-data 的 file 字段，或 text/csv 请求体。表头：身份证号码, 户主姓名, 拨付编号, 项目, 期次, 金额, 发放日期, 状态, 退回原因（可选：发放方式）。400 的 details.problems 为逐行问题 { row, column, value, problem, expected }；问题中的身份证号码只显示前 4 位和后 4 位。",
    security: [{ staffSession: [] }],
    request: { body: csvUploadBody },
    responses: { 201: jsonContent(ImportedBatch, "已导入"), ...errorResponses(400, 401, 403, 409, 413, 415, 503) },
  }),
  async (c) => {
    const { buf, fileName } = await uploadedCsv(c);
    const r = await importHouseholdPayments(c.var.db, buf, { fileName, actorId: c.var.staff.userId });
    return c.json({ batchId: r.batchId, encoding: r.encoding, count: r.count, total: r.total }, 201);
  },
);
