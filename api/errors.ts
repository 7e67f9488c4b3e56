import { z } from "@hono/zod-openapi";

// One error envelope for every 4xx/5xx: { error: { code, message, details? } }.
// Domain code throws AppError with a code; the status comes from this one table.
export const ERROR_STATUS = {
  BAD_REQUEST: 400,
  VALIDATION_FAILED: 400,
  MALFORMED_JSON: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  CONFLICT: 409,
  INVALID_TRANSITION: 409,
  GONE: 410,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  TOO_MANY_REQUESTS: 429,
  INTERNAL: 500,
  SERVICE_UNAVAILABLE: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;
export type ErrorStatus = (typeof ERROR_STATUS)[ErrorCode];

export class AppError extends Error {
  readonly status: ErrorStatus;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.status = ERROR_STATUS[code];
  }
}

export const badRequest = (message: string, details?: unknown) => new AppError("BAD_REQUEST", message, details);
export const validationFailed = (message: string, details?: unknown) =>
  new AppError("VALIDATION_FAILED", message, details);
export const notFound = (message: string) => new AppError("NOT_FOUND", message);
export const conflict = (message: string, details?: unknown) => new AppError("CONFLICT", message, details);
export const forbidden = (message = "无权执行此操作") => new AppError("FORBIDDEN", message);
export const unauthenticated = (message = "请先登录") => new AppError("UNAUTHENTICATED", message);

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

const UNAVAILABLE_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOTFOUND",
  "ETIMEDOUT",
  "CONNECT_TIMEOUT",
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "57P01", // admin_shutdown
  "57P02",
  "57P03", // cannot_connect_now
  "53300", // too_many_connections
  "08000",
  "08001",
  "08003",
  "08006",
]);

/** Is this error the database being unreachable (retry later) rather than a bug? */
export function isDatabaseUnavailable(err: unknown): boolean {
  for (
    let e = err as { code?: string; cause?: unknown; name?: string } | undefined, depth = 0;
    e && depth < 5;
    depth++
  ) {
    if (e.code && UNAVAILABLE_CODES.has(e.code)) return true;
    if (e.name === "DataDirLockedError") return true;
    e = e.cause as typeof e;
  }
  return false;
}
