import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { fileTicket } from "../domain/hotline/filing";
import { STATUS_LABELS, type TicketStatus } from "../domain/hotline/lifecycle";
import { AppError } from "../lib/errors";
import type { AppEnv } from "./context";

// What the routes that file a ticket share (a reporter's filing, an operator's phone intake): the
// Idempotency-Key header, JSON bodies only, and the answer with the receipt.

export const Deadlines = z
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

/** The answer to a filing: the receipt is shown this once. */
export const Filed = z
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

export const IdempotencyHeader = z.object({
  "idempotency-key": z.string().optional().openapi({
    description: "16–128 个可见 ASCII 字符（建议 UUID）。同一键同一内容重试返回同一工单；内容不同返回 409",
  }),
});

/** JSON bodies only: a form or text body is a 415, not a confusing validation error. */
export async function requireJson(c: Context<AppEnv>, next: () => Promise<void>) {
  const type = c.req.header("content-type") ?? "";
  if (!/^application\/json\b/i.test(type)) {
    throw new AppError("UNSUPPORTED_MEDIA_TYPE", "请以 application/json 提交", { contentType: type || null });
  }
  await next();
}

/** The answers a filing route declares: 201 for a new ticket, 200 for a retry with the same key. */
export const filedResponses = {
  201: { description: "已保存", content: { "application/json": { schema: Filed } } },
  200: { description: "重试：返回此前保存的同一工单", content: { "application/json": { schema: Filed } } },
};

/** The body of the answer to a filing. */
export function filedBody(result: Awaited<ReturnType<typeof fileTicket>>) {
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
