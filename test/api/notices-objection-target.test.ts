import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { districts, notices } from "../../db/schema";
import { getNoticeForObjection } from "../../domain/notices/objection-target";
import { addDays, todayCn } from "../../domain/notices/state";
import { testDatabase } from "../support/db";

describe("getNoticeForObjection (contract A → B1)", () => {
  it("returns a published notice in period, and NOT_FOUND for drafts and unknown ids", async () => {
    const { db } = await testDatabase();
    const [d] = await db.select().from(districts).where(eq(districts.name, "高青县"));
    const today = todayCn();
    const [live] = await db
      .insert(notices)
      .values({
        title: "公示一",
        districtId: d.id,
        status: "published",
        periodStart: addDays(today, -2),
        periodEnd: addDays(today, 7),
      })
      .returning();
    const [old] = await db
      .insert(notices)
      .values({
        title: "公示二",
        districtId: d.id,
        status: "published",
        periodStart: "2018-11-01",
        periodEnd: "2018-11-10",
      })
      .returning();
    const [draft] = await db.insert(notices).values({ title: "草稿", districtId: d.id }).returning();

    expect(await getNoticeForObjection(db, live.id)).toEqual({
      id: live.id,
      title: "公示一",
      district: "高青县",
      town: null,
      village: null,
      inPeriod: true,
      periodEnd: addDays(today, 7),
    });
    expect((await getNoticeForObjection(db, old.id)).inPeriod).toBe(false);
    await expect(getNoticeForObjection(db, draft.id)).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(getNoticeForObjection(db, 999999)).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});
