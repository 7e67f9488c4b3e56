import { z } from "@hono/zod-openapi";

// The request parts of a reporter's own ticket routes: the ticket number in the path, the receipt in a
// header (never in the URL, so it stays out of logs and histories).

/** The `{number}` path parameter: a ticket number. */
export const NumberParam = z.object({
  number: z
    .string()
    .max(40)
    .openapi({ param: { name: "number", in: "path" }, example: "ZB-2026-000123" }),
});

/** The reporter's receipt, sent as the X-Receipt header. */
export const ReceiptHeader = z.object({
  "x-receipt": z
    .string({ error: "请在 X-Receipt 请求头中提供查询码" })
    .min(1, "请在 X-Receipt 请求头中提供查询码")
    .max(64)
    .openapi({ description: "查询码（提交时得到的 receipt）" }),
});
