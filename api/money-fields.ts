import { z } from "@hono/zod-openapi";

// Request fields shared by the money routes (disbursements, households, payments, spending, 危房改造, lists).

/** An amount in yuan, sent as a string (or a number), at most two decimals; `example` for the API reference. */
export const moneyAmount = (example: string) =>
  z
    .union([z.string(), z.number()])
    .transform(String)
    .openapi({ description: "金额（元），字符串，最多两位小数", example, type: "string" });

export const Day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "日期格式应为 YYYY-MM-DD");

/** Why a record is corrected or withdrawn: public with the version. */
export const Reason = z.string().trim().min(2, "请写明原因（至少 2 个字）").max(500);
