import { sql } from "drizzle-orm";
import { type Db, rows } from "../../db/client";
import { env } from "../../lib/env";
import { AppError, forbidden, notFound } from "../../lib/errors";
import { appendAudit } from "../audit/audit-log";
import type { StaffPrincipal } from "../auth/principal";
import { enqueueNotification } from "../notifications/outbox";

// 值班表 (duty roster) and the overdue-triage escalation. A caught item (a group head) still untriaged
// MONITOR_TRIAGE_MINUTES after it was caught notifies whoever is on duty at that moment; still untriaged
// after twice that, the supervisors (of the source's owner unit, else the city-level ones). Each step at
// most once per item: the item row records it (set only if still unset, so two processes cannot both
// claim it) and the outbox row carries a dedupe key as well. With nobody on duty the supervisors are
// notified at the first step.

export const ROSTER_ROLES = ["supervisor", "admin"] as const;
/** Who may be put on duty: the people who triage. */
export const DUTY_ROLES = ["operator", "supervisor"] as const;
export const OVERDUE_TEMPLATE = "monitor.triage-overdue";

function field(path: string, message: string) {
  return new AppError("VALIDATION_FAILED", `请求参数有误：${path} ${message}`, [{ path, message }]);
}

export interface DutyInput {
  userId: number;
  startsAt: Date;
  endsAt: Date;
}

export async function addDutyShift(db: Db, staff: StaffPrincipal, input: DutyInput) {
  if (!(ROSTER_ROLES as readonly string[]).includes(staff.role)) throw forbidden("只有督办或管理员可以排班");
  if (Number.isNaN(input.startsAt.getTime())) throw field("startsAt", "请填写开始时间");
  if (Number.isNaN(input.endsAt.getTime())) throw field("endsAt", "请填写结束时间");
  if (input.endsAt <= input.startsAt) throw field("endsAt", "结束时间须晚于开始时间");
  if (input.endsAt.getTime() - input.startsAt.getTime() > 7 * 86400_000) throw field("endsAt", "一个班次不能超过 7 天");
  return db.transaction(async (tx) => {
    const [u] = await rows<{ id: number }>(
      tx,
      sql`SELECT id FROM users WHERE id = ${input.userId} AND active AND role IN ('operator', 'supervisor')`,
    );
    if (!u) throw field("userId", "请选择在岗的接线员或督办");
    const [row] = await rows<{ id: number }>(
      tx,
      sql`INSERT INTO monitor_duty (user_id, starts_at, ends_at, created_by)
          VALUES (${input.userId}, ${input.startsAt.toISOString()}, ${input.endsAt.toISOString()}, ${staff.userId}) RETURNING id`,
    );
    await appendAudit(tx, {
      actorId: staff.userId,
      action: "monitor.duty.add",
      subjectType: "monitor_duty",
      subjectId: String(row.id),
      details: { userId: input.userId, startsAt: input.startsAt.toISOString(), endsAt: input.endsAt.toISOString() },
    });
    return { id: Number(row.id) };
  });
}

export async function removeDutyShift(db: Db, staff: StaffPrincipal, id: number) {
  if (!(ROSTER_ROLES as readonly string[]).includes(staff.role)) throw forbidden("只有督办或管理员可以排班");
  return db.transaction(async (tx) => {
    const gone = await rows<{ user_id: number }>(tx, sql`DELETE FROM monitor_duty WHERE id = ${id} RETURNING user_id`);
    if (!gone[0]) throw notFound("班次不存在");
    await appendAudit(tx, {
      actorId: staff.userId,
      action: "monitor.duty.remove",
      subjectType: "monitor_duty",
      subjectId: String(id),
      details: { userId: Number(gone[0].user_id) },
    });
  });
}

export interface DutyShift {
  id: number;
  userId: number;
  displayName: string;
  startsAt: Date;
  endsAt: Date;
  current: boolean;
}

/** Shifts that have not ended (or ended within the last day), soonest first. */
export async function dutyRoster(db: Db): Promise<DutyShift[]> {
  const r = await rows<{
    id: number;
    user_id: number;
    display_name: string;
    starts_at: Date;
    ends_at: Date;
    current: boolean;
  }>(
    db,
    sql`SELECT d.id, d.user_id, u.display_name, d.starts_at, d.ends_at, (d.starts_at <= now() AND d.ends_at > now()) AS current
        FROM monitor_duty d JOIN users u ON u.id = d.user_id
        WHERE d.ends_at > now() - interval '1 day' ORDER BY d.starts_at, d.id LIMIT 200`,
  );
  return r.map((x) => ({
    id: Number(x.id),
    userId: Number(x.user_id),
    displayName: x.display_name,
    startsAt: new Date(x.starts_at),
    endsAt: new Date(x.ends_at),
    current: x.current,
  }));
}

/** People who may be put on duty. */
export async function dutyCandidates(db: Db) {
  return rows<{ id: number; display_name: string; role: string }>(
    db,
    sql`SELECT id, display_name, role FROM users WHERE active AND role IN ('operator', 'supervisor') ORDER BY role, id`,
  );
}

async function onDutyNow(tx: Db): Promise<number[]> {
  const r = await rows<{ user_id: number }>(
    tx,
    sql`SELECT DISTINCT d.user_id FROM monitor_duty d JOIN users u ON u.id = d.user_id
        WHERE u.active AND d.starts_at <= now() AND d.ends_at > now()`,
  );
  return r.map((x) => Number(x.user_id));
}

async function supervisorsFor(tx: Db, ownerUnitId: number | null): Promise<number[]> {
  const r = await rows<{ id: number }>(
    tx,
    ownerUnitId
      ? sql`SELECT id FROM users WHERE active AND role = 'supervisor' AND unit_id = ${ownerUnitId}`
      : sql`SELECT u.id FROM users u JOIN units n ON n.id = u.unit_id WHERE u.active AND u.role = 'supervisor' AND n.level = 'city'`,
  );
  if (r.length === 0 && ownerUnitId) return supervisorsFor(tx, null);
  return r.map((x) => Number(x.id));
}

/**
 * Notify about items past their triage time (see above). Returns how many notifications were queued.
 * Run by the monitoring job; safe to run in several processes at once.
 */
export async function notifyOverdueItems(db: Db, opts: { triageMinutes?: number } = {}) {
  const minutes = opts.triageMinutes ?? env().MONITOR_TRIAGE_MINUTES;
  const result = { duty: 0, supervisors: 0 };
  const due = await rows<{
    id: string | number;
    title: string;
    owner_unit_id: number | null;
    duty_done: boolean;
    escalate: boolean;
  }>(
    db,
    sql`SELECT m.id, m.title, s.owner_unit_id, m.duty_notified_at IS NOT NULL AS duty_done,
          m.fetched_at <= now() - make_interval(mins => ${minutes * 2}) AS escalate
        FROM monitor_items m JOIN monitor_sources s ON s.id = m.source_id
        WHERE m.is_head AND m.state = 'new' AND m.supervisor_notified_at IS NULL
          AND m.fetched_at <= now() - make_interval(mins => ${minutes})
          AND (m.duty_notified_at IS NULL OR m.fetched_at <= now() - make_interval(mins => ${minutes * 2}))
        ORDER BY m.fetched_at LIMIT 500`,
  );
  for (const item of due) {
    const id = Number(item.id);
    const data = { itemId: id, title: item.title, minutes, link: `/console/monitor/${id}` };
    await db.transaction(async (tx) => {
      if (!item.duty_done) {
        const onDuty = await onDutyNow(tx);
        const claimed = await rows<{ id: number }>(
          tx,
          sql`UPDATE monitor_items SET duty_notified_at = now(),
                supervisor_notified_at = ${onDuty.length === 0 ? sql`now()` : sql`supervisor_notified_at`}
              WHERE id = ${id} AND duty_notified_at IS NULL AND state = 'new' RETURNING id`,
        );
        if (claimed.length === 0) return;
        const to = onDuty.length > 0 ? onDuty : await supervisorsFor(tx, item.owner_unit_id);
        const step = onDuty.length > 0 ? "duty" : "supervisor";
        for (const userId of to) {
          const r = await enqueueNotification(tx, {
            channel: "staff",
            to: `user:${userId}`,
            template: OVERDUE_TEMPLATE,
            data: { ...data, step },
            dedupeKey: `monitor-overdue:${id}:${step}:${userId}`,
          });
          if (r.created) result[step === "duty" ? "duty" : "supervisors"]++;
        }
        return;
      }
      if (!item.escalate) return;
      const claimed = await rows<{ id: number }>(
        tx,
        sql`UPDATE monitor_items SET supervisor_notified_at = now()
            WHERE id = ${id} AND supervisor_notified_at IS NULL AND state = 'new' RETURNING id`,
      );
      if (claimed.length === 0) return;
      for (const userId of await supervisorsFor(tx, item.owner_unit_id)) {
        const r = await enqueueNotification(tx, {
          channel: "staff",
          to: `user:${userId}`,
          template: OVERDUE_TEMPLATE,
          data: { ...data, step: "supervisor" },
          dedupeKey: `monitor-overdue:${id}:supervisor:${userId}`,
        });
        if (r.created) result.supervisors++;
      }
    });
  }
  return result;
}
