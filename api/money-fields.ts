import { z } from "@hono/zod-openapi";

// Request fields shared by the money routes (disbursements, households, payments, spending, 危房改造, lists).

/** An amount in yuan, sent as a string (or a number), at most two decimals; `example` for the API reference. */
export const moneyAmount = (example: string) =>
  z
    .union([z.string(), z.number()])
    .transform(String)
    .openapi({ description: "金额（元），字符串，最多两位小数", example, type: "string" });

export { Day, Reason } from "./fields";
