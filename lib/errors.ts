// Typed application errors: domain code throws AppError with a code; the HTTP layer (api/errors.ts) turns
// it into the one error envelope { error: { code, message, details? } } with the status from this table.
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
