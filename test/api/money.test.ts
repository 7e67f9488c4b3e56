import { sql } from "drizzle-orm";
import iconv from "iconv-lite";
import { describe, expect, it } from "vitest";
import { verifyAuditChain } from "../../domain/audit/audit-log";
import { createDisbursement } from "../../domain/money/disbursements";
import { exec, type Signed, staff } from "../support/console";
import { testDatabase } from "../support/db";
import { api, expectEnvelope } from "../support/http";
import { idn, PAYMENT_HEADER, PEOPLE, trail, upload } from "../support/money";

// The money trail to the household: disbursements never exceed their allocation (also under
// concurrency), the household register sealed and found only by keyed hash, payments refused row by
// row, versions and audit for every write, and 查询本人补贴 with its hotline link.

/** POST a disbursement of `amount` from the allocation to 某村 (voucher V2, 2026-05-01). */
const disburseToVillage = (pub: Signed, allocationId: number, amount: string) =>
  pub.call("/api/disbursements", {
    method: "POST",
    json: {
      allocationId,
      disbursedOn: "2026-05-01",
      amount,
      voucherNo: "V2",
      recipientKind: "village",
      recipient: "某村",
    },
  });

/** POST a 2026 housing payment to a household (by id or ID number) from the disbursement. */
const payHousing = (
  pub: Signed,
  household: { householdId: number } | { idNumber: string },
  disbursementId: number,
  amount: string,
  paidOn: string,
) =>
  pub.call("/api/household-payments", {
    method: "POST",
    json: { ...household, disbursementId, programme: "housing", period: "2026", amount, paidOn },
  });

describe("disbursements", () => {
  it("never add up to more than the allocation: refused with a clear Chinese error, nothing written", async () => {
    const { pub, allocationId } = await trail("100000.00", "60000.00");
    const over = await disburseToVillage(pub, allocationId, "40000.01");
    expect(over.status).toBe(409);
    expect(expectEnvelope(over.body).message).toContain("最多还可拨付 40,000.00 元");
    const ok = await disburseToVillage(pub, allocationId, "40000.00");
    expect(ok.status).toBe(201);
    expect(ok.body.versions).toHaveLength(1);
    const [{ n }] = await exec(sql`SELECT count(*)::int AS n FROM disbursements`);
    expect(n).toBe(2);
  });

  it("concurrent disbursements of the same allocation cannot both pass", async () => {
    const { db } = await testDatabase();
    const { pub, allocationId } = await trail("100000.00", "50000.00");
    const one = (voucherNo: string) =>
      createDisbursement(
        db,
        {
          allocationId,
          disbursedOn: "2026-05-01",
          amount: "30000.00",
          voucherNo,
          recipientKind: "unit",
          recipient: "县住建局",
        },
        pub.id,
      ).then(
        () => "ok",
        (e) => e.code,
      );
    const results = await Promise.all([one("A"), one("B"), one("C")]);
    expect(results.filter((r) => r === "ok")).toHaveLength(1);
    expect(results.filter((r) => r === "CONFLICT")).toHaveLength(2);
    const [{ s }] = await exec(sql`SELECT sum(amount)::text AS s FROM disbursements WHERE status = 'active'`);
    expect(s).toBe("80000.00");
  });

  it("corrections and withdrawals are public versions with reasons, each audited in its own transaction", async () => {
    const { db } = await testDatabase();
    const { pub, disbursementId } = await trail();
    const bad = await pub.call(`/api/disbursements/${disbursementId}/corrections`, {
      method: "POST",
      json: { amount: "100000.01", reason: "按凭证更正" },
    });
    expect(bad.status).toBe(409);
    const c = await pub.call(`/api/disbursements/${disbursementId}/corrections`, {
      method: "POST",
      json: { amount: "55000.00", reason: "按凭证更正" },
    });
    expect(c.status).toBe(201);
    expect(c.body.versions.map((v: { kind: string }) => v.kind)).toEqual(["correction", "original"]);
    const w = await pub.call(`/api/disbursements/${disbursementId}/withdrawal`, {
      method: "POST",
      json: { reason: "重复录入" },
    });
    expect(w.status).toBe(201);
    expect(w.body.status).toBe("withdrawn");
    const actions = (await exec(sql`SELECT action FROM audit_log WHERE action LIKE 'disbursement.%' ORDER BY id`)).map(
      (a) => a.action,
    );
    expect(actions).toEqual(["disbursement.create", "disbursement.correct", "disbursement.withdraw"]);
    expect(await verifyAuditChain(db)).toMatchObject({ ok: true });
  });

  it("writes need a publisher session and CSRF token", async () => {
    const r = await api("/api/disbursements", { method: "POST", json: {} });
    expect(r.status).toBe(401);
    const handler = await staff("handler", "city-fpb");
    const r2 = await handler.call("/api/disbursements", { method: "POST", json: {} });
    expect(r2.status).toBe(403);
  });
});

describe("household register", () => {
  it("seals names and ID numbers: the table holds neither, and the audit log neither", async () => {
    await trail();
    const dump = JSON.stringify(await exec(sql`SELECT * FROM households`));
    const audit = JSON.stringify(await exec(sql`SELECT * FROM audit_log`));
    const versions = JSON.stringify(await exec(sql`SELECT * FROM money_versions`));
    for (const p of PEOPLE) {
      for (const text of [dump, audit, versions]) {
        expect(text).not.toContain(p.idNumber);
        expect(text).not.toContain(p.name);
      }
    }
    expect(dump).toContain("张*明");
    expect(dump).toContain("3703**********");
  });

  it("refuses a second registration of the same ID number and a wrong check digit", async () => {
    const { pub, v } = await trail();
    const dup = await pub.call("/api/households", {
      method: "POST",
      json: { villageId: v.id, ...PEOPLE[0], members: 2 },
    });
    expect(dup.status).toBe(409);
    const wrong = await pub.call("/api/households", {
      method: "POST",
      json: { villageId: v.id, name: "赵六", idNumber: "370322198001011230", members: 2 },
    });
    expect(wrong.status).toBe(400);
    expect(expectEnvelope(wrong.body).details).toEqual([
      { path: "idNumber", message: expect.stringContaining("校验位") },
    ]);
  });
});

describe("household payments", () => {
  it("refuses payments row by row: unknown ID, twice for the same programme and period, over the disbursement", async () => {
    const { pub, disbursementId } = await trail("100000.00", "10000.00");
    const line = (p: { idNumber: string; name: string }, amount: string, period = "2026") =>
      `${p.idNumber},${p.name},${disbursementId},危房改造补助,${period},${amount},2026-06-01,已发放,`;
    const stranger = idn("37032219991231000");
    const file = [
      PAYMENT_HEADER,
      line(PEOPLE[0], "3000.00"),
      line({ idNumber: stranger, name: "陌生人" }, "100.00"),
      line(PEOPLE[1], "3000.00"),
      line(PEOPLE[1], "100.00"),
      line(PEOPLE[2], "3000.00"),
      line(PEOPLE[3], "1000.01"),
    ].join("\r\n");
    const r = await upload(pub, iconv.encode(file, "gbk"));
    expect(r.status, r.text).toBe(400);
    expect(r.body.error.details?.problems, r.text).toBeDefined();
    const problems = r.body.error.details.problems as {
      row: number;
      column: string;
      problem: string;
      value: string | null;
    }[];
    expect(problems.map((p) => [p.row, p.column])).toEqual([
      [3, "身份证号码"],
      [5, "期次"],
      [7, "金额"],
    ]);
    expect(JSON.stringify(r.body)).not.toContain(stranger);
    expect(problems[0].value).toBe(`${stranger.slice(0, 4)}**********${stranger.slice(-4)}`);
    expect((await exec(sql`SELECT count(*)::int AS n FROM household_payments`))[0].n).toBe(0);
    expect((await exec(sql`SELECT count(*)::int AS n FROM household_payment_batches`))[0].n).toBe(0);

    const fixed = [
      PAYMENT_HEADER,
      line(PEOPLE[0], "3000.00"),
      line(PEOPLE[1], "3000.00"),
      line(PEOPLE[2], "3000.00"),
      line(PEOPLE[3], "1000.00"),
    ].join("\r\n");
    const ok = await upload(pub, iconv.encode(fixed, "gbk"));
    expect(ok.status).toBe(201);
    expect(ok.body).toMatchObject({ encoding: "gbk", count: 4, total: "10000.00" });
    const again = await payHousing(pub, { idNumber: PEOPLE[0].idNumber }, disbursementId, "1.00", "2026-06-02");
    expect(again.status).toBe(409);
    expect(expectEnvelope(again.body).message).toContain("已经发放过");
    const [a] = await exec(sql`SELECT details FROM audit_log WHERE action = 'household_payment.import'`);
    expect(JSON.stringify(a.details)).not.toContain(PEOPLE[0].idNumber);
  });

  it("a withdrawn payment frees its period; a correction cannot exceed the disbursement", async () => {
    const { pub, disbursementId, households } = await trail("100000.00", "5000.00");
    const first = await payHousing(pub, { householdId: households[0] }, disbursementId, "4000.00", "2026-06-01");
    expect(first.status).toBe(201);
    const tooMuch = await pub.call(`/api/household-payments/${first.body.id}/corrections`, {
      method: "POST",
      json: { amount: "5000.01", reason: "按名册更正" },
    });
    expect(tooMuch.status).toBe(409);
    const returned = await pub.call(`/api/household-payments/${first.body.id}/corrections`, {
      method: "POST",
      json: { state: "returned", returnReason: "一卡通账户已销户", reason: "银行退回" },
    });
    expect(returned.status).toBe(201);
    const w = await pub.call(`/api/household-payments/${first.body.id}/withdrawal`, {
      method: "POST",
      json: { reason: "录错户" },
    });
    expect(w.status).toBe(201);
    const second = await payHousing(pub, { householdId: households[0] }, disbursementId, "5000.00", "2026-06-05");
    expect(second.status).toBe(201);
    const kinds = (
      await exec(sql`SELECT kind FROM money_versions WHERE subject_type = 'household_payment' ORDER BY id`)
    ).map((k) => k.kind);
    expect(kinds).toEqual(["original", "correction", "withdrawal", "original"]);
  });
});

describe("查询本人补贴", () => {
  async function paid() {
    const t = await trail("100000.00", "10000.00");
    const r = await payHousing(t.pub, { householdId: t.households[0] }, t.disbursementId, "3000.00", "2026-06-01");
    expect(r.status).toBe(201);
    return { ...t, paymentId: r.body.id as number };
  }
  const check = (idNumber: string, name: string) =>
    api("/api/payments/check", { method: "POST", json: { idNumber, name } });

  it("both the ID number and the name must match; the answer shows only masked identity and own payments", async () => {
    const { paymentId } = await paid();
    const r = await check(PEOPLE[0].idNumber, PEOPLE[0].name);
    expect(r.status).toBe(200);
    expect(r.body.household).toMatchObject({
      nameMasked: "张*明",
      idMasked: `3703**********${PEOPLE[0].idNumber.slice(-4)}`,
    });
    expect(r.body.payments).toEqual([
      expect.objectContaining({ id: paymentId, amount: "3000.00", programmeLabel: "危房改造补助" }),
    ]);
    expect(r.text).not.toContain(PEOPLE[0].idNumber);
    expect(r.text).not.toContain(PEOPLE[0].name);
    expect(r.headers.get("cache-control")).toContain("no-store");
    // Another household of the register sees nothing of the first.
    const other = await check(PEOPLE[1].idNumber, PEOPLE[1].name);
    expect(other.status).toBe(200);
    expect(other.body.payments).toEqual([]);
  });

  it("a wrong name, a stranger's number and an unregistered number get the same answer", async () => {
    await paid();
    const wrongName = await check(PEOPLE[0].idNumber, "张三");
    const stranger = await check(PEOPLE[1].idNumber, PEOPLE[0].name);
    const unknown = await check(idn("37032219991231000"), PEOPLE[0].name);
    for (const r of [wrongName, stranger, unknown]) expect(r.status).toBe(404);
    expect(wrongName.body).toEqual(stranger.body);
    expect(stranger.body).toEqual(unknown.body);
    const counts = await exec(sql`SELECT outcome, n::int AS n FROM payment_check_counts ORDER BY outcome`);
    expect(counts).toEqual([{ outcome: "not_found", n: 3 }]);
  });

  it("throttles a client after 20 failures, without locking the household out from another client", async () => {
    const { app } = await import("../../api/app");
    await paid();
    const from = (address: string, name: string) =>
      app.request(
        "/api/payments/check",
        {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ idNumber: PEOPLE[0].idNumber, name }),
        },
        { clientAddress: address },
      );
    for (let i = 0; i < 20; i++) expect((await from("10.9.9.9", `猜${i}`)).status).toBe(404);
    const blocked = await from("10.9.9.9", PEOPLE[0].name);
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get("retry-after"))).toBeGreaterThan(0);
    const household = await from("10.1.1.1", PEOPLE[0].name);
    expect(household.status).toBe(200);
  });

  it("“没收到这笔钱” files a hotline complaint linked to the payment, anonymously", async () => {
    const { paymentId } = await paid();
    const r = await check(PEOPLE[0].idNumber, PEOPLE[0].name);
    const rep = await api("/api/payments/report-missing", {
      method: "POST",
      json: {
        token: r.body.reportToken,
        paymentId,
        note: "村里说钱已经打到卡上，但卡上没有",
        reporter: { anonymous: true },
      },
    });
    expect(rep.status).toBe(201);
    expect(rep.body.number).toBeTruthy();
    const [t] = await exec(
      sql`SELECT t.title, t.description, t.category_code, t.reporter_anonymous, pr.payment_id FROM tickets t
          JOIN payment_reports pr ON pr.ticket_id = t.id WHERE t.number = ${rep.body.number}`,
    );
    expect(t).toMatchObject({ category_code: "housing", reporter_anonymous: true, payment_id: paymentId });
    expect(t.title).toContain("没收到这笔钱");
    expect(t.description).not.toContain(PEOPLE[0].idNumber);
    // The token only covers that household's payments.
    const forged = await api("/api/payments/report-missing", {
      method: "POST",
      json: { token: `${r.body.reportToken}x`, paymentId },
    });
    expect(forged.status).toBe(410);
  });
});
