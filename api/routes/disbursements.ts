import { createRoute, z } from "@hono/zod-openapi";
import {
  correctDisbursement,
  createDisbursement,
  getDisbursement,
  withdrawDisbursement,
} from "../../domain/money/disbursements";
import { RECIPIENT_KINDS } from "../../domain/money/labels";
import { createRouter, IdParam, jsonContent } from "../context";
import { errorResponses } from "../errors";
import { withdrawalBody } from "../fields";
import { requireStaff } from "../middleware/auth";
import { Day, moneyAmount, Reason } from "../money-fields";
import { jsonBody } from "../request-bodies";

// Disbursements (拨付): money moved from an allocation to a recipient, never more than the allocation;
// publisher-only writes, public reads with versions.

export const disbursementRoutes = createRouter();
const publisher = requireStaff("publisher", "admin");
disbursementRoutes.use("/disbursements", publisher);
disbursementRoutes.use("/disbursements/*", publisher);

const Money = moneyAmount("50000.00");
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

disbursementRoutes.openapi(
  createRoute({
    method: "post",
    path: "/disbursements",
    tags: ["资金到户"],
    summary: "登记一笔拨付（合计不得超过资金分配额）",
    security: [{ staffSession: [] }],
    request: { body: jsonBody(DisbursementInput) },
    responses: { 201: jsonContent(Obj, "已登记"), ...errorResponses(400, 401, 403, 409, 503) },
  }),
  async (c) => {
    const id = await createDisbursement(c.var.db, c.req.valid("json"), c.var.staff.userId);
    return c.json(await getDisbursement(c.var.db, id), 201);
  },
);

disbursementRoutes.openapi(
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

disbursementRoutes.openapi(
  createRoute({
    method: "post",
    path: "/disbursements/{id}/corrections",
    tags: ["资金到户"],
    summary: "更正拨付（新版本，旧版本公开保留）",
    security: [{ staffSession: [] }],
    request: {
      params: IdParam,
      body: jsonBody(DisbursementInput.omit({ allocationId: true }).partial().extend({ reason: Reason })),
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

disbursementRoutes.openapi(
  createRoute({
    method: "post",
    path: "/disbursements/{id}/withdrawal",
    tags: ["资金到户"],
    summary: "撤回拨付（须先撤回由它发放的到户记录）",
    security: [{ staffSession: [] }],
    request: { params: IdParam, body: withdrawalBody },
    responses: { 201: jsonContent(Obj, "已撤回"), ...errorResponses(400, 401, 403, 404, 409, 503) },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    await withdrawDisbursement(c.var.db, id, c.req.valid("json").reason, c.var.staff.userId);
    return c.json(await getDisbursement(c.var.db, id), 201);
  },
);
