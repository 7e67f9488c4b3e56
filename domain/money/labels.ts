// Codes and their Chinese labels for the money trail.

export const PROGRAMMES = ["housing", "dividend", "education", "health", "microcredit", "employment", "other"] as const;
export type Programme = (typeof PROGRAMMES)[number];
export const PROGRAMME_LABELS: Record<Programme, string> = {
  housing: "危房改造补助",
  dividend: "产业扶贫分红/收益分配",
  education: "教育资助",
  health: "健康扶贫",
  microcredit: "小额信贷贴息",
  employment: "就业扶贫补贴",
  other: "其他补贴",
};

/** A programme from its code or its label (or a common short form), or null. */
export function parseProgramme(input: string): Programme | null {
  const s = input.trim();
  if ((PROGRAMMES as readonly string[]).includes(s)) return s as Programme;
  for (const p of PROGRAMMES) if (PROGRAMME_LABELS[p] === s) return p;
  const short: Record<string, Programme> = {
    危房改造: "housing",
    产业扶贫分红: "dividend",
    分红: "dividend",
    收益分配: "dividend",
    教育资助: "education",
    雨露计划: "education",
    健康扶贫: "health",
    小额信贷贴息: "microcredit",
    贴息: "microcredit",
    就业补贴: "employment",
    其他: "other",
  };
  return short[s] ?? null;
}

export const PAYMENT_STATES = ["paid", "pending", "returned"] as const;
export type PaymentState = (typeof PAYMENT_STATES)[number];
export const PAYMENT_STATE_LABELS: Record<PaymentState, string> = {
  paid: "已发放",
  pending: "待发放",
  returned: "退回",
};
export function parsePaymentState(input: string): PaymentState | null {
  const s = input.trim();
  if ((PAYMENT_STATES as readonly string[]).includes(s)) return s as PaymentState;
  for (const p of PAYMENT_STATES) if (PAYMENT_STATE_LABELS[p] === s) return p;
  return s === "" ? "paid" : null;
}

export const RECIPIENT_KINDS = ["unit", "town", "village", "project", "households"] as const;
export type RecipientKind = (typeof RECIPIENT_KINDS)[number];
export const RECIPIENT_KIND_LABELS: Record<RecipientKind, string> = {
  unit: "单位",
  town: "镇办",
  village: "村",
  project: "项目",
  households: "到户发放",
};

export const HOUSEHOLD_STATUS_LABELS = { registered: "建档立卡", exited: "已退出" } as const;

export const CASE_GRADES = ["C", "D"] as const;
export const CASE_METHODS = ["repair", "rebuild", "new", "replace"] as const;
export type CaseMethod = (typeof CASE_METHODS)[number];
export const CASE_METHOD_LABELS: Record<CaseMethod, string> = {
  repair: "修缮加固",
  rebuild: "翻建",
  new: "新建",
  replace: "置换",
};
export const CASE_STAGES = [
  "applied",
  "village_review",
  "town_review",
  "county_approval",
  "started",
  "completed",
  "accepted",
  "paid",
] as const;
export type CaseStage = (typeof CASE_STAGES)[number];
export const CASE_STAGE_LABELS: Record<CaseStage, string> = {
  applied: "申请",
  village_review: "村评议",
  town_review: "镇审核",
  county_approval: "县审批",
  started: "开工",
  completed: "竣工",
  accepted: "验收",
  paid: "拨付",
};

export const LIST_KINDS = ["identify", "exit", "housing", "dividend"] as const;
export type ListKind = (typeof LIST_KINDS)[number];
export const LIST_KIND_LABELS: Record<ListKind, string> = {
  identify: "贫困户识别",
  exit: "贫困户退出",
  housing: "危房改造",
  dividend: "收益分红",
};
