import { createRoute, z } from "@hono/zod-openapi";
import { ROLE_ACTIONS } from "../../domain/access/ticket-scope";
import { CASE_ACTIONS, performAction, revealIdentity } from "../../domain/casework/actions";
import { listQueue, parseFilters, queueCounts, ticketDetail } from "../../domain/casework/queue";
import { TICKET_NUMBER, TICKET_NUMBER_MESSAGE } from "../../domain/hotline/ticket-number";
import { AppError } from "../../lib/errors";
import { createRouter } from "../context";
import { errorResponses } from "../errors";
import { requireStaff } from "../middleware/auth";

// The console's tickets: the queue, one ticket, its actions and the reporter's identity. Cookie session
// + X-CSRF-Token on every write; who may see and do what in domain/access/ticket-scope.ts.

const tags = ["工作台"];
const Number_ = z.string().regex(TICKET_NUMBER, TICKET_NUMBER_MESSAGE);
const Loose = z.record(z.string(), z.unknown());

const queueRoute = createRoute({
  method: "get",
  path: "/console/tickets",
  tags,
  summary: "工单队列（按紧急程度排序；仅本人权限范围内）",
  request: {
    query: z.object({
      status: z.string().optional(),
      kind: z.string().optional(),
      category: z.string().optional(),
      tier: z.string().optional(),
      district: z.string().optional(),
      unit: z.string().optional(),
      due: z.string().optional().openapi({ description: "N 天内到期" }),
      overdue: z.string().optional().openapi({ description: "1 = 仅超期" }),
      channel: z.string().optional(),
      page: z.string().optional(),
      after: z.string().optional().openapi({ description: "下一页：上一页响应中的 next 游标" }),
      before: z.string().optional().openapi({ description: "上一页：本页响应中的 prev 游标" }),
    }),
  },
  responses: {
    200: {
      description: "一页工单与计数",
      content: {
        "application/json": {
          schema: z.object({
            items: z.array(Loose),
            counts: Loose,
            page: z.number(),
            prev: z.string().optional().openapi({ description: "有上一页时：作为 before 传回" }),
            next: z.string().optional().openapi({ description: "有下一页时：作为 after 传回" }),
          }),
        },
      },
    },
    ...errorResponses(401, 403),
  },
});
const ticketRoute = createRoute({
  method: "get",
  path: "/console/tickets/{number}",
  tags,
  summary: "工单详情：时间线、内部备注、留言、期限、疑似重复、可执行的操作",
  request: { params: z.object({ number: Number_ }) },
  responses: {
    200: { description: "工单", content: { "application/json": { schema: Loose } } },
    ...errorResponses(400, 401, 403, 404),
  },
});
const actionRoute = createRoute({
  method: "post",
  path: "/console/tickets/{number}/actions/{action}",
  tags,
  summary: "对工单执行操作（状态机校验，非法操作返回 409 及原因）",
  request: {
    params: z.object({
      number: Number_,
      action: z.enum(CASE_ACTIONS as [string, ...string[]], { error: "未知的操作" }),
    }),
    body: {
      required: false,
      content: {
        "application/json": {
          schema: z.object({
            reason: z.string().max(4000, "内容不能超过 4000 字").nullish(),
            unitId: z.number().int().positive().nullish(),
            tier: z.enum(["I", "II", "III", "IV"], { error: "等级须为 I、II、III 或 IV" }).nullish(),
            days: z.number().int().min(1, "延期天数须为 1 至 30 天").max(30, "延期天数须为 1 至 30 天").nullish(),
            intoNumber: Number_.nullish(),
          }),
        },
      },
    },
  },
  responses: {
    200: {
      description: "操作完成",
      content: { "application/json": { schema: z.object({ number: z.string(), status: z.string() }) } },
    },
    ...errorResponses(400, 401, 403, 404, 409),
  },
});
const revealRoute = createRoute({
  method: "post",
  path: "/console/tickets/{number}/reveal",
  tags,
  summary: "查看反映人身份（仅纪检监察，或经同意联系的承办单位；须填理由；记入审计）",
  request: {
    params: z.object({ number: Number_ }),
    body: { content: { "application/json": { schema: z.object({ reason: z.string().max(500).nullish() }) } } },
  },
  responses: {
    200: {
      description: "反映人身份",
      content: {
        "application/json": { schema: z.object({ name: z.string(), phone: z.string(), contact: z.string() }) },
      },
    },
    ...errorResponses(400, 401, 403, 404),
  },
});
export const consoleTicketRoutes = createRouter();
consoleTicketRoutes.use("/console/tickets", requireStaff("operator", "handler", "supervisor", "inspector"));
consoleTicketRoutes.use("/console/tickets/*", requireStaff("operator", "handler", "supervisor", "inspector"));

consoleTicketRoutes
  .openapi(queueRoute, async (c) => {
    const f = parseFilters(new URL(c.req.url).searchParams);
    const [q, counts] = await Promise.all([listQueue(c.var.db, c.var.staff, f), queueCounts(c.var.db, c.var.staff, f)]);
    return c.json(
      { items: q.items as unknown as Record<string, unknown>[], counts, page: q.page, prev: q.prev, next: q.next },
      200,
    );
  })
  .openapi(ticketRoute, async (c) => {
    const d = await ticketDetail(c.var.db, c.var.staff, c.req.valid("param").number);
    return c.json(d as unknown as Record<string, unknown>, 200);
  })
  .openapi(actionRoute, async (c) => {
    const { number, action } = c.req.valid("param");
    const body = (await c.req.json().catch(() => ({}))) as Record<string, unknown>;
    const parsed = actionRoute.request.body.content["application/json"].schema.safeParse(body ?? {});
    if (!parsed.success) {
      const details = parsed.error.issues.map((i) => ({ path: i.path.join("."), message: i.message }));
      throw new AppError("VALIDATION_FAILED", `请求参数有误：${details[0].path} ${details[0].message}`, details);
    }
    if (!ROLE_ACTIONS[c.var.staff.role].includes(action as never))
      throw new AppError("FORBIDDEN", "当前账号的角色不能执行此操作");
    const r = await performAction(c.var.db, c.var.staff, number, action as (typeof CASE_ACTIONS)[number], parsed.data);
    return c.json(r, 200);
  })
  .openapi(revealRoute, async (c) => {
    const identity = await revealIdentity(
      c.var.db,
      c.var.staff,
      c.req.valid("param").number,
      c.req.valid("json").reason,
    );
    c.header("Cache-Control", "no-store");
    return c.json(identity, 200);
  });
