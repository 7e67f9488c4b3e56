import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { sql } from "drizzle-orm";
import { type Db, rows } from "../../db/client";
import { env } from "../../lib/env";
import { AppError, unauthenticated } from "../../lib/errors";
import { appendAudit } from "../audit/audit-log";
import { burnVerify, verifyPassword } from "./passwords";
import type { StaffPrincipal, StaffRole } from "./principal";

// Server-side staff sessions. The cookie holds a random 256-bit token; the database keeps only its
// SHA-256, so a leaked table cannot be replayed. Sessions survive restarts, can be revoked one by one
// or all at once ("sign out everywhere"), and carry a per-session CSRF token that every form and
// every non-GET API call must echo.

export const SESSION_COOKIE = "sunshine_staff";
export const CSRF_FIELD = "_csrf";
export const CSRF_HEADER = "x-csrf-token";

/** Failures before a lockout, and the lockout's growth. */
export const LOCKOUT_AFTER = 5;
export function lockoutMinutes(failures: number): number {
  // 5 failures → 1 min, 6 → 2, 7 → 4 … capped at 60 min.
  return Math.min(2 ** Math.max(0, failures - LOCKOUT_AFTER), 60);
}

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");
const newToken = () => randomBytes(32).toString("base64url");

export interface StaffSession {
  sessionId: string;
  staff: StaffPrincipal;
  csrfToken: string;
}

const PRINCIPAL_SELECT = sql`u.id AS user_id, u.username, u.display_name, u.role, u.unit_id,
  un.code AS unit_code, un.kind AS unit_kind, un.name AS unit_name, un.level AS unit_level, un.district_id`;

type PrincipalRow = {
  user_id: number;
  username: string;
  display_name: string;
  role: StaffRole;
  unit_id: number;
  unit_code: string;
  unit_kind: string;
  unit_name: string;
  unit_level: "city" | "district" | "town";
  district_id: number | null;
};

function toPrincipal(r: PrincipalRow): StaffPrincipal {
  return {
    userId: r.user_id,
    username: r.username,
    displayName: r.display_name,
    role: r.role,
    unitId: r.unit_id,
    unitCode: r.unit_code,
    unitKind: r.unit_kind,
    unitName: r.unit_name,
    unitLevel: r.unit_level,
    districtId: r.district_id,
  };
}

/** The principal of a user id (tests and scripts). */
export async function principalOf(db: Db, userId: number): Promise<StaffPrincipal> {
  const [r] = await rows<PrincipalRow>(
    db,
    sql`SELECT ${PRINCIPAL_SELECT} FROM users u JOIN units un ON un.id = u.unit_id WHERE u.id = ${userId}`,
  );
  if (!r) throw new AppError("NOT_FOUND", "没有这个账号");
  return toPrincipal(r);
}

/**
 * Check a username and password; on success create a session. Repeated failures lock the username
 * (429 with Retry-After) with growing lockouts; a success clears the count.
 */
export async function signIn(
  db: Db,
  username: string,
  password: string,
): Promise<{ token: string; csrfToken: string; staff: StaffPrincipal; mustChangePassword: boolean }> {
  const key = username.trim().toLowerCase();
  const [lock] = await rows<{ locked_until: Date | null }>(
    db,
    sql`SELECT locked_until FROM login_attempts WHERE username = ${key} AND locked_until > now()`,
  );
  if (lock?.locked_until) {
    const retry = Math.max(1, Math.ceil((new Date(lock.locked_until).getTime() - Date.now()) / 1000));
    throw new AppError(
      "TOO_MANY_REQUESTS",
      `登录失败次数过多，账号已暂时锁定，请 ${Math.ceil(retry / 60)} 分钟后再试`,
      { retryAfterSeconds: retry },
      { "Retry-After": String(retry) },
    );
  }
  const [user] = await rows<{
    id: number;
    password_hash: string | null;
    active: boolean;
    must_change_password: boolean;
  }>(db, sql`SELECT id, password_hash, active, must_change_password FROM users WHERE lower(username) = ${key}`);
  let ok = false;
  if (user) ok = user.active && (await verifyPassword(user.password_hash, password));
  else await burnVerify(password);
  if (!ok) {
    await db.transaction(async (tx) => {
      const [r] = await rows<{ failures: number }>(
        tx,
        sql`INSERT INTO login_attempts (username, failures, last_failure_at, updated_at) VALUES (${key}, 1, now(), now())
            ON CONFLICT (username) DO UPDATE SET failures = login_attempts.failures + 1, last_failure_at = now(), updated_at = now()
            RETURNING failures`,
      );
      if (r.failures >= LOCKOUT_AFTER) {
        await tx.execute(
          sql`UPDATE login_attempts SET locked_until = now() + make_interval(mins => ${lockoutMinutes(r.failures)}) WHERE username = ${key}`,
        );
        await appendAudit(tx, {
          actorId: null,
          action: "auth.lockout",
          subjectType: "user",
          subjectId: key,
          details: { failures: r.failures, minutes: lockoutMinutes(r.failures) },
        });
      }
    });
    throw new AppError("UNAUTHENTICATED", "用户名或密码不正确");
  }
  const token = newToken();
  const csrfToken = newToken();
  const ttl = env().SESSION_TTL_HOURS;
  const staff = await db.transaction(async (tx) => {
    await tx.execute(sql`DELETE FROM login_attempts WHERE username = ${key}`);
    await tx.execute(
      sql`INSERT INTO staff_sessions (id, user_id, csrf_token, expires_at)
          VALUES (${sha256(token)}, ${user!.id}, ${csrfToken}, now() + make_interval(hours => ${ttl}))`,
    );
    await appendAudit(tx, {
      actorId: user!.id,
      action: "auth.sign_in",
      subjectType: "user",
      subjectId: String(user!.id),
    });
    return principalOf(tx, user!.id);
  });
  return { token, csrfToken, staff, mustChangePassword: user.must_change_password };
}

/** The live session for a cookie token, or null (expired, revoked, inactive user). Slides the expiry. */
export async function sessionFromToken(db: Db, token: string | undefined | null): Promise<StaffSession | null> {
  if (!token || token.length > 100) return null;
  const id = sha256(token);
  const [r] = await rows<PrincipalRow & { csrf_token: string; stale: boolean }>(
    db,
    sql`SELECT ${PRINCIPAL_SELECT}, s.csrf_token, s.last_seen_at < now() - interval '5 minutes' AS stale
        FROM staff_sessions s JOIN users u ON u.id = s.user_id JOIN units un ON un.id = u.unit_id
        WHERE s.id = ${id} AND s.revoked_at IS NULL AND s.expires_at > now() AND u.active`,
  );
  if (!r) return null;
  if (r.stale) {
    const ttl = env().SESSION_TTL_HOURS;
    await db.execute(
      sql`UPDATE staff_sessions SET last_seen_at = now(), expires_at = now() + make_interval(hours => ${ttl}) WHERE id = ${id}`,
    );
  }
  return { sessionId: id, staff: toPrincipal(r), csrfToken: r.csrf_token };
}

export async function signOut(db: Db, token: string) {
  await db.execute(
    sql`UPDATE staff_sessions SET revoked_at = now() WHERE id = ${sha256(token)} AND revoked_at IS NULL`,
  );
}

/** Revoke every session of a user (sign out everywhere; also used on password reset). */
export async function revokeAllSessions(tx: Db, userId: number): Promise<number> {
  const r = await rows<{ id: string }>(
    tx,
    sql`UPDATE staff_sessions SET revoked_at = now() WHERE user_id = ${userId} AND revoked_at IS NULL RETURNING id`,
  );
  return r.length;
}

export async function signOutEverywhere(db: Db, userId: number) {
  return db.transaction(async (tx) => {
    const n = await revokeAllSessions(tx, userId);
    await appendAudit(tx, {
      actorId: userId,
      action: "auth.sign_out_everywhere",
      subjectType: "user",
      subjectId: String(userId),
      details: { sessions: n },
    });
    return n;
  });
}

/** Constant-time CSRF check. */
export function csrfMatches(expected: string, given: string | null | undefined): boolean {
  if (!given) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Throw 403 unless the principal has one of the roles. */
export function assertRole(staff: StaffPrincipal, roles: readonly StaffRole[]) {
  if (roles.length > 0 && !roles.includes(staff.role)) throw new AppError("FORBIDDEN", "当前账号的角色无权执行此操作");
}

/** Read a cookie from a Cookie header. */
export function readCookie(header: string | null | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const i = part.indexOf("=");
    if (i > 0 && part.slice(0, i).trim() === name) return decodeURIComponent(part.slice(i + 1).trim());
  }
  return undefined;
}

/** Set-Cookie value for a session (HttpOnly, SameSite=Strict, Secure on HTTPS). */
export function sessionCookie(token: string, secure: boolean): string {
  const maxAge = env().SESSION_TTL_HOURS * 3600;
  return `${SESSION_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAge}${secure ? "; Secure" : ""}`;
}

export function clearSessionCookie(secure: boolean): string {
  return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0${secure ? "; Secure" : ""}`;
}

/** Is the request over HTTPS (directly or behind a proxy that says so)? */
export function isHttps(request: Request): boolean {
  return new URL(request.url).protocol === "https:" || request.headers.get("x-forwarded-proto") === "https";
}

export { unauthenticated };
