import { createRoute, z } from "@hono/zod-openapi";
import { getAllocation } from "../../domain/funds/allocations";
import { checkOwnSubsidies, reportMissingPayment } from "../../domain/money/check";
import {
  correctDisbursement,
  createDisbursement,
  getDisbursement,
  withdrawDisbursement,
} from "../../domain/money/disbursements";
import { moneyChanges, parseUpdatedSince } from "../../domain/money/feed";
import { correctHousehold, createHousehold } from "../../domain/money/households";
import { PROGRAMMES, RECIPIENT_KINDS } from "../../domain/money/labels";
import { importHouseholdPayments } from "../../domain/money/payment-import";
import { correctHouseholdPayment, createHouseholdPayment, withdrawHouseholdPayment } from "../../domain/money/payments";
import { stuckMoney } from "../../domain/money/stuck";
import { allocationTrail, districtIdByName, PROGRESS_GROUPS, progressSummary } from "../../domain/money/trail";
import { villagePage } from "../../domain/money/villages";
import { createRouter, IdParam, jsonContent } from "../context";
import { uploadedCsv } from "../csv-upload";
import { errorResponses } from "../errors";
import { requireStaff } from "../middleware/auth";
import { clientOf } from "../middleware/client";

// Following the money to the household: disbursements, the household register, payments to households
// (publisher-only writes), and the household's own check (public, POST so the ID number never sits in a URL).

export const moneyRoutes = createRouter();
const publisher = requireStaff("publisher", "admin");
moneyRoutes.use("/disbursements", publisher);
moneyRoutes.use("/disbursements/*", publisher);
moneyRoutes.use("/households", publisher);
moneyRoutes.use("/households/*", publisher);
moneyRoutes.use("/household-payments", publisher);
moneyRoutes.use("/household-payments/*", publisher);

const Money = z
  .union([z.string(), z.number()])
  .transform(String)
  .openapi({ description: "金额（元），字符串，最多两位小数", example: "50000.00", type: "string" });
const Day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "日期格式应为 YYYY-MM-DD");
const Reason = z.string().trim().min(2, "请写明原因（至少 2 个字）").max(500);
const Obj = z.record(z.string(), z.unknown());

const DisbursementInput = z
  .object({
    allocationId: z.number().int().positive(),
    disbursedOn: Day,
    amount: Money,
    voucherNo: z.string().trim().min(1, "请填写凭证号").max(100),
    method: z.string().max(50).optional(),
    recipientKind: z.enum(RECIPIENT_KINDS, { message: `收款方类型应为 ${RECIPIENT_KINDS.join("、")} 之一` }),
    recipient: z.string().trim().min(1, "请填写收款方").max(200),
    projectId: z.number().int().positive().nullish(),
  })
  .openapi("DisbursementInput");

moneyRoutes.openapi(
  createRoute({
    method: "post",
    path: "/disbursements",
    tags: ["资金到户"],
    summary: "登记一笔拨付（合计不得超过资金分配额）",
    security: [{ staffSession: [] }],
    request: { body: { content: { "application/json": { schema: DisbursementInput } }, required: true } },
    responses: { 201: jsonContent(Obj, "已登记"), ...errorResponses(400, 401, 403, 409, 503) },
  }),
  async (c) => {
    const id = await createDisbursement(c.var.db, c.req.valid("json"), c.var.staff.userId);
    return c.json(await getDisbursement(c.var.db, id), 201);
  },
);

moneyRoutes.openapi(
  createRoute({
    method: "get",
    path: "/disbursements/{id}",
    tags: ["资金到户"],
    summary: "一笔拨付及其版本",
    security: [{ staffSession: [] }],
    request: { params: IdParam },
    responses: { 200: jsonContent(Obj, "拨付"), ...errorResponses(401, 403, 404, 503) },
  }),
  async (c) => c.json(await getDisbursement(c.var.db, c.req.valid("param").id), 200),
);

moneyRoutes.openapi(
  createRoute({
    method: "post",
    path: "/disbursements/{id}/corrections",
    tags: ["资金到户"],
    summary: "更正拨付（新版本，旧版本公开保留）",
    security: [{ staffSession: [] }],
    request: {
      params: IdParam,
      body: {
        content: {
          "application/json": {
            schema: DisbursementInput.omit({ allocationId: true }).partial().extend({ reason: Reason }),
          },
        },
        required: true,
      },
    },
    responses: { 201: jsonContent(Obj, "已更正"), ...errorResponses(400, 401, 403, 404, 409, 503) },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    const { reason, ...patch } = c.req.valid("json");
    await correctDisbursement(c.var.db, id, patch, reason, c.var.staff.userId);
    return c.json(await getDisbursement(c.var.db, id), 201);
  },
);

moneyRoutes.openapi(
  createRoute({
    method: "post",
    path: "/disbursements/{id}/withdrawal",
    tags: ["资金到户"],
    summary: "撤回拨付（须先撤回由它发放的到户记录）",
    security: [{ staffSession: [] }],
    request: {
      params: IdParam,
      body: { content: { "application/json": { schema: z.object({ reason: Reason }) } }, required: true },
    },
    responses: { 201: jsonContent(Obj, "已撤回"), ...errorResponses(400, 401, 403, 404, 409, 503) },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    await withdrawDisbursement(c.var.db, id, c.req.valid("json").reason, c.var.staff.userId);
    return c.json(await getDisbursement(c.var.db, id), 201);
  },
);

const HouseholdInput = z
  .object({
    villageId: z.number().int().positive(),
    name: z.string().trim().min(1, "请填写户主姓名").max(30),
    idNumber: z.string().trim().min(1, "请填写户主身份证号码").max(30),
    members: z.number().int().min(1).max(30),
    status: z.enum(["registered", "exited"]).optional(),
    identifiedOn: Day.nullish(),
    exitedOn: Day.nullish(),
  })
  .openapi("HouseholdInput");

moneyRoutes.openapi(
  createRoute({
    method: "post",
    path: "/households",
    tags: ["资金到户"],
    summary: "登记一户（户主姓名、身份证号码加密保存，只返回户编号）",
    security: [{ staffSession: [] }],
    request: { body: { content: { "application/json": { schema: HouseholdInput } }, required: true } },
    responses: {
      201: jsonContent(z.object({ id: z.number().int() }), "已登记"),
      ...errorResponses(400, 401, 403, 409, 503),
    },
  }),
  async (c) => c.json({ id: await createHousehold(c.var.db, c.req.valid("json"), c.var.staff.userId) }, 201),
);

moneyRoutes.openapi(
  createRoute({
    method: "post",
    path: "/households/{id}/corrections",
    tags: ["资金到户"],
    summary: "更正户籍登记",
    security: [{ staffSession: [] }],
    request: {
      params: IdParam,
      body: {
        content: {
          "application/json": { schema: HouseholdInput.omit({ villageId: true }).partial().extend({ reason: Reason }) },
        },
        required: true,
      },
    },
    responses: {
      201: jsonContent(z.object({ id: z.number().int(), version: z.number().int() }), "已更正"),
      ...errorResponses(400, 401, 403, 404, 409, 503),
    },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    const { reason, ...patch } = c.req.valid("json");
    return c.json({ id, version: await correctHousehold(c.var.db, id, patch, reason, c.var.staff.userId) }, 201);
  },
);

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

moneyRoutes.openapi(
  createRoute({
    method: "post",
    path: "/household-payments",
    tags: ["资金到户"],
    summary: "登记一笔到户发放（同户同项目同期只一次；不超过所属拨付）",
    security: [{ staffSession: [] }],
    request: { body: { content: { "application/json": { schema: PaymentInput } }, required: true } },
    responses: {
      201: jsonContent(z.object({ id: z.number().int() }), "已登记"),
      ...errorResponses(400, 401, 403, 409, 503),
    },
  }),
  async (c) => c.json({ id: await createHouseholdPayment(c.var.db, c.req.valid("json"), c.var.staff.userId) }, 201),
);

moneyRoutes.openapi(
  createRoute({
    method: "post",
    path: "/household-payments/{id}/corrections",
    tags: ["资金到户"],
    summary: "更正到户发放（金额、状态、日期、退回原因）",
    security: [{ staffSession: [] }],
    request: {
      params: IdParam,
      body: {
        content: {
          "application/json": {
            schema: PaymentInput.pick({ amount: true, paidOn: true, state: true, returnReason: true, method: true })
              .partial()
              .extend({ reason: Reason }),
          },
        },
        required: true,
      },
    },
    responses: {
      201: jsonContent(z.object({ id: z.number().int(), version: z.number().int() }), "已更正"),
      ...errorResponses(400, 401, 403, 404, 409, 503),
    },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    const { reason, ...patch } = c.req.valid("json");
    return c.json({ id, version: await correctHouseholdPayment(c.var.db, id, patch, reason, c.var.staff.userId) }, 201);
  },
);

moneyRoutes.openapi(
  createRoute({
    method: "post",
    path: "/household-payments/{id}/withdrawal",
    tags: ["资金到户"],
    summary: "撤回到户发放",
    security: [{ staffSession: [] }],
    request: {
      params: IdParam,
      body: { content: { "application/json": { schema: z.object({ reason: Reason }) } }, required: true },
    },
    responses: {
      201: jsonContent(z.object({ id: z.number().int(), version: z.number().int() }), "已撤回"),
      ...errorResponses(400, 401, 403, 404, 409, 503),
    },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    const version = await withdrawHouseholdPayment(c.var.db, id, c.req.valid("json").reason, c.var.staff.userId);
    return c.json({ id, version }, 201);
  },
);

moneyRoutes.openapi(
  createRoute({
    method: "post",
    path: "/household-payments/import",
    tags: ["资金到户"],
    summary: "导入到户发放 CSV（UTF-8 或 GBK；全部通过才导入，否则逐行报告问题且不写入）",
    description:
      "multipart/form-data 的 file 字段，或 text/csv 请求体。表头：身份证号码, 户主姓名, 拨付编号, 项目, 期次, 金额, 发放日期, 状态, 退回原因（可选：发放方式）。400 的 details.problems 为逐行问题 { row, column, value, problem, expected }；问题中的身份证号码只显示前 4 位和后 4 位。",
    security: [{ staffSession: [] }],
    request: {
      body: {
        content: {
          "multipart/form-data": { schema: z.object({ file: z.any().openapi({ type: "string", format: "binary" }) }) },
          "text/csv": { schema: z.string() },
        },
        required: true,
      },
    },
    responses: {
      201: jsonContent(
        z.object({ batchId: z.number().int(), encoding: z.string(), count: z.number().int(), total: z.string() }),
        "已导入",
      ),
      ...errorResponses(400, 401, 403, 409, 413, 415, 503),
    },
  }),
  async (c) => {
    const { buf, fileName } = await uploadedCsv(c);
    const r = await importHouseholdPayments(c.var.db, buf, { fileName, actorId: c.var.staff.userId });
    return c.json({ batchId: r.batchId, encoding: r.encoding, count: r.count, total: r.total }, 201);
  },
);

// --------------------------------------------------------------------------------- 查询本人补贴 (public)
moneyRoutes.openapi(
  createRoute({
    method: "post",
    path: "/payments/check",
    tags: ["资金到户"],
    summary: "查询本人补贴：户主身份证号码和姓名都对上才返回本户的发放记录和危房改造进度",
    description:
      "号码与姓名不匹配、号码未登记，都返回同样的 404。按客户端限制失败次数（15 分钟 20 次，超过返回 429 和 Retry-After），不按号码锁定，真正的住户不会被他人锁在外面。",
    request: {
      body: {
        content: {
          "application/json": {
            schema: z.object({ idNumber: z.string().max(40), name: z.string().max(40) }).openapi("PaymentCheckInput"),
          },
        },
        required: true,
      },
    },
    responses: { 200: jsonContent(Obj, "本户的发放记录"), ...errorResponses(400, 404, 429, 503) },
  }),
  async (c) => {
    c.header("Cache-Control", "no-store");
    return c.json(await checkOwnSubsidies(c.var.db, c.req.valid("json"), clientOf(c)), 200);
  },
);

const Reporter = z.union([
  z.object({ anonymous: z.literal(true) }),
  z.object({
    anonymous: z.literal(false),
    name: z.string().max(50),
    phone: z.string().max(20),
    contact: z.enum(["phone", "sms", "none"]).optional(),
  }),
]);

moneyRoutes.openapi(
  createRoute({
    method: "post",
    path: "/payments/report-missing",
    tags: ["资金到户"],
    summary: "“没收到这笔钱”：就本户的一笔发放向 12317 反映（可匿名），返回工单编号和查询码",
    request: {
      body: {
        content: {
          "application/json": {
            schema: z
              .object({
                token: z.string().max(100).openapi({ description: "查询本人补贴返回的 reportToken（1 小时内有效）" }),
                paymentId: z.number().int().positive(),
                note: z.string().max(1000).nullish(),
                reporter: Reporter.default({ anonymous: true }),
              })
              .openapi("MissingPaymentReport"),
          },
        },
        required: true,
      },
    },
    responses: {
      201: jsonContent(z.object({ number: z.string(), receipt: z.string() }), "已提交"),
      ...errorResponses(400, 410, 503),
    },
  }),
  async (c) => {
    const r = await reportMissingPayment(c.var.db, c.req.valid("json"));
    return c.json({ number: r.ticket.number, receipt: r.receipt }, 201);
  },
);

// ------------------------------------------------------------------------------ public: trail, villages
moneyRoutes.openapi(
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

moneyRoutes.openapi(
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

moneyRoutes.openapi(
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

moneyRoutes.openapi(
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

moneyRoutes.openapi(
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
