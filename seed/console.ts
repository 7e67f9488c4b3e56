import { sql } from "drizzle-orm";
import { type Db, rows } from "../db/client";
import { hashPassword } from "../domain/auth/passwords";

// Demo staff accounts, one or more per role (DEMO ONLY: the password is public in the README).
export const DEMO_PASSWORD = "Sunshine-demo-2026";
export const DEMO_STAFF = [
  { username: "admin", displayName: "系统管理员（演示）", role: "admin", unitCode: "city-hotline" },
  { username: "jiexian", displayName: "王接线（演示）", role: "operator", unitCode: "city-hotline" },
  { username: "duban", displayName: "李督办（演示·市级）", role: "supervisor", unitCode: "city-hotline" },
  { username: "duban.gaoqing", displayName: "赵督办（演示·高青县）", role: "supervisor", unitCode: "gaoqing-fpb" },
  {
    username: "chengban.gaoqing",
    displayName: "孙承办（演示·高青县住建局）",
    role: "handler",
    unitCode: "gaoqing-housing",
  },
  { username: "chengban.zhujian", displayName: "周承办（演示·市住建局）", role: "handler", unitCode: "city-housing" },
  { username: "jijian", displayName: "吴纪检（演示·市纪委监委）", role: "inspector", unitCode: "city-discipline" },
  {
    username: "jijian.gaoqing",
    displayName: "郑纪检（演示·高青县纪委监委）",
    role: "inspector",
    unitCode: "gaoqing-discipline",
  },
  { username: "fabu", displayName: "钱发布（演示）", role: "publisher", unitCode: "city-fpb" },
] as const;

/** Idempotent: creates the demo accounts that do not exist yet. */
export async function seedConsoleDemo(db: Db) {
  const [{ n }] = await rows<{ n: number }>(db, sql`SELECT count(*)::int AS n FROM users WHERE is_demo`);
  if (n >= DEMO_STAFF.length) return;
  const hash = await hashPassword(DEMO_PASSWORD);
  for (const u of DEMO_STAFF) {
    await db.execute(sql`INSERT INTO users (username, display_name, role, unit_id, password_hash, is_demo)
      SELECT ${u.username}, ${u.displayName}, ${u.role}, id, ${hash}, true FROM units WHERE code = ${u.unitCode}
      ON CONFLICT (username) DO NOTHING`);
  }
}
