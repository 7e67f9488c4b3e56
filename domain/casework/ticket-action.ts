import { sql } from "drizzle-orm";
import { type Db, rows } from "../../db/client";
import { ticketEvents } from "../../db/schema";
import { chinaDate } from "../../lib/china-date";
import { AppError } from "../../lib/errors";
import { type CaseAction, revealAllowed, roleMayDo, ticketScope } from "../access/ticket-scope";
import { appendAudit } from "../audit/audit-log";
import type { StaffPrincipal } from "../auth/principal";
import { loadCalendar } from "../hotline/calendar";
import type { WorkCalendar } from "../hotline/deadlines";
import {
  assertTransition,
  STATUS_LABELS,
  type TicketAction,
  type TicketStatus,
  TRANSITIONS,
} from "../hotline/lifecycle";
import type { Tier } from "../hotline/tiering";
import { enqueueNotification } from "../notifications/outbox";
import { appendTicketTransition } from "../transparency/entries";

// The frame of every console action on a ticket: one transaction that locks the ticket (only if it is in
// the actor's scope), asks the state machine and the action's own rules, lets the action change the
// ticket, then writes the timeline event, the audit record and the notifications — all or nothing.

export type StaffAction = Exclude<CaseAction, "reveal">;

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

const ACTION_OF: Record<StaffAction, TicketAction> = {
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

export const CASE_ACTIONS = Object.keys(ACTION_OF) as StaffAction[];

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

/** Actions a real-name reporter is told about by SMS (template names). */
const REPORTER_SMS: Partial<Record<CaseAction, string>> = {
  accept: "reporter.accepted",
  reject: "reporter.not_accepted",
  reply: "reporter.replied",
  extend: "reporter.extended",
  message: "reporter.question",
  request_reopen: "reporter.reopened",
};

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

/** Required free text (reason, reply, note …): trimmed, non-empty, at most 4000 characters. */
export function need(v: string | null | undefined, message: string, field = "reason"): string {
  const s = (v ?? "").trim();
  if (!s) throw new AppError("VALIDATION_FAILED", message, [{ path: field, message }]);
  if (s.length > 4000)
    throw new AppError("VALIDATION_FAILED", "内容不能超过 4000 字", [{ path: field, message: "内容不能超过 4000 字" }]);
  return s;
}

/** What the action did, for the frame to record. */
export interface ActionOutcome {
  /** The timeline event's text. */
  note: string | null;
  /** The unit the event names (default: the actor's). */
  unitId?: number | null;
  /** Details for the audit record, besides from/to. */
  audit?: Record<string, unknown>;
  /** Messages to staff units. */
  notify?: { to: string; template: string; data: object }[];
}

export interface ActionContext {
  tx: Db;
  staff: StaffPrincipal;
  ticket: LockedTicket;
  /** The status the state machine moves the ticket to. */
  to: TicketStatus;
  now: Date;
  calendar: () => Promise<WorkCalendar>;
}

/**
 * Run one action on a ticket inside the frame. Throws 404 (not in scope), 403 (role), 409 (state machine
 * or the action's window), 400 (the action's input).
 */
export async function withTicketAction(
  db: Db,
  staff: StaffPrincipal,
  number: string,
  action: StaffAction,
  apply: (ctx: ActionContext) => Promise<ActionOutcome>,
): Promise<{ number: string; status: TicketStatus }> {
  if (!roleMayDo(staff, action)) throw new AppError("FORBIDDEN", "当前账号的角色不能执行此操作");
  return db.transaction(async (tx) => {
    const t = await lockTicketInScope(tx, staff, number);
    const rule = TRANSITIONS[ACTION_OF[action]];
    const to = assertTransition(t.status, ACTION_OF[action], { actor: "staff" });
    const blocker = actionBlocker(staff, t, action);
    if (blocker) throw new AppError("INVALID_TRANSITION", blocker, { action, from: t.status });
    const outcome = await apply({ tx, staff, ticket: t, to, now: new Date(), calendar: () => loadCalendar(tx) });

    await tx.insert(ticketEvents).values({
      ticketId: t.id,
      action: ACTION_OF[action],
      fromStatus: t.status,
      toStatus: to,
      visibility: rule.publicEvent && action !== "note" ? "public" : "internal",
      actorKind: "staff",
      actorUserId: staff.userId,
      unitId: outcome.unitId ?? staff.unitId,
      note: outcome.note,
    });
    if (rule.publicEvent && action !== "note") {
      // The public transparency log: the transition, its time and the acting unit (never the person).
      await appendTicketTransition(tx, {
        number: t.number,
        action: ACTION_OF[action],
        from: t.status,
        to,
        unitId: outcome.unitId ?? staff.unitId,
        time: new Date(),
      });
    }
    await appendAudit(tx, {
      actorId: staff.userId,
      action: `ticket.${action}`,
      subjectType: "ticket",
      subjectId: t.number,
      details: { from: t.status, to, ...outcome.audit },
    });
    for (const n of outcome.notify ?? []) {
      await enqueueNotification(tx, { channel: "staff", to: n.to, template: n.template, data: n.data });
    }
    // Real-name reporters who agreed to be contacted get an SMS when something they should know happens.
    const sms = REPORTER_SMS[action];
    if (sms && !t.reporter_anonymous && t.contact_allowed) {
      await enqueueNotification(tx, {
        channel: "sms",
        to: `reporter:${t.id}`,
        template: sms,
        data: { number: t.number },
      });
    }
    return { number: t.number, status: to };
  });
}
