import { createRoute, z } from "@hono/zod-openapi";
import { fileTicket } from "../../domain/hotline/filing";
import { FileTicketInput, type ParsedTicketInput } from "../../domain/hotline/input";
import { addReporterMessage, rateTicket, requestFollowUp, trackTicket } from "../../domain/hotline/tracking";
import { createRouter } from "../context";
import { errorResponses } from "../errors";
import { clientOf } from "../middleware/client";
import { jsonBody } from "../request-bodies";
import { Deadlines, filedBody, filedResponses, IdempotencyHeader, requireJson } from "../ticket-filing";
import { NumberParam, ReceiptHeader } from "../ticket-params";

// The hotline's JSON API: file a ticket, follow it with the receipt (X-Receipt header, never in the URL),
// add information, rate, ask for 重办/复核. Operators file phone calls through routes/intake.ts.

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

const fileRoute = createRoute({
  method: "post",
  path: "/tickets",
  tags: ["12317 监督举报"],
  summary: "提交举报、投诉、意见建议、咨询或公示异议（可匿名）",
  description:
    "201 表示已保存。响应中的 receipt（查询码）只出现这一次。带 Idempotency-Key 重试同一内容返回同一工单（200，Idempotent-Replayed: true）。",
  request: { headers: IdempotencyHeader, body: jsonBody(FileTicketInput) },
  responses: {
    ...filedResponses,
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
    body: jsonBody(z.object({ body: z.string({ error: "请填写留言内容" }).max(4000, "留言不能超过 4000 字") })),
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
    body: jsonBody(
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
      body: jsonBody(z.object({ reason: z.string({ error: "请说明理由" }).min(1, "请说明理由").max(2000) })),
    },
    responses: {
      200: { description: "已提交", content: { "application/json": { schema: PublicTicket } } },
      ...errorResponses(400, 404, 409, 415, 429, 503),
    },
  });

export const ticketRoutes = createRouter();
ticketRoutes.post("/tickets", requireJson);
ticketRoutes.post("/tickets/:number/*", requireJson);

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
  });
