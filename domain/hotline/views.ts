// Public-safe shapes shared by the API, the pages and other domains. Never reporter data.

export interface PublicDeadlines {
  /** 受理期限: decision on acceptance by this day (15 days from receipt) */
  acceptBy: string;
  /** 办理期限: 60 days from acceptance (+ extension) */
  handleBy: string;
  /** true until the ticket is accepted: handleBy then assumes acceptance on the last possible day */
  handleByIsProvisional: boolean;
  /** Tier I: first response within 24 hours (ISO instant), else null */
  firstResponseBy: string | null;
  /** 复核: a review may be requested until this day (30 days from the reply), once replied */
  reviewBy: string | null;
  /** Days the handling deadline was extended (once, ≤ 30) */
  extendedDays: number;
}

export function publicDeadlines(t: {
  acceptDueOn: string;
  handleDueOn: string;
  firstResponseDueAt: Date | null;
  returnDueOn: string | null;
  reviewDueOn: string | null;
  extendedDays: number;
  acceptedAt: Date | null;
}): PublicDeadlines {
  return {
    acceptBy: t.acceptDueOn.slice(0, 10),
    handleBy: t.handleDueOn.slice(0, 10),
    handleByIsProvisional: t.acceptedAt === null,
    firstResponseBy: t.firstResponseDueAt ? t.firstResponseDueAt.toISOString() : null,
    reviewBy: t.reviewDueOn ? t.reviewDueOn.slice(0, 10) : null,
    extendedDays: t.extendedDays,
  };
}

export const RATING_LABELS = {
  satisfied: "满意",
  basically_satisfied: "基本满意",
  dissatisfied: "不满意",
} as const;
export type Rating = keyof typeof RATING_LABELS;
