import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import {
  addEvidenceToTicket,
  type EvidenceUpload,
  MAX_EVIDENCE_BYTES,
  MAX_EVIDENCE_FILES,
  MAX_EVIDENCE_PER_TICKET,
  openEvidence,
  uploadsFromForm,
} from "../../domain/hotline/evidence";
import { verifyReceipt } from "../../domain/hotline/tracking";
import { AppError } from "../../lib/errors";
import { type AppEnv, createRouter } from "../context";
import { errorResponses } from "../errors";
import { requireStaff } from "../middleware/auth";
import { clientOf } from "../middleware/client";

// Evidence files for a ticket, sent by the reporter with the receipt code: multipart/form-data with one
// or more parts named "evidence". The JSON contract of POST /api/tickets stays as it is; a client that
// has evidence files them right after (the reporter may also add them later, while the ticket is open).
// The web form /report sends them with the ticket in one multipart submission (fileTicketWithEvidence).

const EvidenceItem = z
  .object({
    id: z.number().int(),
    mediaType: z.string().openapi({ example: "image/jpeg" }),
    byteSize: z.number().int(),
    width: z.number().int().nullable(),
    height: z.number().int().nullable(),
    source: z.string().openapi({ description: "filing 随工单提交 | reporter 事后补充" }),
    createdAt: z.string(),
  })
  .openapi("TicketEvidence");

const addEvidenceRoute = createRoute({
  method: "post",
  path: "/tickets/{number}/evidence",
  tags: ["热线工单"],
  summary: "补充证据材料（图片或 PDF，凭查询码）",
  description:
    `multipart/form-data，文件字段名为 evidence（可重复）。只接受按内容识别的 JPEG、PNG、WebP 图片和 PDF；` +
    `每个文件不超过 ${MAX_EVIDENCE_BYTES / 1024 / 1024} MB，一次最多 ${MAX_EVIDENCE_FILES} 个，每件工单共 ${MAX_EVIDENCE_PER_TICKET} 个。` +
    `图片的 EXIF/GPS 等元数据在保存前去除。文件不公开，只有有权办理该工单的工作人员可以下载。`,
  request: {
    params: z.object({ number: z.string().min(1).max(40).openapi({ example: "ZB-2026-000123" }) }),
    headers: z.object({ "x-receipt": z.string({ error: "请在 X-Receipt 头中提供查询码" }).min(1).max(64) }),
    // Documented for /api/openapi.json; the files themselves are checked by content in the domain.
    body: {
      required: false,
      content: {
        "multipart/form-data": {
          schema: z.object({ evidence: z.any().openapi({ type: "string", format: "binary" }) }),
        },
      },
    },
  },
  responses: {
    201: {
      description: "已保存；返回该工单的全部证据材料（不含文件内容）",
      content: { "application/json": { schema: z.object({ evidence: z.array(EvidenceItem) }) } },
    },
    ...errorResponses(400, 404, 409, 413, 415, 429, 503),
  },
});

/** The uploaded files of a multipart request's "evidence" parts; 415 when it is not multipart. */
export async function evidenceUploads(c: Context<AppEnv>): Promise<EvidenceUpload[]> {
  const type = c.req.header("content-type") ?? "";
  if (!type.toLowerCase().startsWith("multipart/form-data")) {
    throw new AppError("UNSUPPORTED_MEDIA_TYPE", "证据材料须以 multipart/form-data 上传（文件字段名 evidence）");
  }
  let form: FormData;
  try {
    form = await c.req.formData(); // the one the route's validator already parsed (cached)
  } catch {
    throw new AppError("BAD_REQUEST", "无法解析 multipart/form-data 请求体");
  }
  return uploadsFromForm(form);
}

const downloadRoute = createRoute({
  method: "get",
  path: "/console/tickets/{number}/evidence/{id}",
  tags: ["热线工单"],
  summary: "工作人员下载证据材料（限本人可办理的工单，记入审计日志）",
  description: "以流的方式返回文件本身（Content-Type 按内容判定）。任何节点都可提供：文件保存在共享的文件存储中。",
  request: {
    params: z.object({
      number: z.string().min(1).max(40).openapi({ example: "ZB-2026-000123" }),
      id: z.coerce.number().int().min(1).openapi({ example: 1 }),
    }),
  },
  responses: {
    200: {
      description: "文件内容",
      content: { "application/octet-stream": { schema: z.any().openapi({ type: "string", format: "binary" }) } },
    },
    ...errorResponses(400, 401, 404, 503),
  },
});

export const ticketEvidenceRoutes = createRouter();
ticketEvidenceRoutes.use("/console/tickets/:number/evidence/*", requireStaff());
ticketEvidenceRoutes.openapi(downloadRoute, async (c) => {
  const { number, id } = c.req.valid("param");
  const file = await openEvidence(c.var.db, c.var.staff, id, number);
  return new Response(file.body, {
    headers: {
      "Content-Type": file.mediaType,
      "Content-Length": String(file.byteSize),
      "Content-Disposition": `attachment; filename="${file.fileName}"`,
      "Cache-Control": "private, no-store",
      "X-Content-Type-Options": "nosniff",
    },
  });
});
ticketEvidenceRoutes.openapi(addEvidenceRoute, async (c) => {
  const { number } = c.req.valid("param");
  const receipt = c.req.valid("header")["x-receipt"];
  // The receipt first: nobody without it gets to make the server decode images.
  const { id } = await verifyReceipt(c.var.db, number, receipt, clientOf(c));
  const uploads = await evidenceUploads(c);
  const evidence = await addEvidenceToTicket(c.var.db, id, uploads, clientOf(c));
  return c.json({ evidence }, 201);
});
