import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { ticketFilingProof } from "../../domain/transparency/ticket-proof";
import { type AppEnv, createRouter, jsonContent } from "../context";
import { envelope, errorResponses } from "../errors";
import { clientOf } from "../middleware/client";
import { NumberParam, ReceiptHeader } from "../ticket-params";

// The reporter's proof of filing from the public transparency log (tlog-proof@v1), and the opening of
// the filing's content commitment (content and salt). Both need the receipt, exactly like the lookup.

const Pending = z
  .object({ status: z.literal("pending"), message: z.string() })
  .openapi("ProofPending", { description: "登记条目尚未写入日志（通常几秒内完成）" });

const Opening = z
  .object({
    ticket: z.string(),
    content: z.object({
      title: z.string(),
      description: z.string(),
      subject: z
        .object({ unit: z.string().nullable(), person: z.string().nullable(), post: z.string().nullable() })
        .nullable(),
    }),
    salt: z.string().openapi({ description: "内容承诺的随机盐值（64 位十六进制），只给举报人" }),
  })
  .openapi("ContentOpening");

const ABSENT_MESSAGE = "这个工单登记于透明日志启用之前，没有登记证明";

const PENDING_MESSAGE = "登记条目正在写入透明日志，请几秒后再试";

const proofRoute = createRoute({
  method: "get",
  path: "/tickets/{number}/proof",
  tags: ["举报与投诉"],
  summary: "登记证明（透明日志 tlog-proof）",
  description:
    "返回 c2sp.org/tlog-proof@v1 文本：该工单登记条目在公开透明日志中的包含证明和签名检查点，可离线核验（npm run log:verify 或 /verify）。尚未写入日志时返回 202 和 Retry-After。",
  request: { params: NumberParam, headers: ReceiptHeader },
  responses: {
    200: { description: "证明文件", content: { "text/plain": { schema: z.string() } } },
    202: jsonContent(Pending, "尚未写入日志"),
    ...errorResponses(400, 404, 429, 503),
  },
});

const openingRoute = createRoute({
  method: "get",
  path: "/tickets/{number}/proof/opening",
  tags: ["举报与投诉"],
  summary: "登记内容凭据（内容与盐值）",
  description: "日志条目只公开内容的承诺值；凭内容与盐值可证明登记的就是这些内容。只在举报人愿意时出示。",
  request: { params: NumberParam, headers: ReceiptHeader },
  responses: {
    200: jsonContent(Opening, "内容与盐值"),
    202: jsonContent(Pending, "尚未写入日志"),
    ...errorResponses(400, 404, 429, 503),
  },
});

/** The proof of a reporter's ticket, or the answer while there is none: 202 while pending, 404 before the log. */
async function lookUpProof(c: Context<AppEnv>, number: string, receipt: string) {
  const result = await ticketFilingProof(c.var.db, number, receipt, clientOf(c));
  c.header("Cache-Control", "no-store");
  if (result.state === "pending") c.header("Retry-After", "2");
  return result;
}
const pendingBody = { status: "pending" as const, message: PENDING_MESSAGE };

export const ticketProofRoutes = createRouter()
  .openapi(proofRoute, async (c) => {
    const result = await lookUpProof(c, c.req.valid("param").number, c.req.valid("header")["x-receipt"]);
    if (result.state === "pending") return c.json(pendingBody, 202);
    if (result.state === "absent") return c.json(envelope("NOT_FOUND", ABSENT_MESSAGE), 404);
    c.header("Content-Disposition", `attachment; filename="${result.number}.tlog-proof"`);
    return c.text(result.proof, 200);
  })
  .openapi(openingRoute, async (c) => {
    const result = await lookUpProof(c, c.req.valid("param").number, c.req.valid("header")["x-receipt"]);
    if (result.state === "pending") return c.json(pendingBody, 202);
    if (result.state === "absent") return c.json(envelope("NOT_FOUND", ABSENT_MESSAGE), 404);
    return c.json(result.opening, 200);
  });
