import { sql } from "drizzle-orm";
import { type Db, rows } from "../../db/client";
import { AppError, forbidden, notFound } from "../../lib/errors";
import { normalize } from "../../search/text";
import { appendAudit } from "../audit/audit-log";
import type { StaffPrincipal } from "../auth/principal";

// Editing the watch-list's campaign terms in the console (supervisors and admins). Place names are not
// edited here: they are the reference data's districts, towns and villages. A term takes effect from the
// next fetch round; items already caught keep the terms they matched.

export const WATCH_LIST_ROLES = ["supervisor", "admin"] as const;

function assertEditor(staff: StaffPrincipal) {
  if (!(WATCH_LIST_ROLES as readonly string[]).includes(staff.role)) throw forbidden("只有督办或管理员可以编辑监测词");
}

export async function listTerms(db: Db) {
  return rows<{ id: number; term: string; enabled: boolean }>(
    db,
    sql`SELECT id, term, enabled FROM monitor_terms ORDER BY enabled DESC, id`,
  );
}

export async function addTerm(db: Db, staff: StaffPrincipal, raw: string) {
  assertEditor(staff);
  const term = normalize((raw ?? "").trim());
  if (!/^[\p{L}\p{N}]{2,20}$/u.test(term))
    throw new AppError("VALIDATION_FAILED", "请求参数有误：term 监测词须为 2 至 20 个汉字、字母或数字", [
      { path: "term", message: "监测词须为 2 至 20 个汉字、字母或数字（不含空格和标点）" },
    ]);
  return db.transaction(async (tx) => {
    const [row] = await rows<{ id: number }>(
      tx,
      sql`INSERT INTO monitor_terms (term) VALUES (${term})
          ON CONFLICT (term) DO UPDATE SET enabled = true RETURNING id`,
    );
    await appendAudit(tx, {
      actorId: staff.userId,
      action: "monitor.term.add",
      subjectType: "monitor_term",
      subjectId: String(row.id),
      details: { term },
    });
    return { id: Number(row.id), term };
  });
}

export async function setTermEnabled(db: Db, staff: StaffPrincipal, id: number, enabled: boolean) {
  assertEditor(staff);
  await db.transaction(async (tx) => {
    const r = await rows<{ term: string }>(
      tx,
      sql`UPDATE monitor_terms SET enabled = ${enabled} WHERE id = ${id} RETURNING term`,
    );
    if (!r[0]) throw notFound("监测词不存在");
    await appendAudit(tx, {
      actorId: staff.userId,
      action: enabled ? "monitor.term.enable" : "monitor.term.disable",
      subjectType: "monitor_term",
      subjectId: String(id),
      details: { term: r[0].term },
    });
  });
}
