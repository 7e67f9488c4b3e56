import { createRoute, z } from "@hono/zod-openapi";
import { MAX_PUBLIC_SUMMARY, setPublicSummary } from "../../domain/hotline/public-summary";
import { createRouter, jsonContent } from "../context";
import { errorResponses } from "../errors";
import { requireStaff } from "../middleware/auth";
import { jsonBody } from "../request-bodies";

// The public summary of a ticket (what Open311 and other public views show instead of the reporter's
// own title), set by a handler or supervisor who can see the ticket. Personal data is redacted by the
// domain before it is stored; the answer shows the text as it will be public.

const route = createRoute({
  method: "put",
  path: "/console/tickets/{number}/public-summary",
  tags: ["工作台"],
  summary: "审定工单的公开摘要（承办人员、督办人员）",
  description:
    "公开视图（Open311 等）不显示反映人填写的标题，只显示“类型·类别”或经审定的公开摘要。保存时自动隐去电话号码、身份证号和反映人姓名；空字符串清除摘要。举报件不设公开摘要。",
  request: {
    params: z.object({
      number: z
        .string()
        .max(40)
        .openapi({ param: { name: "number", in: "path" }, example: "ZB-2026-000123" }),
    }),
    body: jsonBody(
      z.object({
        publicSummary: z.string().max(MAX_PUBLIC_SUMMARY * 2, `公开摘要不超过 ${MAX_PUBLIC_SUMMARY} 个字`),
      }),
    ),
  },
  responses: {
    200: jsonContent(
      z.object({ publicSummary: z.string().nullable(), publicTitle: z.string() }).openapi("TicketPublicSummary"),
      "已保存（返回公开后的文字）",
    ),
    ...errorResponses(400, 401, 403, 404, 409, 503),
  },
});

export const ticketPublicSummaryRoutes = createRouter();
ticketPublicSummaryRoutes.use("/console/tickets/:number/public-summary", requireStaff("handler", "supervisor"));
ticketPublicSummaryRoutes.openapi(route, async (c) => {
  // The number as staff copy it (spaces, lower case); an unknown one is the domain's 404.
  const number = c.req.valid("param").number.replace(/\s+/g, "").toUpperCase();
  const result = await setPublicSummary(c.var.db, c.var.staff, number, c.req.valid("json").publicSummary);
  return c.json(result, 200);
});
