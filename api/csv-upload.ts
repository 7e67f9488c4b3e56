import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { env } from "../lib/env";
import { AppError } from "../lib/errors";
import { type AppEnv, jsonContent } from "./context";

/** The request body an import route declares: the file field of a multipart form, or a text/csv body. */
export const csvUploadBody = {
  content: {
    "multipart/form-data": { schema: z.object({ file: z.any().openapi({ type: "string", format: "binary" }) }) },
    "text/csv": { schema: z.string() },
  },
  required: true,
};

const ImportProblem = z.object({
  row: z.number().int(),
  column: z.string().nullable(),
  value: z.string().nullable(),
  problem: z.string(),
  expected: z.string().nullable(),
});

/** What an import of a batch answers: its id, the file's encoding, the rows imported and their total. */
export const ImportedBatch = z.object({
  batchId: z.number().int(),
  encoding: z.string(),
  count: z.number().int(),
  total: z.string(),
});

/** The 400 an import route declares: every problem of the file, row by row, and nothing imported. */
export const importRefused = jsonContent(
  z.object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      details: z.object({ problems: z.array(ImportProblem), problemCount: z.number().int() }).optional(),
    }),
  }),
  "文件有问题，未导入任何记录",
);

/**
 * The CSV file of an import request: multipart/form-data (file field) or a text/csv (or
 * application/octet-stream) body, refused past MAX_UPLOAD_BYTES before it is read when its length says so.
 */
export async function uploadedCsv(c: Context<AppEnv>): Promise<{ buf: Uint8Array; fileName: string }> {
  const max = env().MAX_UPLOAD_BYTES;
  const tooLarge = () =>
    new AppError("PAYLOAD_TOO_LARGE", `文件过大：上限为 ${Math.floor(max / 1048576)} MB`, { maxBytes: max });
  if (Number(c.req.header("content-length") ?? "0") > max) throw tooLarge();
  const type = c.req.header("content-type") ?? "";
  if (/^multipart\/form-data/i.test(type)) {
    const form = await c.req.formData();
    const file = form.get("file");
    if (!file || typeof file === "string")
      throw new AppError("VALIDATION_FAILED", "请在 file 字段上传 CSV 文件", [{ path: "file", message: "缺少文件" }]);
    if (file.size > max) throw tooLarge();
    return { buf: new Uint8Array(await file.arrayBuffer()), fileName: file.name || "upload.csv" };
  }
  if (/^(text\/csv|application\/octet-stream)/i.test(type)) {
    const buf = new Uint8Array(await c.req.arrayBuffer());
    if (buf.byteLength > max) throw tooLarge();
    return { buf, fileName: "upload.csv" };
  }
  throw new AppError("UNSUPPORTED_MEDIA_TYPE", "请以 multipart/form-data（file 字段）或 text/csv 上传");
}
