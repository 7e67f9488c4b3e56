import { createRoute, z } from "@hono/zod-openapi";
import { INTAKE_CHANNELS, recordIntake } from "../../domain/casework/intake";
import { FileTicketInput, type ParsedTicketInput } from "../../domain/hotline/input";
import { createRouter } from "../context";
import { errorResponses } from "../errors";
import { requireStaff } from "../middleware/auth";
import { jsonBody } from "../request-bodies";
import { filedBody, filedResponses, IdempotencyHeader, requireJson } from "../ticket-filing";

// Staff intake: an operator files a phone call (POST /intake/phone, the filing API's shape), and the
// console records calls, letters, visits and online opinion (POST /console/intake). Both route, tier and
// time the ticket like a filing on the web.

const phoneIntakeRoute = createRoute({
  method: "post",
  path: "/intake/phone",
  tags: ["12317 监督举报"],
  summary: "接线员录入 12317 来电（渠道：电话）",
  description: "需要接线员登录（会话 Cookie 与 X-CSRF-Token）。",
  request: { headers: IdempotencyHeader, body: jsonBody(FileTicketInput) },
  responses: {
    ...filedResponses,
    ...errorResponses(400, 401, 403, 409, 415, 503),
  },
});

const consoleIntakeRoute = createRoute({
  method: "post",
  path: "/console/intake",
  tags: ["工作台"],
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

export const intakeRoutes = createRouter();
intakeRoutes.use("/intake/phone", requireStaff("operator"));
intakeRoutes.post("/intake/phone", requireJson);
intakeRoutes.use("/console/intake", requireStaff("operator", "supervisor"));

intakeRoutes
  .openapi(phoneIntakeRoute, async (c) => {
    const input = c.req.valid("json") as ParsedTicketInput;
    // The same domain verb as console intake: it files the ticket and audits it in one transaction.
    const result = await recordIntake(c.var.db, c.var.staff, input, {
      channel: "phone",
      idempotencyKey: c.req.valid("header")["idempotency-key"] ?? null,
    });
    if (!result.created) c.header("Idempotent-Replayed", "true");
    c.header("Cache-Control", "no-store");
    return c.json(filedBody(result), result.created ? 201 : 200);
  })
  .openapi(consoleIntakeRoute, async (c) => {
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
  });
