import { describe, expect, it } from "vitest";
import { correctHousehold } from "../../domain/money/households";
import { correctHouseholdPayment, createHouseholdPayment } from "../../domain/money/payments";
import { maskIdNumber, maskName } from "../../domain/money/privacy";
import { paymentsOfDisbursement, villageRegister } from "../../domain/money/registers";
import { testDatabase } from "../support/db";
import { PEOPLE, trail } from "../support/money";

// What the publisher's console pages list: a village's register and a disbursement's payments, with
// names and ID numbers only as masked (never the sealed values), exits and returns as the domain wrote
// them.

describe("console registers", () => {
  it("a village's register: masked names and numbers, status and dates; an unknown village is 404", async () => {
    const { db } = await testDatabase();
    const t = await trail();
    await correctHousehold(db, t.households[1], { status: "exited", exitedOn: "2026-06-30" }, "达到退出标准", t.pub.id);
    const r = await villageRegister(db, t.v.id);
    expect(r).toMatchObject({ id: t.v.id, village: t.v.village, town: t.v.town, district: t.v.district });
    expect(r.households.map((h) => h.id)).toEqual(t.households);
    expect(r.households[0]).toMatchObject({
      nameMasked: maskName(PEOPLE[0].name),
      idMasked: maskIdNumber(PEOPLE[0].idNumber),
      members: 3,
      status: "registered",
      statusLabel: "建档立卡",
      identifiedOn: "2016-05-01",
      exitedOn: null,
      version: 1,
    });
    expect(r.households[1]).toMatchObject({
      status: "exited",
      statusLabel: "已退出",
      exitedOn: "2026-06-30",
      version: 2,
    });
    const text = JSON.stringify(r);
    for (const p of PEOPLE) {
      expect(text).not.toContain(p.name);
      expect(text).not.toContain(p.idNumber);
    }
    await expect(villageRegister(db, 2_000_000_000)).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("a disbursement's payments: newest first, masked, a return with its reason scrubbed", async () => {
    const { db } = await testDatabase();
    const t = await trail();
    const first = await createHouseholdPayment(
      db,
      {
        householdId: t.households[0],
        disbursementId: t.disbursementId,
        programme: "housing",
        period: "2026",
        amount: "500",
        paidOn: "2026-04-05",
      },
      t.pub.id,
    );
    const second = await createHouseholdPayment(
      db,
      {
        idNumber: PEOPLE[2].idNumber,
        disbursementId: t.disbursementId,
        programme: "dividend",
        period: "2026",
        amount: "300",
        paidOn: "2026-04-06",
      },
      t.pub.id,
    );
    await correctHouseholdPayment(
      db,
      first,
      { state: "returned", returnReason: "一卡通账户已销户，联系电话 13812345678" },
      "发放退回",
      t.pub.id,
    );
    const list = await paymentsOfDisbursement(db, t.disbursementId);
    expect(list.map((p) => p.id)).toEqual([second, first]);
    expect(list[1]).toMatchObject({
      householdId: t.households[0],
      nameMasked: maskName(PEOPLE[0].name),
      village: t.v.village,
      programmeLabel: "危房改造补助",
      amount: "500.00",
      state: "returned",
      stateLabel: "退回",
      status: "active",
      version: 2,
    });
    expect(list[1].returnReason).toContain("一卡通账户已销户");
    expect(list[1].returnReason).not.toContain("13812345678");
    expect(list[0]).toMatchObject({
      nameMasked: maskName(PEOPLE[2].name),
      programmeLabel: "产业扶贫分红/收益分配",
      stateLabel: "已发放",
    });
    const text = JSON.stringify(list);
    for (const p of PEOPLE) {
      expect(text).not.toContain(p.name);
      expect(text).not.toContain(p.idNumber);
    }
    expect(await paymentsOfDisbursement(db, 2_000_000_000)).toEqual([]);
  });
});
