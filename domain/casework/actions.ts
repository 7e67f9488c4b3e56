import { sql } from "drizzle-orm";
import { type Db, rows } from "../../db/client";
import { AppError } from "../../lib/errors";
import { type CaseAction, revealAllowed, roleMayDo, ticketScope } from "../access/ticket-scope";
import { appendAudit } from "../audit/audit-log";
import type { StaffPrincipal } from "../auth/principal";
import { loadCalendar } from "../hotline/calendar";
import { chinaDate, extendDeadline, handleDeadline, returnDeadline, reviewDeadline } from "../hotline/deadlines";
import { type ReporterIdentity, revealReporterIdentity } from "../hotline/identity";
import {
  assertTransition,
  STATUS_LABELS,
  type TicketAction,
  type TicketStatus,
  TRANSITIONS,
} from "../hotline/lifecycle";
import { TIER_LABELS, type Tier } from "../hotline/tiering";
import { enqueueNotification } from "../notifications/outbox";

// Every console action on a ticket. One transaction each: the ticket row (locked, and only if it is
// in the actor's scope), the state machine's verdict, the ticket change, the timeline event, the audit
// record and any notification — all or nothing.

export interface ActionInput {
  /** Reason, reply text, note, message or question (depending on the action). */
  reason?: string | null;
  /** dispatch: the unit to send it to (default: the routed unit). */
  unitId?: number | null;
  /** retier: the new tier. */
  tier?: string | null;
  /** extend: days (1–30). */
  days?: number | null;
  /** merge: the number of the ticket this one duplicates. */
  intoNumber?: string | null;
}

export interface LockedTicket {
  id: number;
  number: string;
  status: TicketStatus;
  tier: Tier;
  kind: string;
  category_code: string;
  district_id: number;
  routed_unit_id: number;
  supervising_unit_id: number;
  supervising_level: string;
  subject_unit_id: number | null;
  accepted_at: Date | null;
  dispatched_at: Date | null;
  replied_at: Date | null;
  handle_due_on: string;
  return_due_on: string | null;
  extended_days: number;
  rating: string | null;
  reporter_anonymous: boolean;
  contact_allowed: boolean | null;
}

const ACTION_OF: Record<Exclude<CaseAction, "reveal">, TicketAction> = {
  accept: "accept",
  reject: "reject",
  merge: "merge",
  retier: "retier",
  dispatch: "dispatch",
  return: "return",
  start: "start",
  reply: "reply",
  extend: "extend",
  close: "close",
  request_reopen: "request_reopen",
  remind: "remind",
  escalate: "escalate",
  note: "note",
  message: "message",
};

/** Actions a real-name reporter is told about by SMS (template names). */
const REPORTER_SMS: Partial<Record<CaseAction, string>> = {
  accept: "reporter.accepted",
  reject: "reporter.not_accepted",
  reply: "reporter.replied",
  extend: "reporter.extended",
  message: "reporter.question",
  request_reopen: "reporter.reopened",
};

export const CASE_ACTIONS = Object.keys(ACTION_OF) as Exclude<CaseAction, "reveal">[];

export const CASE_ACTION_LABELS: Record<CaseAction, string> = {
  accept: "受理",
  reject: "不予受理",
  merge: "并单",
  retier: "调整等级",
  dispatch: "派单",
  return: "退单",
  start: "签收办理",
  reply: "答复",
  extend: "延期（审批）",
  close: "办结",
  request_reopen: "重办",
  remind: "催办",
  escalate: "督办",
  note: "内部备注",
  message: "向反映人提问/留言",
  reveal: "查看反映人身份",
};

const date = (d: unknown) =>
  d == null ? null : typeof d === "string" ? d.slice(0, 10) : chinaDate(new Date(d as Date));

/** Lock a ticket the actor may see (404 otherwise: its existence is not disclosed). */
export async function lockTicketInScope(tx: Db, staff: StaffPrincipal, number: string): Promise<LockedTicket> {
  const scope = await ticketScope(tx, staff);
  const [t] = await rows<LockedTicket>(
    tx,
    sql`SELECT t.id, t.number, t.status, t.tier, t.kind, t.category_code, t.district_id, t.routed_unit_id,
          t.supervising_unit_id, t.supervising_level, t.subject_unit_id, t.accepted_at, t.dispatched_at, t.replied_at,
          t.handle_due_on::text AS handle_due_on, t.return_due_on::text AS return_due_on, t.extended_days, t.rating,
          t.reporter_anonymous, r.contact_allowed
        FROM tickets t LEFT JOIN ticket_reporters r ON r.ticket_id = t.id
        WHERE t.number = ${number} AND ${scope} FOR UPDATE OF t`,
  );
  if (!t) throw new AppError("NOT_FOUND", `没有这个工单，或您无权查看：${number}`);
  return t;
}

/**
 * Extra conditions beyond the state machine and the role (who in particular, within which window).
 * Returns the reason it is not possible now, or null.
 */
export function actionBlocker(
  staff: StaffPrincipal,
  t: LockedTicket,
  action: CaseAction,
  today = chinaDate(new Date()),
): string | null {
  if (!roleMayDo(staff, action)) return "当前账号的角色不能执行此操作";
  if (action === "reveal") {
    return revealAllowed(staff, {
      routedUnitId: t.routed_unit_id,
      reporterAnonymous: t.reporter_anonymous,
      contactAllowed: t.contact_allowed,
      dispatched: t.dispatched_at != null,
    })
      ? t.reporter_anonymous
        ? "匿名反映，没有登记身份信息"
        : null
      : "只有纪检监察人员，或经实名反映人同意联系的承办单位，才能查看反映人身份";
  }
  const rule = TRANSITIONS[ACTION_OF[action]];
  if (!(rule.from as readonly string[]).includes(t.status)) {
    return `工单当前状态为“${STATUS_LABELS[t.status]}”，不能执行“${rule.label}”`;
  }
  const ownUnit = t.routed_unit_id === staff.unitId;
  if ((action === "return" || action === "start" || action === "reply") && !ownUnit && staff.role !== "inspector") {
    return "只有承办单位可以执行此操作";
  }
  if (action === "return" && t.return_due_on && today > t.return_due_on) {
    return `退单须在派单后 5 个工作日内（截至 ${t.return_due_on}）提出`;
  }
  if (action === "extend" && t.extended_days > 0) return "办理期限只能延长一次，本工单已延期";
  if (action === "extend" && !t.accepted_at) return "受理后才能延期";
  if (action === "request_reopen" && t.rating !== "dissatisfied") return "反映人评价“不满意”后才能重办";
  return null;
}

/** The actions the person may take on this ticket now (the console shows only these). */
export function availableActions(staff: StaffPrincipal, t: LockedTicket): CaseAction[] {
  return ([...CASE_ACTIONS, "reveal"] as CaseAction[]).filter((a) => actionBlocker(staff, t, a) === null);
}

async function event(
  tx: Db,
  t: { id: number },
  e: {
    action: string;
    from: string;
    to: string;
    visibility: "public" | "internal";
    staff: StaffPrincipal;
    unitId?: number | null;
    note?: string | null;
  },
) {
  await tx.execute(sql`INSERT INTO ticket_events (ticket_id, action, from_status, to_status, visibility, actor_kind, actor_user_id, unit_id, note)
    VALUES (${t.id}, ${e.action}, ${e.from}, ${e.to}, ${e.visibility}, 'staff', ${e.staff.userId}, ${e.unitId ?? e.staff.unitId}, ${e.note ?? null})`);
}

const need = (v: string | null | undefined, message: string, field = "reason") => {
  const s = (v ?? "").trim();
  if (!s) throw new AppError("VALIDATION_FAILED", message, [{ path: field, message }]);
  if (s.length > 4000)
    throw new AppError("VALIDATION_FAILED", "内容不能超过 4000 字", [{ path: field, message: "内容不能超过 4000 字" }]);
  return s;
};

/** Perform one action. Throws 404 (not in scope), 403 (role), 409 (state machine / window), 400 (input). */
export async function performAction(
  db: Db,
  staff: StaffPrincipal,
  number: string,
  action: Exclude<CaseAction, "reveal">,
  input: ActionInput = {},
): Promise<{ number: string; status: TicketStatus }> {
  if (!(action in ACTION_OF)) throw new AppError("NOT_FOUND", `未知的操作：${action}`);
  if (!roleMayDo(staff, action)) throw new AppError("FORBIDDEN", "当前账号的角色不能执行此操作");
  return db.transaction(async (tx) => {
    const t = await lockTicketInScope(tx, staff, number);
    const rule = TRANSITIONS[ACTION_OF[action]];
    const to = assertTransition(t.status, ACTION_OF[action], { actor: "staff" });
    const blocker = actionBlocker(staff, t, action);
    if (blocker) throw new AppError("INVALID_TRANSITION", blocker, { action, from: t.status });
    const now = new Date();
    const visibility: "public" | "internal" = rule.publicEvent ? "public" : "internal";
    let note: string | null = null;
    let unitId: number | null = null;
    const audit: Record<string, unknown> = { from: t.status, to };
    const notify: { to: string; template: string; data: object }[] = [];
    const cal = () => loadCalendar(tx);

    switch (action) {
      case "accept": {
        const due = handleDeadline(now, await cal());
        await tx.execute(
          sql`UPDATE tickets SET status = ${to}, accepted_at = ${now.toISOString()}::timestamptz, handle_due_on = ${due}, updated_at = now() WHERE id = ${t.id}`,
        );
        note = `已受理，办理期限至 ${due}`;
        audit.handleDueOn = due;
        break;
      }
      case "reject": {
        note = need(input.reason, "请填写不予受理的理由（反映人可见）");
        await tx.execute(
          sql`UPDATE tickets SET status = ${to}, closed_at = now(), updated_at = now() WHERE id = ${t.id}`,
        );
        break;
      }
      case "merge": {
        const into = need(input.intoNumber, "请填写要并入的工单编号", "intoNumber");
        if (into === t.number)
          throw new AppError("VALIDATION_FAILED", "不能并入工单自身", [
            { path: "intoNumber", message: "不能并入工单自身" },
          ]);
        const scope = await ticketScope(tx, staff);
        const [target] = await rows<{ id: number; status: string }>(
          tx,
          sql`SELECT t.id, t.status FROM tickets t WHERE t.number = ${into} AND ${scope}`,
        );
        if (!target)
          throw new AppError("VALIDATION_FAILED", "要并入的工单不存在或不在您的权限内", [
            { path: "intoNumber", message: "工单不存在或无权查看" },
          ]);
        if (["merged", "not_accepted"].includes(target.status))
          throw new AppError("INVALID_TRANSITION", "不能并入已并单或不予受理的工单");
        const reason = need(input.reason, "请填写并单理由");
        note = `并入 ${into}：${reason}`;
        await tx.execute(
          sql`UPDATE tickets SET status = ${to}, merged_into_id = ${target.id}, closed_at = now(), updated_at = now() WHERE id = ${t.id}`,
        );
        await tx.execute(sql`INSERT INTO ticket_events (ticket_id, action, from_status, to_status, visibility, actor_kind, actor_user_id, unit_id, note)
          SELECT id, 'note', status, status, 'internal', 'staff', ${staff.userId}, ${staff.unitId}, ${`工单 ${t.number} 已并入本件`} FROM tickets WHERE id = ${target.id}`);
        audit.into = into;
        break;
      }
      case "retier": {
        const tier = (input.tier ?? "") as Tier;
        if (!(tier in TIER_LABELS))
          throw new AppError("VALIDATION_FAILED", "请选择等级 I、II、III 或 IV", [
            { path: "tier", message: "请选择等级" },
          ]);
        const reason = need(input.reason, "请填写调整等级的理由");
        const firstDue =
          tier === "I" ? sql`COALESCE(first_response_due_at, now() + interval '24 hours')` : sql`first_response_due_at`;
        await tx.execute(
          sql`UPDATE tickets SET tier = ${tier}, tier_reason = ${`督办调整：${reason}`}, first_response_due_at = ${firstDue}, updated_at = now() WHERE id = ${t.id}`,
        );
        note = `等级 ${t.tier} → ${tier}（${TIER_LABELS[tier]}）：${reason}`;
        Object.assign(audit, { fromTier: t.tier, toTier: tier, reason });
        break;
      }
      case "dispatch": {
        const target = input.unitId ?? t.routed_unit_id;
        const [unit] = await rows<{ id: number; name: string }>(
          tx,
          sql`SELECT id, name FROM units WHERE id = ${target}`,
        );
        if (!unit)
          throw new AppError("VALIDATION_FAILED", "请选择承办单位", [{ path: "unitId", message: "没有这个单位" }]);
        if (unit.id === t.subject_unit_id) throw new AppError("INVALID_TRANSITION", "不能派给被反映的单位（回避）");
        if (t.status === "returned" && unit.id === t.routed_unit_id && input.unitId != null) {
          throw new AppError("INVALID_TRANSITION", "该单位已退单，请改派其他单位");
        }
        const due = returnDeadline(now, await cal());
        await tx.execute(
          sql`UPDATE tickets SET status = ${to}, routed_unit_id = ${unit.id}, dispatched_at = ${now.toISOString()}::timestamptz, return_due_on = ${due}, updated_at = now() WHERE id = ${t.id}`,
        );
        unitId = unit.id;
        note = `派至 ${unit.name}${input.reason?.trim() ? `：${input.reason.trim()}` : ""}`;
        audit.unitId = unit.id;
        notify.push({ to: `unit:${unit.id}`, template: "ticket.dispatched", data: { number: t.number, tier: t.tier } });
        break;
      }
      case "return": {
        const reason = need(input.reason, "请填写退单理由");
        await tx.execute(sql`UPDATE tickets SET status = ${to}, updated_at = now() WHERE id = ${t.id}`);
        note = `退单：${reason}`;
        audit.reason = reason;
        notify.push({ to: `unit:${t.supervising_unit_id}`, template: "ticket.returned", data: { number: t.number } });
        break;
      }
      case "start": {
        await tx.execute(sql`UPDATE tickets SET status = ${to}, updated_at = now() WHERE id = ${t.id}`);
        note = "承办单位已签收，正在办理";
        break;
      }
      case "reply": {
        const reply = need(input.reason, "请填写答复内容（反映人可见）");
        const reviewDue = reviewDeadline(now, await cal());
        await tx.execute(
          sql`UPDATE tickets SET status = ${to}, reply_summary = ${reply}, replied_at = ${now.toISOString()}::timestamptz, review_due_on = ${reviewDue}, updated_at = now() WHERE id = ${t.id}`,
        );
        note = reply;
        audit.reviewDueOn = reviewDue;
        notify.push({ to: `unit:${t.supervising_unit_id}`, template: "ticket.replied", data: { number: t.number } });
        break;
      }
      case "extend": {
        const reason = need(input.reason, "请填写延期理由（反映人可见）");
        const days = Number(input.days);
        const due = extendDeadline(
          { handleDueOn: date(t.handle_due_on)!, extendedDays: t.extended_days },
          days,
          await cal(),
        );
        await tx.execute(
          sql`UPDATE tickets SET extended_days = ${days}, extension_reason = ${reason}, handle_due_on = ${due}, updated_at = now() WHERE id = ${t.id}`,
        );
        note = `办理期限延长 ${days} 天至 ${due}（经 ${staff.unitName} 批准）：${reason}`;
        Object.assign(audit, { days, handleDueOn: due, approvedBy: staff.userId, reason });
        notify.push({
          to: `unit:${t.routed_unit_id}`,
          template: "ticket.extended",
          data: { number: t.number, handleDueOn: due },
        });
        break;
      }
      case "close": {
        await tx.execute(
          sql`UPDATE tickets SET status = ${to}, closed_at = now(), updated_at = now() WHERE id = ${t.id}`,
        );
        note = "已办结";
        break;
      }
      case "request_reopen": {
        const reason = need(input.reason, "请填写重办理由");
        await tx.execute(sql`UPDATE tickets SET status = ${to}, updated_at = now() WHERE id = ${t.id}`);
        note = `重办：${reason}`;
        audit.reason = reason;
        break;
      }
      case "remind": {
        note = input.reason?.trim() || "请抓紧办理";
        notify.push({ to: `unit:${t.routed_unit_id}`, template: "ticket.reminder", data: { number: t.number } });
        break;
      }
      case "escalate": {
        const reason = need(input.reason, "请填写督办事项");
        await tx.execute(
          sql`UPDATE tickets SET escalated_at = COALESCE(escalated_at, now()), updated_at = now() WHERE id = ${t.id}`,
        );
        note = `督办：${reason}`;
        notify.push({ to: `unit:${t.routed_unit_id}`, template: "ticket.escalated", data: { number: t.number } });
        break;
      }
      case "note": {
        note = need(input.reason, "请填写备注内容");
        break;
      }
      case "message": {
        const body = need(input.reason, "请填写要发给反映人的内容");
        await tx.execute(
          sql`INSERT INTO ticket_messages (ticket_id, author, author_user_id, body) VALUES (${t.id}, 'handler', ${staff.userId}, ${body})`,
        );
        note = "承办单位留言";
        break;
      }
    }
    await event(tx, t, {
      action: ACTION_OF[action],
      from: t.status,
      to,
      visibility: action === "note" ? "internal" : visibility,
      staff,
      unitId,
      note,
    });
    await appendAudit(tx, {
      actorId: staff.userId,
      action: `ticket.${action}`,
      subjectType: "ticket",
      subjectId: t.number,
      details: audit,
    });
    for (const n of notify) {
      await enqueueNotification(tx, { channel: "staff", to: n.to, template: n.template, data: n.data });
    }
    // Real-name reporters who agreed to be contacted get an SMS when something they should know happens.
    if (REPORTER_SMS[action] && !t.reporter_anonymous && t.contact_allowed) {
      await enqueueNotification(tx, {
        channel: "sms",
        to: `reporter:${t.id}`,
        template: REPORTER_SMS[action],
        data: { number: t.number },
      });
    }
    return { number: t.number, status: to };
  });
}

/**
 * Reveal a reporter's identity (its own action: allowed roles only, reason required, audited). The
 * console first applies its scope and action rules; the decryption, its audit record and timeline
 * event are the hotline's one reveal function.
 */
export async function revealIdentity(
  db: Db,
  staff: StaffPrincipal,
  number: string,
  reason: string | null | undefined,
): Promise<ReporterIdentity> {
  const why = need(reason, "请填写查看反映人身份的理由（将记入审计日志）");
  await db.transaction(async (tx) => {
    const t = await lockTicketInScope(tx, staff, number);
    const blocker = actionBlocker(staff, t, "reveal");
    if (blocker) throw new AppError("FORBIDDEN", blocker);
  });
  const identity = await revealReporterIdentity(db, staff, number, why);
  if (!identity) throw new AppError("NOT_FOUND", "匿名反映，没有登记身份信息");
  return identity;
}
