import { eq } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import type { Db } from "../../db/client";
import { districts, notices, towns, villages } from "../../db/schema";
import { AppError } from "../../lib/errors";
import { noticeState, todayCn } from "./state";

export interface ObjectionTarget {
  id: number;
  title: string;
  district: string;
  town: string | null;
  village: string | null;
  /** Objections are accepted only while the notice is in its period (公示中). */
  inPeriod: boolean;
  /** Last day of the period, YYYY-MM-DD. */
  periodEnd: string;
}

/**
 * The notice an objection (公示异议) is about. Contract A → B1 (see notes/CONTRACTS.md).
 * Throws NOT_FOUND unless the notice has been published (drafts are not public).
 */
export async function getNoticeForObjection(db: Db, noticeId: number): Promise<ObjectionTarget> {
  if (!Number.isSafeInteger(noticeId) || noticeId <= 0) throw new AppError("NOT_FOUND", "没有这条公示");
  const t = alias(towns, "t");
  const v = alias(villages, "v");
  const [row] = await db
    .select({
      id: notices.id,
      title: notices.title,
      status: notices.status,
      periodStart: notices.periodStart,
      periodEnd: notices.periodEnd,
      supersededById: notices.supersededById,
      district: districts.name,
      town: t.name,
      village: v.name,
    })
    .from(notices)
    .innerJoin(districts, eq(districts.id, notices.districtId))
    .leftJoin(t, eq(t.id, notices.townId))
    .leftJoin(v, eq(v.id, notices.villageId))
    .where(eq(notices.id, noticeId));
  if (!row || row.status === "draft" || !row.periodEnd) throw new AppError("NOT_FOUND", "没有这条公示");
  return {
    id: row.id,
    title: row.title,
    district: row.district,
    town: row.town,
    village: row.village,
    inPeriod: noticeState(row, todayCn()) === "in_period",
    periodEnd: row.periodEnd,
  };
}
