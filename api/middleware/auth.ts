import type { MiddlewareHandler } from "hono";
import { getCookie } from "hono/cookie";
import { createMiddleware } from "hono/factory";
import type { StaffRole } from "../../domain/auth/principal";
import { CSRF_HEADER, csrfMatches, SESSION_COOKIE, sessionFromToken } from "../../domain/auth/session";
import { AppError } from "../../lib/errors";
import type { AppEnv } from "../context";

const SAFE = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Staff-only routes: a live session cookie (401 otherwise), one of `roles` if given (403 otherwise),
 * and on non-GET requests the session's CSRF token in the X-CSRF-Token header (403 otherwise).
 * Sets c.var.staff (StaffPrincipal).
 */
export function requireStaff(...roles: StaffRole[]) {
  return createMiddleware<AppEnv>(async (c, next) => {
    // Hono's cookie parser: a malformed cookie reads as absent (not signed in), never an exception.
    const session = await sessionFromToken(c.var.db, getCookie(c, SESSION_COOKIE));
    if (!session) throw new AppError("UNAUTHENTICATED", "请先登录工作台");
    if (roles.length > 0 && !roles.includes(session.staff.role)) {
      throw new AppError("FORBIDDEN", "当前账号的角色无权访问此接口");
    }
    if (!SAFE.has(c.req.method) && !csrfMatches(session.csrfToken, c.req.header(CSRF_HEADER))) {
      throw new AppError("FORBIDDEN", "缺少或错误的 CSRF 令牌（X-CSRF-Token）");
    }
    c.set("staff", session.staff);
    await next();
  });
}

/** Public reads, staff-only writes: GET and HEAD pass, anything else needs one of these roles. */
export function requireStaffForWrites(...roles: StaffRole[]): MiddlewareHandler<AppEnv> {
  const staffOnly = requireStaff(...roles);
  return (c, next) => (c.req.method === "GET" || c.req.method === "HEAD" ? next() : staffOnly(c, next));
}
