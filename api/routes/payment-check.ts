import { createRoute, z } from "@hono/zod-openapi";
import { checkOwnSubsidies, reportMissingPayment } from "../../domain/money/check";
import { createRouter, jsonContent } from "../context";
import { errorResponses } from "../errors";
import { clientOf } from "../middleware/client";
import { jsonBody } from "../request-bodies";

// 查询本人补贴: a household checks its own payments (public, POST so the ID number never sits in a URL),
// and reports a payment it never received into the hotline.

export const paymentCheckRoutes = createRouter();

const Obj = z.record(z.string(), z.unknown());

paymentCheckRoutes.openapi(
  createRoute({
    method: "post",
    path: "/payments/check",
    tags: ["资金到户"],
    summary: "查询本人补贴：户主身份证号码和姓名都对上才返回本户的发放记录和危房改造进度",
    description:
      "号码与姓名不匹配、号码未登记，都返回同样的 404。按客户端限制失败次数（15 分钟 20 次，超过返回 429 和 Retry-After），不按号码锁定，真正的住户不会被他人锁在外面。",
    request: {
      body: jsonBody(z.object({ idNumber: z.string().max(40), name: z.string().max(40) }).openapi("PaymentCheckInput")),
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

paymentCheckRoutes.openapi(
  createRoute({
    method: "post",
    path: "/payments/report-missing",
    tags: ["资金到户"],
    summary: "“没收到这笔钱”：就本户的一笔发放向 12317 反映（可匿名），返回工单编号和查询码",
    request: {
      body: jsonBody(
        z
          .object({
            token: z.string().max(100).openapi({ description: "查询本人补贴返回的 reportToken（1 小时内有效）" }),
            paymentId: z.number().int().positive(),
            note: z.string().max(1000).nullish(),
            reporter: Reporter.default({ anonymous: true }),
          })
          .openapi("MissingPaymentReport"),
      ),
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
