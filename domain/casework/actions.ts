import { eq, sql } from "drizzle-orm";
import type { PgUpdateSetSource } from "drizzle-orm/pg-core";
import { type Db, rows } from "../../db/client";
import { ticketEvents, ticketMessages, tickets, units } from "../../db/schema";
import type { SqlRow } from "../../db/sql-row";
import { chinaDate } from "../../lib/china-date";
import { AppError } from "../../lib/errors";
import { ticketScope } from "../access/ticket-scope";
import type { StaffPrincipal } from "../auth/principal";
import { extendDeadline, handleDeadline, returnDeadline, reviewDeadline } from "../hotline/deadlines";
import { type ReporterIdentity, revealReporterIdentity } from "../hotline/identity";
import type { TicketStatus } from "../hotline/lifecycle";
import { referenceData } from "../hotline/reference-cache";
import { route } from "../hotline/routing";
import { TIER_LABELS, type Tier } from "../hotline/tiering";
import {
  type ActionContext,
  type ActionOutcome,
  actionBlocker,
  lockTicketInScope,
  need,
  type StaffAction,
  withTicketAction,
} from "./ticket-action";

export { CASE_ACTION_LABELS, CASE_ACTIONS } from "./ticket-action";

// The console's actions on a ticket, one function each; withTicketAction (ticket-action.ts) gives every
// one the same frame: scope, lock, state machine, timeline event, audit and notifications in one
// transaction.

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

type Apply = (ctx: ActionContext, input: ActionInput) => Promise<ActionOutcome>;

const setTicket = (ctx: ActionContext, values: PgUpdateSetSource<typeof tickets>) =>
  ctx.tx
    .update(tickets)
    .set({ ...values, updatedAt: sql`now()` })
    .where(eq(tickets.id, ctx.ticket.id));

const accept: Apply = async (ctx) => {
  const due = handleDeadline(ctx.now, await ctx.calendar());
  await setTicket(ctx, { status: ctx.to, acceptedAt: ctx.now, handleDueOn: due });
  return { note: `已受理，办理期限至 ${due}`, audit: { handleDueOn: due } };
};

const reject: Apply = async (ctx, input) => {
  const note = need(input.reason, "请填写不予受理的理由（反映人可见）");
  await setTicket(ctx, { status: ctx.to, closedAt: sql`now()` });
  return { note };
};

const merge: Apply = async (ctx, input) => {
  const { tx, staff, ticket: t } = ctx;
  const into = need(input.intoNumber, "请填写要并入的工单编号", "intoNumber");
  if (into === t.number)
    throw new AppError("VALIDATION_FAILED", "不能并入工单自身", [{ path: "intoNumber", message: "不能并入工单自身" }]);
  // The access condition is written against the alias t (access/ticket-scope.ts).
  const scope = await ticketScope(tx, staff);
  const [target] = await rows<SqlRow<typeof tickets, "id" | "status">>(
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
  await setTicket(ctx, { status: ctx.to, mergedIntoId: target.id, closedAt: sql`now()` });
  await tx.insert(ticketEvents).values({
    ticketId: target.id,
    action: "note",
    fromStatus: target.status,
    toStatus: target.status,
    visibility: "internal",
    actorKind: "staff",
    actorUserId: staff.userId,
    unitId: staff.unitId,
    note: `工单 ${t.number} 已并入本件`,
  });
  return { note: `并入 ${into}：${reason}`, audit: { into } };
};

const retier: Apply = async (ctx, input) => {
  const tier = (input.tier ?? "") as Tier;
  if (!(tier in TIER_LABELS))
    throw new AppError("VALIDATION_FAILED", "请选择等级 I、II、III 或 IV", [{ path: "tier", message: "请选择等级" }]);
  const reason = need(input.reason, "请填写调整等级的理由");
  const firstResponseDueAt =
    tier === "I"
      ? sql`COALESCE(${tickets.firstResponseDueAt}, now() + interval '24 hours')`
      : sql`${tickets.firstResponseDueAt}`;
  // The tier decides the level that handles the ticket (I–II city, III–IV the district): a change of
  // level routes it again — handling unit, supervising unit and the reason shown to staff.
  const t = ctx.ticket;
  const level = levelOfTier(tier);
  const rerouted = level !== levelOfTier(t.tier) ? await routeForLevel(ctx.tx, t, level) : null;
  await setTicket(ctx, {
    tier,
    tierReason: `督办调整：${reason}`,
    firstResponseDueAt,
    ...(rerouted
      ? {
          handlingLevel: level,
          routedUnitId: rerouted.unit.id,
          supervisingUnitId: rerouted.supervisingUnit.id,
          supervisingLevel: rerouted.supervisingLevel,
          routingReason: rerouted.reason,
        }
      : {}),
  });
  const moved = rerouted
    ? `；改由${rerouted.unit.name}办理、${rerouted.supervisingUnit.name}督办（${rerouted.reason}）`
    : "";
  return {
    note: `等级 ${t.tier} → ${tier}（${TIER_LABELS[tier]}）：${reason}${moved}`,
    audit: {
      fromTier: t.tier,
      toTier: tier,
      reason,
      ...(rerouted ? { fromUnitId: t.routed_unit_id, toUnitId: rerouted.unit.id, handlingLevel: level } : {}),
    },
    ...(rerouted
      ? {
          notify: [{ to: `unit:${rerouted.unit.id}`, template: "ticket.dispatched", data: { number: t.number, tier } }],
        }
      : {}),
  };
};

const levelOfTier = (tier: string): "city" | "district" => (tier === "I" || tier === "II" ? "city" : "district");

/** The routing of a ticket at another handling level (the same rules as at filing). */
async function routeForLevel(tx: Db, t: ActionContext["ticket"], level: "city" | "district") {
  const ref = await referenceData(tx);
  const category = ref.categories.get(t.category_code);
  const district = [...ref.districts.values()].find((d) => d.id === t.district_id);
  if (!category || !district) throw new AppError("CONFLICT", "工单的类别或区县已不在参考数据中，无法重新分派");
  const subject = t.subject_unit_id
    ? ([...ref.units.values()].find((u) => u.id === t.subject_unit_id)?.code ?? null)
    : null;
  return route(
    {
      kind: t.kind,
      categoryCode: category.code,
      leadUnitCode: category.leadUnitCode,
      districtCode: district.code,
      handlingLevel: level,
      subjectUnitCode: subject,
    },
    ref.units,
  );
}

const dispatch: Apply = async (ctx, input) => {
  const t = ctx.ticket;
  const [unit] = await ctx.tx
    .select({ id: units.id, name: units.name })
    .from(units)
    .where(eq(units.id, input.unitId ?? t.routed_unit_id));
  if (!unit) throw new AppError("VALIDATION_FAILED", "请选择承办单位", [{ path: "unitId", message: "没有这个单位" }]);
  if (unit.id === t.subject_unit_id) throw new AppError("INVALID_TRANSITION", "不能派给被反映的单位（回避）");
  if (t.status === "returned" && unit.id === t.routed_unit_id && input.unitId != null) {
    throw new AppError("INVALID_TRANSITION", "该单位已退单，请改派其他单位");
  }
  const due = returnDeadline(ctx.now, await ctx.calendar());
  await setTicket(ctx, { status: ctx.to, routedUnitId: unit.id, dispatchedAt: ctx.now, returnDueOn: due });
  return {
    note: `派至 ${unit.name}${input.reason?.trim() ? `：${input.reason.trim()}` : ""}`,
    unitId: unit.id,
    audit: { unitId: unit.id },
    notify: [{ to: `unit:${unit.id}`, template: "ticket.dispatched", data: { number: t.number, tier: t.tier } }],
  };
};

const returnTicket: Apply = async (ctx, input) => {
  const reason = need(input.reason, "请填写退单理由");
  await setTicket(ctx, { status: ctx.to });
  return {
    note: `退单：${reason}`,
    audit: { reason },
    notify: [
      {
        to: `unit:${ctx.ticket.supervising_unit_id}`,
        template: "ticket.returned",
        data: { number: ctx.ticket.number },
      },
    ],
  };
};

const start: Apply = async (ctx) => {
  await setTicket(ctx, { status: ctx.to });
  return { note: "承办单位已签收，正在办理" };
};

const reply: Apply = async (ctx, input) => {
  const text = need(input.reason, "请填写答复内容（反映人可见）");
  const reviewDue = reviewDeadline(ctx.now, await ctx.calendar());
  await setTicket(ctx, { status: ctx.to, replySummary: text, repliedAt: ctx.now, reviewDueOn: reviewDue });
  return {
    note: text,
    audit: { reviewDueOn: reviewDue },
    notify: [
      { to: `unit:${ctx.ticket.supervising_unit_id}`, template: "ticket.replied", data: { number: ctx.ticket.number } },
    ],
  };
};

const extend: Apply = async (ctx, input) => {
  const t = ctx.ticket;
  const reason = need(input.reason, "请填写延期理由（反映人可见）");
  const days = Number(input.days);
  const due = extendDeadline(
    { handleDueOn: chinaDateOf(t.handle_due_on), extendedDays: t.extended_days },
    days,
    await ctx.calendar(),
  );
  await setTicket(ctx, { extendedDays: days, extensionReason: reason, handleDueOn: due });
  return {
    note: `办理期限延长 ${days} 天至 ${due}（经 ${ctx.staff.unitName} 批准）：${reason}`,
    audit: { days, handleDueOn: due, approvedBy: ctx.staff.userId, reason },
    notify: [
      { to: `unit:${t.routed_unit_id}`, template: "ticket.extended", data: { number: t.number, handleDueOn: due } },
    ],
  };
};

const close: Apply = async (ctx) => {
  await setTicket(ctx, { status: ctx.to, closedAt: sql`now()` });
  return { note: "已办结" };
};

const requestReopen: Apply = async (ctx, input) => {
  const reason = need(input.reason, "请填写重办理由");
  await setTicket(ctx, { status: ctx.to });
  return { note: `重办：${reason}`, audit: { reason } };
};

const remind: Apply = async (ctx, input) => ({
  note: input.reason?.trim() || "请抓紧办理",
  notify: [
    { to: `unit:${ctx.ticket.routed_unit_id}`, template: "ticket.reminder", data: { number: ctx.ticket.number } },
  ],
});

const escalate: Apply = async (ctx, input) => {
  const reason = need(input.reason, "请填写督办事项");
  await setTicket(ctx, { escalatedAt: sql`COALESCE(${tickets.escalatedAt}, now())` });
  return {
    note: `督办：${reason}`,
    notify: [
      { to: `unit:${ctx.ticket.routed_unit_id}`, template: "ticket.escalated", data: { number: ctx.ticket.number } },
    ],
  };
};

const note: Apply = async (_ctx, input) => ({ note: need(input.reason, "请填写备注内容") });

const message: Apply = async (ctx, input) => {
  const body = need(input.reason, "请填写要发给反映人的内容");
  await ctx.tx
    .insert(ticketMessages)
    .values({ ticketId: ctx.ticket.id, author: "handler", authorUserId: ctx.staff.userId, body });
  return { note: "承办单位留言" };
};

const APPLY: Record<StaffAction, Apply> = {
  accept,
  reject,
  merge,
  retier,
  dispatch,
  return: returnTicket,
  start,
  reply,
  extend,
  close,
  request_reopen: requestReopen,
  remind,
  escalate,
  note,
  message,
};

/** A stored date as YYYY-MM-DD (the driver may hand back a string or a Date). */
function chinaDateOf(d: string | Date): string {
  return typeof d === "string" ? d.slice(0, 10) : chinaDate(d);
}

/** Perform one action. Throws 404 (not in scope), 403 (role), 409 (state machine / window), 400 (input). */
export async function performAction(
  db: Db,
  staff: StaffPrincipal,
  number: string,
  action: StaffAction,
  input: ActionInput = {},
): Promise<{ number: string; status: TicketStatus }> {
  const apply = Object.hasOwn(APPLY, action) ? APPLY[action] : undefined;
  if (!apply) throw new AppError("NOT_FOUND", `未知的操作：${action}`);
  return withTicketAction(db, staff, number, action, (ctx) => apply(ctx, input));
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
