import { createRoute, z } from "@hono/zod-openapi";
import { getCookie } from "hono/cookie";
import { STAFF_ROLES } from "../../domain/auth/principal";
import {
  clearSessionCookie,
  SESSION_COOKIE,
  sessionCookie,
  signIn,
  signOut,
  signOutEverywhere,
} from "../../domain/auth/session";
import { AppError } from "../../lib/errors";
import { createRouter } from "../context";
import { errorResponses } from "../errors";
import { requireStaff } from "../middleware/auth";
import { clientOf } from "../middleware/client";

// The staff console's session: sign in (cookie + CSRF token), sign out here or everywhere, who am I.

const tags = ["工作台"];
const Staff = z
  .object({
    userId: z.number().int(),
    username: z.string(),
    displayName: z.string(),
    role: z.enum(STAFF_ROLES),
    unitId: z.number().int(),
    unitCode: z.string(),
    unitKind: z.string(),
    unitName: z.string(),
    unitLevel: z.enum(["city", "district", "town"]),
    districtId: z.number().int().nullable(),
  })
  .openapi("StaffPrincipal");
const signInRoute = createRoute({
  method: "post",
  path: "/console/session",
  tags,
  summary: "工作人员登录（设置会话 Cookie，返回 CSRF 令牌）",
  request: {
    body: {
      content: {
        "application/json": {
          schema: z.object({
            username: z.string({ error: "请填写用户名" }).min(1, "请填写用户名").max(100),
            password: z.string({ error: "请填写密码" }).min(1, "请填写密码").max(200),
          }),
        },
      },
    },
  },
  responses: {
    200: {
      description: "已登录",
      content: {
        "application/json": {
          schema: z.object({ csrfToken: z.string(), staff: Staff, mustChangePassword: z.boolean() }),
        },
      },
    },
    ...errorResponses(400, 401, 429),
  },
});
const signOutRoute = createRoute({
  method: "delete",
  path: "/console/session",
  tags,
  summary: "退出登录",
  responses: { 204: { description: "已退出" }, ...errorResponses(401, 403) },
});
const signOutAllRoute = createRoute({
  method: "post",
  path: "/console/session/revoke-all",
  tags,
  summary: "在所有设备上退出",
  responses: {
    200: {
      description: "已撤销",
      content: { "application/json": { schema: z.object({ revoked: z.number().int() }) } },
    },
    ...errorResponses(401, 403),
  },
});
const meRoute = createRoute({
  method: "get",
  path: "/console/me",
  tags,
  summary: "当前登录的工作人员",
  responses: {
    200: { description: "当前账号", content: { "application/json": { schema: Staff } } },
    ...errorResponses(401),
  },
});
export const consoleSessionRoutes = createRouter();
consoleSessionRoutes.use("/console/me", requireStaff());
consoleSessionRoutes.use("/console/session/revoke-all", requireStaff());

consoleSessionRoutes
  .openapi(signInRoute, async (c) => {
    const { username, password } = c.req.valid("json");
    const r = await signIn(c.var.db, username, password, clientOf(c));
    c.header("Set-Cookie", sessionCookie(r.token, clientOf(c).https));
    c.header("Cache-Control", "no-store");
    return c.json({ csrfToken: r.csrfToken, staff: r.staff, mustChangePassword: r.mustChangePassword }, 200);
  })
  .openapi(signOutRoute, async (c) => {
    // Hono's parser: a malformed cookie is "not signed in", never an exception.
    const token = getCookie(c, SESSION_COOKIE);
    if (!token) throw new AppError("UNAUTHENTICATED", "尚未登录");
    await signOut(c.var.db, token);
    c.header("Set-Cookie", clearSessionCookie(clientOf(c).https));
    return c.body(null, 204);
  })
  .openapi(signOutAllRoute, async (c) => {
    const revoked = await signOutEverywhere(c.var.db, c.var.staff.userId);
    c.header("Set-Cookie", clearSessionCookie(clientOf(c).https));
    return c.json({ revoked }, 200);
  })
  .openapi(meRoute, (c) => c.json(c.var.staff, 200));
