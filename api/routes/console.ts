import { createRoute, z } from "@hono/zod-openapi";
import { getCookie } from "hono/cookie";
import { ROLE_ACTIONS } from "../../domain/access/ticket-scope";
import { verifyAuditChain } from "../../domain/audit/audit-log";
import { STAFF_ROLES } from "../../domain/auth/principal";
import {
  clearSessionCookie,
  SESSION_COOKIE,
  sessionCookie,
  signIn,
  signOut,
  signOutEverywhere,
} from "../../domain/auth/session";
import { CASE_ACTIONS, performAction, revealIdentity } from "../../domain/casework/actions";
import { INTAKE_CHANNELS, recordIntake } from "../../domain/casework/intake";
import { listQueue, parseFilters, queueCounts, ticketDetail } from "../../domain/casework/queue";
import { FileTicketInput } from "../../domain/hotline/input";
import { TICKET_NUMBER, TICKET_NUMBER_MESSAGE } from "../../domain/hotline/ticket-number";
import { AppError } from "../../lib/errors";
import { createRouter } from "../context";
import { errorResponses } from "../errors";
import { requireStaff } from "../middleware/auth";
import { clientOf } from "../middleware/client";

// The staff console's JSON API (the console pages call the same domain functions). Cookie session +
// X-CSRF-Token on every write; access rules in domain/access/ticket-scope.ts.

const tags = ["工作台"];
const Staff = z
  .object({
    userId: z.number().int(),
    username: z.string(),
    displayName: z.string(),
    role: z.enum(STAFF_ROLES),
    unitId: z.number().int(),
    unitCode: z.string(),
    unitKind: z.string(),
    unitName: z.string(),
    unitLevel: z.enum(["city", "district", "town"]),
    districtId: z.number().int().nullable(),
  })
  .openapi("StaffPrincipal");
const Number_ = z.string().regex(TICKET_NUMBER, TICKET_NUMBER_MESSAGE);
const Loose = z.record(z.string(), z.unknown());

const signInRoute = createRoute({
  method: "post",
  path: "/console/session",
  tags,
  summary: "工作人员登录（设置会话 Cookie，返回 CSRF 令牌）",
  request: {
    body: {
      content: {
        "application/json": {
          schema: z.object({
            username: z.string({ error: "请填写用户名" }).min(1, "请填写用户名").max(100),
            password: z.string({ error: "请填写密码" }).min(1, "请填写密码").max(200),
          }),
        },
      },
    },
  },
  responses: {
    200: {
      description: "已登录",
      content: {
        "application/json": {
          schema: z.object({ csrfToken: z.string(), staff: Staff, mustChangePassword: z.boolean() }),
        },
      },
    },
    ...errorResponses(400, 401, 429),
  },
});
const signOutRoute = createRoute({
  method: "delete",
  path: "/console/session",
  tags,
  summary: "退出登录",
  responses: { 204: { description: "已退出" }, ...errorResponses(401, 403) },
});
const signOutAllRoute = createRoute({
  method: "post",
  path: "/console/session/revoke-all",
  tags,
  summary: "在所有设备上退出",
  responses: {
    200: {
      description: "已撤销",
      content: { "application/json": { schema: z.object({ revoked: z.number().int() }) } },
    },
    ...errorResponses(401, 403),
  },
});
const meRoute = createRoute({
  method: "get",
  path: "/console/me",
  tags,
  summary: "当前登录的工作人员",
  responses: {
    200: { description: "当前账号", content: { "application/json": { schema: Staff } } },
    ...errorResponses(401),
  },
});
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
const intakeRoute = createRoute({
  method: "post",
  path: "/console/intake",
  tags,
  summary: "登记来电、来信、来访或网络舆情（与在线提交同样分派、定级、计时）",
  request: {
    body: {
      content: {
        "application/json": {
          schema: z.object({
            channel: z.enum(INTAKE_CHANNELS, { error: "请选择来源渠道：phone、letter、visit 或 media" }),
            ticket: z.unknown(),
            sourceUrl: z.string().max(2000).nullish(),
            screenshotBase64: z.string().max(8_000_000).nullish(),
            idempotencyKey: z.string().nullish(),
          }),
        },
      },
    },
  },
  responses: {
    201: {
      description: "已登记",
      content: {
        "application/json": {
          schema: z.object({ number: z.string(), receipt: z.string(), tier: z.string(), handlingUnit: z.string() }),
        },
      },
    },
    ...errorResponses(400, 401, 403),
  },
});
const auditVerifyRoute = createRoute({
  method: "get",
  path: "/console/audit/verify",
  tags,
  summary: "校验审计日志哈希链（管理员、纪检监察）",
  responses: {
    200: { description: "校验结果", content: { "application/json": { schema: Loose } } },
    ...errorResponses(401, 403),
  },
});

export const consoleRoutes = createRouter();
consoleRoutes.use("/console/me", requireStaff());
consoleRoutes.use("/console/session/revoke-all", requireStaff());
consoleRoutes.use("/console/tickets", requireStaff("operator", "handler", "supervisor", "inspector"));
consoleRoutes.use("/console/tickets/*", requireStaff("operator", "handler", "supervisor", "inspector"));
consoleRoutes.use("/console/intake", requireStaff("operator", "supervisor"));
consoleRoutes.use("/console/audit/verify", requireStaff("admin", "inspector"));

consoleRoutes
  .openapi(signInRoute, async (c) => {
    const { username, password } = c.req.valid("json");
    const r = await signIn(c.var.db, username, password, clientOf(c));
    c.header("Set-Cookie", sessionCookie(r.token, clientOf(c).https));
    c.header("Cache-Control", "no-store");
    return c.json({ csrfToken: r.csrfToken, staff: r.staff, mustChangePassword: r.mustChangePassword }, 200);
  })
  .openapi(signOutRoute, async (c) => {
    // Hono's parser: a malformed cookie is "not signed in", never an exception.
    const token = getCookie(c, SESSION_COOKIE);
    if (!token) throw new AppError("UNAUTHENTICATED", "尚未登录");
    await signOut(c.var.db, token);
    c.header("Set-Cookie", clearSessionCookie(clientOf(c).https));
    return c.body(null, 204);
  })
  .openapi(signOutAllRoute, async (c) => {
    const revoked = await signOutEverywhere(c.var.db, c.var.staff.userId);
    c.header("Set-Cookie", clearSessionCookie(clientOf(c).https));
    return c.json({ revoked }, 200);
  })
  .openapi(meRoute, (c) => c.json(c.var.staff, 200))
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
  })
  .openapi(intakeRoute, async (c) => {
    const b = c.req.valid("json");
    const r = await recordIntake(c.var.db, c.var.staff, b.ticket as FileTicketInput, {
      channel: b.channel,
      sourceUrl: b.sourceUrl,
      screenshot: b.screenshotBase64 ? { bytes: Buffer.from(b.screenshotBase64, "base64"), type: "" } : null,
      idempotencyKey: b.idempotencyKey,
    });
    return c.json(
      { number: r.ticket.number, receipt: r.receipt, tier: r.ticket.tier, handlingUnit: r.ticket.handlingUnit },
      201,
    );
  })
  .openapi(auditVerifyRoute, async (c) =>
    c.json((await verifyAuditChain(c.var.db)) as unknown as Record<string, unknown>, 200),
  );

export { FileTicketInput };
