import { eq, sql } from "drizzle-orm";
import { type Db, rows } from "../../db/client";
import { units, users } from "../../db/schema";
import type { SqlRow } from "../../db/sql-row";
import { AppError } from "../../lib/errors";
import { appendAudit } from "../audit/audit-log";
import { hashPassword, passwordProblem } from "./passwords";
import { STAFF_ROLES, type StaffPrincipal, type StaffRole } from "./principal";
import { revokeAllSessions } from "./session";

// Staff accounts: created and reset by admins (and by `npm run user:create` for the first admin).

export interface NewUser {
  username: string;
  displayName: string;
  role: string;
  unitCode: string;
  password: string;
  isDemo?: boolean;
}

const field = (path: string, message: string) =>
  new AppError("VALIDATION_FAILED", `请求参数有误：${path} ${message}`, [{ path, message }]);

export async function createUser(db: Db, actor: StaffPrincipal | null, u: NewUser): Promise<{ id: number }> {
  if (actor && actor.role !== "admin") throw new AppError("FORBIDDEN", "只有系统管理员可以创建账号");
  const username = u.username.trim();
  if (!/^[a-zA-Z0-9._-]{3,40}$/.test(username))
    throw field("username", "用户名须为 3–40 位字母、数字、点、下划线或连字符");
  const displayName = u.displayName.trim();
  if (!displayName || displayName.length > 50) throw field("displayName", "请填写姓名（不超过 50 字）");
  if (!(STAFF_ROLES as readonly string[]).includes(u.role)) throw field("role", "请选择角色");
  const problem = passwordProblem(u.password);
  if (problem) throw field("password", problem);
  const [unit] = await rows<SqlRow<typeof units, "id">>(
    db,
    sql`SELECT ${units.id} FROM ${units} WHERE ${units.code} = ${u.unitCode.trim()}`,
  );
  if (!unit) throw field("unit", "没有这个单位");
  const hash = await hashPassword(u.password);
  return db.transaction(async (tx) => {
    const [exists] = await rows<SqlRow<typeof users, "id">>(
      tx,
      sql`SELECT ${users.id} FROM ${users} WHERE lower(${users.username}) = ${username.toLowerCase()}`,
    );
    if (exists) throw field("username", "用户名已被使用");
    const [row] = await rows<SqlRow<typeof users, "id">>(
      tx,
      sql`INSERT INTO users (username, display_name, role, unit_id, password_hash, is_demo)
          VALUES (${username}, ${displayName}, ${u.role}, ${unit.id}, ${hash}, ${u.isDemo ?? false}) RETURNING id`,
    );
    await appendAudit(tx, {
      actorId: actor?.userId ?? null,
      action: "user.create",
      subjectType: "user",
      subjectId: String(row.id),
      details: { username, role: u.role, unitCode: u.unitCode },
    });
    return { id: row.id };
  });
}

/** Admin reset: new password, every session of the user revoked, must change at next sign-in. */
export async function resetPassword(db: Db, actor: StaffPrincipal, userId: number, password: string) {
  if (actor.role !== "admin") throw new AppError("FORBIDDEN", "只有系统管理员可以重置密码");
  const problem = passwordProblem(password);
  if (problem) throw field("password", problem);
  const hash = await hashPassword(password);
  await db.transaction(async (tx) => {
    const r = await rows<SqlRow<typeof users, "id">>(
      tx,
      sql`UPDATE users SET password_hash = ${hash}, must_change_password = ${actor.userId !== userId}, updated_at = now() WHERE id = ${userId} RETURNING id`,
    );
    if (!r[0]) throw new AppError("NOT_FOUND", "没有这个账号");
    await revokeAllSessions(tx, userId);
    await tx.execute(
      sql`DELETE FROM login_attempts WHERE username = (SELECT lower(username) FROM users WHERE id = ${userId})`,
    );
    await appendAudit(tx, {
      actorId: actor.userId,
      action: "user.reset_password",
      subjectType: "user",
      subjectId: String(userId),
    });
  });
}

/** The user changes their own password (knowing the current one is checked by the caller's sign-in). */
export async function changeOwnPassword(db: Db, staff: StaffPrincipal, password: string) {
  const problem = passwordProblem(password);
  if (problem) throw field("password", problem);
  const hash = await hashPassword(password);
  await db.transaction(async (tx) => {
    await tx.execute(
      sql`UPDATE users SET password_hash = ${hash}, must_change_password = false, updated_at = now() WHERE id = ${staff.userId}`,
    );
    await appendAudit(tx, {
      actorId: staff.userId,
      action: "user.change_password",
      subjectType: "user",
      subjectId: String(staff.userId),
    });
  });
}

export async function setActive(db: Db, actor: StaffPrincipal, userId: number, active: boolean) {
  if (actor.role !== "admin") throw new AppError("FORBIDDEN", "只有系统管理员可以停用账号");
  if (userId === actor.userId && !active) throw new AppError("CONFLICT", "不能停用自己的账号");
  await db.transaction(async (tx) => {
    await tx.execute(sql`UPDATE users SET active = ${active}, updated_at = now() WHERE id = ${userId}`);
    if (!active) await revokeAllSessions(tx, userId);
    await appendAudit(tx, {
      actorId: actor.userId,
      action: active ? "user.activate" : "user.deactivate",
      subjectType: "user",
      subjectId: String(userId),
    });
  });
}

export async function listUsers(db: Db) {
  return rows<{
    id: number;
    username: string;
    display_name: string;
    role: StaffRole;
    unit_name: string;
    active: boolean;
    is_demo: boolean;
    must_change_password: boolean;
  }>(
    db,
    sql`SELECT u.id, u.username, u.display_name, u.role, un.name AS unit_name, u.active, u.is_demo, u.must_change_password
        FROM users u JOIN units un ON un.id = u.unit_id ORDER BY u.id`,
  );
}

/** The id of the account with this username (as stored), or null when there is none. */
export async function userIdByUsername(db: Db, username: string): Promise<number | null> {
  const [u] = await db.select({ id: users.id }).from(users).where(eq(users.username, username));
  return u?.id ?? null;
}

export async function passwordHashOf(db: Db, userId: number): Promise<string | null> {
  const [r] = await rows<SqlRow<typeof users, "password_hash">>(
    db,
    sql`SELECT ${users.passwordHash} FROM ${users} WHERE ${users.id} = ${userId}`,
  );
  return r?.password_hash ?? null;
}
