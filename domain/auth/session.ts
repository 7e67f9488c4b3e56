import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { sql } from "drizzle-orm";
import { type Db, rows } from "../../db/client";
import { hmacHex } from "../../lib/crypto";
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

/**
 * Failures from one client before that client is locked out of the username, and the lockout's growth.
 * The lock binds the (username, client) pair: the owner signing in from elsewhere is not affected.
 */
export const LOCKOUT_AFTER = 5;
export function lockoutMinutes(failures: number): number {
  // 5 failures → 1 min, 6 → 2, 7 → 4 … capped at 60 min.
  return Math.min(2 ** Math.max(0, failures - LOCKOUT_AFTER), 60);
}

/**
 * Failures on one username from all clients together before the slower, account-wide backoff starts
 * (many clients guessing one password). It spares clients the user has signed in from before.
 */
export const GLOBAL_BACKOFF_AFTER = 20;
export function globalBackoffSeconds(failures: number): number {
  // 20 failures → 15 s, doubling every 5 more, capped at 15 min.
  return Math.min(15 * 2 ** Math.floor(Math.max(0, failures - GLOBAL_BACKOFF_AFTER) / 5), 15 * 60);
}

/** Who is signing in, for the per-client lockout (lib/client-address.ts resolves the address). */
export interface SignInClient {
  address: string | null;
}

const ALL_CLIENTS = "*";
const clientKey = (client: SignInClient | undefined) =>
  hmacHex("login-client", client?.address ?? "unknown").slice(0, 32);

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
 * Check a username and password; on success create a session. Wrong passwords are counted per
 * (username, client): after LOCKOUT_AFTER that client gets 429 with Retry-After and a growing lockout;
 * across all clients, after GLOBAL_BACKOFF_AFTER a slower backoff applies to clients the user never
 * signed in from. A success clears the client's count and the username's, and marks the client as known.
 */
export async function signIn(
  db: Db,
  username: string,
  password: string,
  client?: SignInClient,
): Promise<{ token: string; csrfToken: string; staff: StaffPrincipal; mustChangePassword: boolean }> {
  const key = username.trim().toLowerCase();
  const here = clientKey(client);
  const limits = await rows<{ client: string; locked_until: Date | string | null; last_success_at: Date | null }>(
    db,
    sql`SELECT client, locked_until, last_success_at FROM login_attempts
        WHERE username = ${key} AND client IN (${here}, ${ALL_CLIENTS})`,
  );
  const own = limits.find((l) => l.client === here);
  const all = limits.find((l) => l.client === ALL_CLIENTS);
  const lockedUntil = (l: (typeof limits)[number] | undefined) =>
    l?.locked_until ? new Date(l.locked_until).getTime() : 0;
  const until = Math.max(lockedUntil(own), own?.last_success_at ? 0 : lockedUntil(all));
  if (until > Date.now()) {
    const retry = Math.max(1, Math.ceil((until - Date.now()) / 1000));
    throw new AppError(
      "TOO_MANY_REQUESTS",
      `登录失败次数过多，已暂时锁定，请 ${Math.ceil(retry / 60)} 分钟后再试`,
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
      const counts = await rows<{ client: string; failures: number }>(
        tx,
        sql`INSERT INTO login_attempts (username, client, failures, last_failure_at, updated_at)
            VALUES (${key}, ${here}, 1, now(), now()), (${key}, ${ALL_CLIENTS}, 1, now(), now())
            ON CONFLICT (username, client) DO UPDATE SET failures = login_attempts.failures + 1,
              last_failure_at = now(), updated_at = now()
            RETURNING client, failures`,
      );
      const ownFailures = counts.find((r) => r.client === here)?.failures ?? 0;
      const allFailures = counts.find((r) => r.client === ALL_CLIENTS)?.failures ?? 0;
      if (ownFailures >= LOCKOUT_AFTER) {
        await tx.execute(
          sql`UPDATE login_attempts SET locked_until = now() + make_interval(mins => ${lockoutMinutes(ownFailures)})
              WHERE username = ${key} AND client = ${here}`,
        );
        await appendAudit(tx, {
          actorId: null,
          action: "auth.lockout",
          subjectType: "user",
          subjectId: key,
          details: { scope: "client", failures: ownFailures, minutes: lockoutMinutes(ownFailures) },
        });
      }
      if (allFailures >= GLOBAL_BACKOFF_AFTER) {
        await tx.execute(
          sql`UPDATE login_attempts SET locked_until = now() + make_interval(secs => ${globalBackoffSeconds(allFailures)})
              WHERE username = ${key} AND client = ${ALL_CLIENTS}`,
        );
        if (allFailures % GLOBAL_BACKOFF_AFTER === 0) {
          await appendAudit(tx, {
            actorId: null,
            action: "auth.lockout",
            subjectType: "user",
            subjectId: key,
            details: { scope: "all-clients", failures: allFailures, seconds: globalBackoffSeconds(allFailures) },
          });
        }
      }
    });
    throw new AppError("UNAUTHENTICATED", "用户名或密码不正确");
  }
  const token = newToken();
  const csrfToken = newToken();
  const ttl = env().SESSION_TTL_HOURS;
  const staff = await db.transaction(async (tx) => {
    await tx.execute(sql`DELETE FROM login_attempts WHERE username = ${key} AND client = ${ALL_CLIENTS}`);
    await tx.execute(
      sql`INSERT INTO login_attempts (username, client, failures, locked_until, last_success_at, updated_at)
          VALUES (${key}, ${here}, 0, NULL, now(), now())
          ON CONFLICT (username, client) DO UPDATE SET failures = 0, locked_until = NULL,
            last_success_at = now(), updated_at = now()`,
    );
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

/** Set-Cookie value for a session (HttpOnly, SameSite=Strict, Secure on HTTPS). */
export function sessionCookie(token: string, secure: boolean): string {
  const maxAge = env().SESSION_TTL_HOURS * 3600;
  return `${SESSION_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAge}${secure ? "; Secure" : ""}`;
}

export function clearSessionCookie(secure: boolean): string {
  return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0${secure ? "; Secure" : ""}`;
}

export { unauthenticated };
