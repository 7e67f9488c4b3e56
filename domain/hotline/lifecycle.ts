import { AppError } from "../../lib/errors";

// The ONE state machine of a hotline ticket (12345/信访 practice). Every status change of a
// ticket — by staff (console), by the reporter (/track, API) or by the system (sweeps) — goes through
// assertTransition(); nothing else decides what may follow what.
//
//   received ──accept──▶ accepted ──dispatch──▶ dispatched ──start──▶ handling ──reply──▶ replied
//      │                                         │   ▲                                  │
//      └─reject─▶ not_accepted                  return│ │dispatch                        ├─rate─▶ rated ──close──▶ closed
//      └─merge──▶ merged                          ▼   │                                 ├─request_reopen─▶ reopened ─dispatch─▶ …
//                                              returned                                └─request_review─▶ review_requested ─dispatch─▶ …
//
// Actions that do not change the status (remind 催办, escalate 督办, extend 延期, retier, note, message)
// are self-transitions, allowed only in the statuses listed for them.

export const TICKET_STATUSES = [
  "received",
  "accepted",
  "not_accepted",
  "dispatched",
  "returned",
  "handling",
  "replied",
  "rated",
  "reopened",
  "review_requested",
  "closed",
  "merged",
] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];

/** Public labels (zh-CN). */
export const STATUS_LABELS: Record<TicketStatus, string> = {
  received: "已收到，待受理",
  accepted: "已受理",
  not_accepted: "不予受理",
  dispatched: "已派单",
  returned: "已退单，待重新派单",
  handling: "办理中",
  replied: "已答复，待评价",
  rated: "已评价",
  reopened: "重办中",
  review_requested: "已申请复核",
  closed: "已办结",
  merged: "已并单",
};

/** Statuses in which the ticket is finished (no deadline runs). */
export const FINAL_STATUSES: readonly TicketStatus[] = ["not_accepted", "closed", "merged"];
/** Statuses in which a handler works on it (handling deadline runs). */
export const OPEN_STATUSES: readonly TicketStatus[] = TICKET_STATUSES.filter((s) => !FINAL_STATUSES.includes(s));

export type Actor = "staff" | "reporter" | "system";

export interface TransitionRule {
  from: readonly TicketStatus[];
  /** Target status; "same" keeps the current status (events that do not move the ticket). */
  to: TicketStatus | "same";
  /** Who may perform it. */
  actors: readonly Actor[];
  /** A reason/comment is required (shown to the reporter when the event is public). */
  requiresReason: boolean;
  /** Is the event shown on the public timeline by default. */
  publicEvent: boolean;
  label: string;
}

const WORKING: TicketStatus[] = ["accepted", "dispatched", "returned", "handling", "reopened", "review_requested"];
const NOT_FINAL = OPEN_STATUSES;

/** A transition rule; the reason is optional and the event internal unless the flags say otherwise. */
function rule(
  from: readonly TicketStatus[],
  to: TicketStatus | "same",
  actors: readonly Actor[],
  label: string,
  flags: { requiresReason?: boolean; publicEvent?: boolean } = {},
): TransitionRule {
  return {
    from,
    to,
    actors,
    requiresReason: flags.requiresReason ?? false,
    publicEvent: flags.publicEvent ?? false,
    label,
  };
}

export const TRANSITIONS = {
  /** 受理 */
  accept: rule(["received"], "accepted", ["staff"], "受理", { publicEvent: true }),
  /** 不予受理 (with the reason the reporter sees) */
  reject: rule(["received"], "not_accepted", ["staff"], "不予受理", { requiresReason: true, publicEvent: true }),
  /** 并单: a duplicate of another ticket */
  merge: rule(["received", "accepted"], "merged", ["staff"], "并单", { requiresReason: true, publicEvent: true }),
  /** 派单 (also re-dispatch after 退单, 重办 or 复核) */
  dispatch: rule(["accepted", "returned", "reopened", "review_requested"], "dispatched", ["staff"], "派单", {
    publicEvent: true,
  }),
  /** 退单: the unit says it was misrouted (within 5 working days of dispatch, checked by the caller) */
  return: rule(["dispatched"], "returned", ["staff"], "退单", { requiresReason: true }),
  /** 签收/开始办理 */
  start: rule(["dispatched"], "handling", ["staff"], "开始办理", { publicEvent: true }),
  /** 答复 (the public reply summary) */
  reply: rule(["dispatched", "handling"], "replied", ["staff"], "答复", { requiresReason: true, publicEvent: true }),
  /** 评价 满意/基本满意/不满意 */
  rate: rule(["replied"], "rated", ["reporter", "staff"], "评价", { publicEvent: true }),
  /** 重办: asked by a dissatisfied reporter (or decided by a supervisor) */
  request_reopen: rule(["replied", "rated"], "reopened", ["reporter", "staff"], "申请重办", {
    requiresReason: true,
    publicEvent: true,
  }),
  /** 复核: within 30 days of the reply (checked by the caller) */
  request_review: rule(["replied", "rated", "closed"], "review_requested", ["reporter"], "申请复核", {
    requiresReason: true,
    publicEvent: true,
  }),
  /** 办结 (after rating, or by the system when the reporter did not rate in time) */
  close: rule(["replied", "rated"], "closed", ["staff", "system"], "办结", { publicEvent: true }),
  /** 延期: once, ≤ 30 days, with approval and a reason the reporter sees (caller checks "once") */
  extend: rule(WORKING, "same", ["staff"], "延期", { requiresReason: true, publicEvent: true }),
  /** 催办 */
  remind: rule(NOT_FINAL, "same", ["staff", "system"], "催办"),
  /** 督办: escalation to the level above */
  escalate: rule(NOT_FINAL, "same", ["staff", "system"], "督办", { requiresReason: true }),
  /** Supervisor changes the tier (with a reason); deadlines are recomputed only by this explicit action. */
  retier: rule(
    ["received", "accepted", "dispatched", "returned", "handling", "reopened", "review_requested"],
    "same",
    ["staff"],
    "调整等级",
    { requiresReason: true },
  ),
  /** Internal note (never public) */
  note: rule(TICKET_STATUSES, "same", ["staff"], "内部备注", { requiresReason: true }),
  /** Message between reporter and handler (reporter adds information, handler asks a question) */
  message: rule(NOT_FINAL, "same", ["reporter", "staff"], "留言", { publicEvent: true }),
} satisfies Record<string, TransitionRule>;

export type TicketAction = keyof typeof TRANSITIONS;
export const TICKET_ACTIONS = Object.keys(TRANSITIONS) as TicketAction[];

export function isTicketStatus(s: string): s is TicketStatus {
  return (TICKET_STATUSES as readonly string[]).includes(s);
}

/** Actions possible from a status (for a console's buttons), optionally for one kind of actor. */
export function allowedActions(from: TicketStatus, actor?: Actor): TicketAction[] {
  return TICKET_ACTIONS.filter((a) => {
    const rule: TransitionRule = TRANSITIONS[a];
    return rule.from.includes(from) && (!actor || rule.actors.includes(actor));
  });
}

/** Status after `action` from `from`, or null when not allowed. */
export function nextStatus(from: TicketStatus, action: TicketAction): TicketStatus | null {
  const rule: TransitionRule = TRANSITIONS[action];
  if (!rule?.from.includes(from)) return null;
  return rule.to === "same" ? from : rule.to;
}

/**
 * The status after `action`, or AppError INVALID_TRANSITION (409) naming why not.
 * `actor` (optional) also checks who may do it; `reason` checks a required reason is present.
 */
export function assertTransition(
  from: TicketStatus,
  action: TicketAction,
  opts: { actor?: Actor; reason?: string | null } = {},
): TicketStatus {
  const rule: TransitionRule | undefined = (TRANSITIONS as Record<string, TransitionRule>)[action];
  if (!rule) throw new AppError("INVALID_TRANSITION", `未知的操作：${action}`, { action, from });
  if (!rule.from.includes(from)) {
    throw new AppError("INVALID_TRANSITION", `工单当前状态为“${STATUS_LABELS[from]}”，不能执行“${rule.label}”`, {
      action,
      from,
      allowedFrom: rule.from,
    });
  }
  if (opts.actor && !rule.actors.includes(opts.actor)) {
    throw new AppError("INVALID_TRANSITION", `“${rule.label}”不能由${actorLabel(opts.actor)}执行`, {
      action,
      from,
      actor: opts.actor,
    });
  }
  if (rule.requiresReason && opts.reason !== undefined && !(opts.reason ?? "").trim()) {
    throw new AppError("VALIDATION_FAILED", `“${rule.label}”需要填写理由`, { action, field: "reason" });
  }
  return rule.to === "same" ? from : rule.to;
}

function actorLabel(actor: Actor) {
  return actor === "staff" ? "工作人员" : actor === "reporter" ? "反映人" : "系统";
}

/** 办理时限: the handling deadline may be extended once, by at most 30 days. */
export const MAX_EXTENSION_DAYS = 30;
/** 复核: within 30 days of the reply. */
export const REVIEW_WINDOW_DAYS = 30;
