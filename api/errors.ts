import { z } from "@hono/zod-openapi";

export const ErrorEnvelope = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: "VALIDATION_FAILED" }),
      message: z.string().openapi({ example: "请求参数有误：district 不是已知的区县" }),
      details: z.unknown().optional(),
    }),
  })
  .openapi("Error");

export function envelope(code: string, message: string, details?: unknown) {
  return { error: details === undefined ? { code, message } : { code, message, details } };
}

const STATUS_TEXT: Record<number, string> = {
  400: "请求有误",
  401: "请先登录",
  403: "无权访问",
  404: "未找到",
  405: "不支持此请求方法",
  409: "与当前状态冲突",
  413: "请求内容过大",
  415: "不支持的内容类型",
  429: "请求过于频繁，请稍后再试",
  500: "服务器内部错误",
  503: "服务暂时不可用，请稍后再试",
};

/** Declare the error statuses a route can return, for its OpenAPI contract. */
export function errorResponses<S extends number>(...statuses: S[]) {
  return Object.fromEntries(
    statuses.map((s) => [
      s,
      { description: STATUS_TEXT[s] ?? "错误", content: { "application/json": { schema: ErrorEnvelope } } },
    ]),
  ) as Record<S, { description: string; content: { "application/json": { schema: typeof ErrorEnvelope } } }>;
}

export function statusText(status: number) {
  return STATUS_TEXT[status] ?? "错误";
}
