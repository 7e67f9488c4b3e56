import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { recordIntake } from "../../domain/casework/intake";
import { fileTicket } from "../../domain/hotline/filing";
import { FileTicketInput, type ParsedTicketInput } from "../../domain/hotline/input";
import { STATUS_LABELS, type TicketStatus } from "../../domain/hotline/lifecycle";
import { addReporterMessage, rateTicket, requestFollowUp, trackTicket } from "../../domain/hotline/tracking";
import { AppError } from "../../lib/errors";
import { type AppEnv, createRouter } from "../context";
import { errorResponses } from "../errors";
import { requireStaff } from "../middleware/auth";
import { clientOf } from "../middleware/client";

// The hotline's JSON API: file a ticket, follow it with the receipt (X-Receipt header, never in the URL),
// add information, rate, ask for 重办/复核; and the operator's intake of phone calls.

const Deadlines = z
  .object({
    acceptBy: z.string().openapi({ example: "2026-12-14", description: "受理期限（收到后 15 日内决定是否受理）" }),
    handleBy: z
      .string()
      .openapi({ example: "2027-02-12", description: "办理期限（受理后 60 日，可延长一次不超过 30 日）" }),
    handleByIsProvisional: z.boolean().openapi({ description: "尚未受理时按最晚受理日推算" }),
    firstResponseBy: z.string().nullable().openapi({ description: "一级（特别重大）事项 24 小时内首次响应" }),
    reviewBy: z.string().nullable().openapi({ description: "答复后 30 日内可申请复核" }),
    extendedDays: z.number().int(),
  })
  .openapi("TicketDeadlines");

const Filed = z
  .object({
    number: z.string().openapi({ example: "ZB-2026-000123" }),
    receipt: z
      .string()
      .openapi({ example: "7KQ2-M9XD-4R8T-ZC1B-HN6P", description: "查询码：只显示这一次，请妥善保存" }),
    status: z.string().openapi({ example: "received" }),
    statusLabel: z.string(),
    kind: z.string(),
    category: z.string(),
    tier: z.string().openapi({ description: "等级 I 特别重大 / II 重大 / III 较大 / IV 一般" }),
    handlingUnit: z.string(),
    receivedAt: z.string(),
    deadlines: Deadlines,
    follow: z.object({ page: z.string(), api: z.string() }),
  })
  .openapi("FiledTicket");

const PublicTicket = z
  .object({
    number: z.string(),
    kind: z.string(),
    kindLabel: z.string(),
    category: z.string(),
    categoryName: z.string(),
    title: z.string(),
    description: z.string(),
    district: z.string(),
    town: z.string().nullable(),
    village: z.string().nullable(),
    noticeId: z.number().int().nullable(),
    status: z.string(),
    statusLabel: z.string(),
    handlingUnit: z.string(),
    receivedAt: z.string(),
    deadlines: Deadlines,
    reply: z.object({ summary: z.string(), repliedAt: z.string() }).nullable(),
    rating: z.object({ rating: z.string(), label: z.string(), ratedAt: z.string() }).nullable(),
    timeline: z.array(
      z.object({
        at: z.string(),
        action: z.string(),
        status: z.string(),
        statusLabel: z.string(),
        note: z.string().nullable(),
      }),
    ),
    messages: z.array(z.object({ at: z.string(), from: z.enum(["reporter", "handler"]), body: z.string() })),
    can: z.object({
      addMessage: z.boolean(),
      rate: z.boolean(),
      requestReopen: z.boolean(),
      requestReview: z.boolean(),
    }),
  })
  .openapi("TrackedTicket");

const NumberParam = z.object({
  number: z
    .string()
    .max(40)
    .openapi({ param: { name: "number", in: "path" }, example: "ZB-2026-000123" }),
});
const ReceiptHeader = z.object({
  "x-receipt": z
    .string({ error: "请在 X-Receipt 请求头中提供查询码" })
    .min(1, "请在 X-Receipt 请求头中提供查询码")
    .max(64)
    .openapi({ description: "查询码（提交时得到的 receipt）" }),
});
const IdempotencyHeader = z.object({
  "idempotency-key": z.string().optional().openapi({
    description: "16–128 个可见 ASCII 字符（建议 UUID）。同一键同一内容重试返回同一工单；内容不同返回 409",
  }),
});

const json = <T extends z.ZodType>(schema: T) => ({ content: { "application/json": { schema } }, required: true });

/** JSON bodies only: a form or text body is a 415, not a confusing validation error. */
async function requireJson(c: Context<AppEnv>, next: () => Promise<void>) {
  const type = c.req.header("content-type") ?? "";
  if (!/^application\/json\b/i.test(type)) {
    throw new AppError("UNSUPPORTED_MEDIA_TYPE", "请以 application/json 提交", { contentType: type || null });
  }
  await next();
}

/** The client, for per-client rate limits (api/middleware/client.ts). */
export { clientOf };

function filedBody(result: Awaited<ReturnType<typeof fileTicket>>) {
  const t = result.ticket;
  return {
    number: t.number,
    receipt: result.receipt,
    status: t.status,
    statusLabel: STATUS_LABELS[t.status as TicketStatus] ?? t.status,
    kind: t.kind,
    category: t.category,
    tier: t.tier,
    handlingUnit: t.handlingUnit,
    receivedAt: t.receivedAt,
    deadlines: t.deadlines,
    follow: { page: "/track", api: `GET /api/tickets/${t.number}（请求头 X-Receipt: 查询码）` },
  };
}

const fileRoute = createRoute({
  method: "post",
  path: "/tickets",
  tags: ["12317 监督举报"],
  summary: "提交举报、投诉、意见建议、咨询或公示异议（可匿名）",
  description:
    "201 表示已保存。响应中的 receipt（查询码）只出现这一次。带 Idempotency-Key 重试同一内容返回同一工单（200，Idempotent-Replayed: true）。",
  request: { headers: IdempotencyHeader, body: json(FileTicketInput) },
  responses: {
    201: { description: "已保存", content: { "application/json": { schema: Filed } } },
    200: { description: "重试：返回此前保存的同一工单", content: { "application/json": { schema: Filed } } },
    ...errorResponses(400, 409, 413, 415, 503),
  },
});

const trackRoute = createRoute({
  method: "get",
  path: "/tickets/{number}",
  tags: ["12317 监督举报"],
  summary: "凭工单编号和查询码查看办理进度",
  request: { params: NumberParam, headers: ReceiptHeader },
  responses: {
    200: { description: "工单（不含反映人信息）", content: { "application/json": { schema: PublicTicket } } },
    ...errorResponses(400, 404, 429, 503),
  },
});

const messageRoute = createRoute({
  method: "post",
  path: "/tickets/{number}/messages",
  tags: ["12317 监督举报"],
  summary: "补充信息或答复承办单位的询问",
  request: {
    params: NumberParam,
    headers: ReceiptHeader,
    body: json(z.object({ body: z.string({ error: "请填写留言内容" }).max(4000, "留言不能超过 4000 字") })),
  },
  responses: {
    201: { description: "已保存", content: { "application/json": { schema: PublicTicket } } },
    ...errorResponses(400, 404, 409, 415, 429, 503),
  },
});

const ratingRoute = createRoute({
  method: "post",
  path: "/tickets/{number}/rating",
  tags: ["12317 监督举报"],
  summary: "评价答复（满意/基本满意/不满意）",
  request: {
    params: NumberParam,
    headers: ReceiptHeader,
    body: json(
      z.object({
        rating: z.enum(["satisfied", "basically_satisfied", "dissatisfied"], {
          error: "rating 须为 satisfied（满意）、basically_satisfied（基本满意）或 dissatisfied（不满意）",
        }),
        comment: z.string().max(1000, "评价说明不能超过 1000 字").optional(),
      }),
    ),
  },
  responses: {
    200: { description: "已评价", content: { "application/json": { schema: PublicTicket } } },
    ...errorResponses(400, 404, 409, 415, 429, 503),
  },
});

const followUpRoute = (type: "reopen" | "review") =>
  createRoute({
    method: "post",
    path: `/tickets/{number}/${type}`,
    tags: ["12317 监督举报"],
    summary: type === "reopen" ? "对答复不满意，申请重办" : "申请复核（答复后 30 日内）",
    request: {
      params: NumberParam,
      headers: ReceiptHeader,
      body: json(z.object({ reason: z.string({ error: "请说明理由" }).min(1, "请说明理由").max(2000) })),
    },
    responses: {
      200: { description: "已提交", content: { "application/json": { schema: PublicTicket } } },
      ...errorResponses(400, 404, 409, 415, 429, 503),
    },
  });

const intakeRoute = createRoute({
  method: "post",
  path: "/intake/phone",
  tags: ["12317 监督举报"],
  summary: "接线员录入 12317 来电（渠道：电话）",
  description: "需要接线员登录（会话 Cookie 与 X-CSRF-Token）。",
  request: { headers: IdempotencyHeader, body: json(FileTicketInput) },
  responses: {
    201: { description: "已保存", content: { "application/json": { schema: Filed } } },
    200: { description: "重试：返回此前保存的同一工单", content: { "application/json": { schema: Filed } } },
    ...errorResponses(400, 401, 403, 409, 415, 503),
  },
});

export const ticketRoutes = createRouter();
ticketRoutes.post("/tickets", requireJson);
ticketRoutes.post("/tickets/:number/*", requireJson);
ticketRoutes.use("/intake/phone", requireStaff("operator"));
ticketRoutes.post("/intake/phone", requireJson);

ticketRoutes
  .openapi(fileRoute, async (c) => {
    const input = c.req.valid("json") as ParsedTicketInput;
    const result = await fileTicket(c.var.db, input, {
      channel: "api",
      idempotencyKey: c.req.valid("header")["idempotency-key"] ?? null,
      client: clientOf(c),
    });
    if (!result.created) c.header("Idempotent-Replayed", "true");
    c.header("Cache-Control", "no-store");
    return c.json(filedBody(result), result.created ? 201 : 200);
  })
  .openapi(trackRoute, async (c) => {
    const { number } = c.req.valid("param");
    const ticket = await trackTicket(c.var.db, number, c.req.valid("header")["x-receipt"], clientOf(c));
    c.header("Cache-Control", "no-store");
    return c.json(ticket, 200);
  })
  .openapi(messageRoute, async (c) => {
    const { number } = c.req.valid("param");
    const ticket = await addReporterMessage(
      c.var.db,
      number,
      c.req.valid("header")["x-receipt"],
      c.req.valid("json").body,
      clientOf(c),
    );
    c.header("Cache-Control", "no-store");
    return c.json(ticket, 201);
  })
  .openapi(ratingRoute, async (c) => {
    const { number } = c.req.valid("param");
    const ticket = await rateTicket(
      c.var.db,
      number,
      c.req.valid("header")["x-receipt"],
      c.req.valid("json"),
      clientOf(c),
    );
    c.header("Cache-Control", "no-store");
    return c.json(ticket, 200);
  })
  .openapi(followUpRoute("reopen"), async (c) => {
    const { number } = c.req.valid("param");
    const ticket = await requestFollowUp(
      c.var.db,
      number,
      c.req.valid("header")["x-receipt"],
      { type: "reopen", reason: c.req.valid("json").reason },
      clientOf(c),
    );
    return c.json(ticket, 200);
  })
  .openapi(followUpRoute("review"), async (c) => {
    const { number } = c.req.valid("param");
    const ticket = await requestFollowUp(
      c.var.db,
      number,
      c.req.valid("header")["x-receipt"],
      { type: "review", reason: c.req.valid("json").reason },
      clientOf(c),
    );
    return c.json(ticket, 200);
  })
  .openapi(intakeRoute, async (c) => {
    const input = c.req.valid("json") as ParsedTicketInput;
    // The same domain verb as console intake: it files the ticket and audits it in one transaction.
    const result = await recordIntake(c.var.db, c.var.staff, input, {
      channel: "phone",
      idempotencyKey: c.req.valid("header")["idempotency-key"] ?? null,
    });
    if (!result.created) c.header("Idempotent-Replayed", "true");
    c.header("Cache-Control", "no-store");
    return c.json(filedBody(result), result.created ? 201 : 200);
  });
