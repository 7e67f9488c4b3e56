import { HTTPException } from "hono/http-exception";
import { databaseInputProblem } from "../../lib/database-input";
import { errorFields } from "../../lib/error-fields";
import { AppError, isDatabaseUnavailable } from "../../lib/errors";
import { log } from "../../lib/log";
import type { Node } from "./format";

// GeoReport v2 errors: the body is a list of { code, description } (root <errors>), and the HTTP status
// is 404 for a resource that does not exist, 403 for a missing or invalid api_key and 400 for any other
// request that cannot be fulfilled. Beyond the spec, and like the rest of the product: 405 for a wrong
// method, 413 for an oversized body and 503 + Retry-After when the database is unreachable (nothing was
// saved; retry) — a client must never mistake those for its own mistake. `code` repeats the HTTP status
// as a number, which is what existing GeoReport clients read.

export interface Open311Error {
  status: 400 | 403 | 404 | 405 | 413 | 500 | 503;
  errors: { code: number; description: string }[];
  headers?: Record<string, string>;
}

export class Open311Failure extends Error {
  constructor(
    readonly status: Open311Error["status"],
    readonly descriptions: string[],
    readonly headers?: Record<string, string>,
  ) {
    super(descriptions.join("; "));
  }
}

export const badRequest311 = (...descriptions: string[]) => new Open311Failure(400, descriptions);
export const notFound311 = (description: string) => new Open311Failure(404, [description]);

function fromAppError(err: AppError): Open311Error {
  const status: Open311Error["status"] =
    err.status === 404
      ? 404
      : err.status === 401 || err.status === 403
        ? 403
        : err.status === 413
          ? 413
          : err.status === 503
            ? 503
            : err.status >= 500
              ? 500
              : 400;
  // Field-level details (validation) become one error each, so a client can show them all at once.
  const details = Array.isArray(err.details)
    ? (err.details as { path?: unknown; message?: unknown }[]).filter((d) => typeof d?.message === "string")
    : [];
  const descriptions = details.length
    ? details.map((d) => (d.path ? `${String(d.path)}：${String(d.message)}` : String(d.message)))
    : [err.message];
  return { status, errors: descriptions.map((description) => ({ code: status, description })), headers: err.headers };
}

/** Any thrown value as a GeoReport error response. */
export function toOpen311Error(err: unknown, requestId?: string): Open311Error {
  if (err instanceof Open311Failure) {
    return {
      status: err.status,
      errors: err.descriptions.map((description) => ({ code: err.status, description })),
      headers: err.headers,
    };
  }
  if (err instanceof AppError) return fromAppError(err);
  if (err instanceof HTTPException) {
    const status = err.status === 413 ? 413 : err.status >= 500 ? 500 : 400;
    const description = status === 413 ? "请求内容过大" : "请求有误";
    return { status, errors: [{ code: status, description }] };
  }
  if (isDatabaseUnavailable(err)) {
    log.warn("database unavailable", { requestId, error: (err as Error).message });
    return {
      status: 503,
      errors: [{ code: 503, description: "数据库暂时不可用，未保存任何内容，请稍后重试" }],
      headers: { "Retry-After": "5" },
    };
  }
  const problem = databaseInputProblem(err);
  if (problem) {
    log.warn("database refused an input value", { requestId, ...errorFields(err) });
    return { status: 400, errors: [{ code: 400, description: problem }] };
  }
  log.error("unhandled error", { requestId, ...errorFields(err) });
  return {
    status: 500,
    errors: [{ code: 500, description: `服务器内部错误，请稍后再试（请求编号 ${requestId ?? "-"}）` }],
  };
}

export function errorBody(e: Open311Error): Node {
  return e.errors;
}
