import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  addWorkingDays,
  extendDeadline,
  filingDeadlines,
  handleDeadline,
  isWorkingDay,
  returnDeadline,
  reviewDeadline,
  type WorkCalendar,
} from "../../domain/hotline/deadlines";
import {
  allowedActions,
  assertTransition,
  nextStatus,
  TICKET_STATUSES,
  TRANSITIONS,
} from "../../domain/hotline/lifecycle";
import {
  hashReceipt,
  newReceipt,
  normalizeReceipt,
  receiptForIdempotencyKey,
  receiptMatches,
} from "../../domain/hotline/receipts";
import { route, type UnitRef } from "../../domain/hotline/routing";
import { amountsMentioned, assessTier, peopleMentioned } from "../../domain/hotline/tiering";
import { open, seal } from "../../lib/crypto";
import { CATEGORIES, cityUnitCode, DEPARTMENTS, DISTRICTS, districtUnitCode } from "../../lib/reference-data";

// The real calendar seed (the same file calendar_days is loaded from).
const cal: WorkCalendar = new Map(
  (JSON.parse(readFileSync("seed/data/holidays-cn.json", "utf8")).days as [string, boolean, string][]).map(
    ([d, off]) => [d, off],
  ),
);

describe("working-day calendar and deadlines", () => {
  it("knows weekends, holidays and adjusted workdays (调休)", () => {
    expect(isWorkingDay("2024-02-12", cal)).toBe(false); // 春节 Monday
    expect(isWorkingDay("2024-02-18", cal)).toBe(true); // Sunday, adjusted workday
    expect(isWorkingDay("2024-02-17", cal)).toBe(false); // Saturday in the holiday
    expect(isWorkingDay("2025-01-26", cal)).toBe(true); // Sunday 调休 before 2025 春节
    expect(isWorkingDay("2025-10-01", cal)).toBe(false);
    expect(isWorkingDay("2025-03-04", cal)).toBe(true);
  });

  it("退单 within 5 working days across the 2024 Spring Festival and its adjusted Sunday", () => {
    // Dispatched Thu 2024-02-08: Fri 02-09 (1), 02-10..02-17 off, Sun 02-18 调休 (2), 02-19 (3), 02-20 (4), 02-21 (5).
    expect(returnDeadline(new Date("2024-02-08T03:00:00Z"), cal)).toBe("2024-02-21");
    // Without the adjusted workday it would be 02-22: the calendar matters.
    expect(addWorkingDays("2024-02-08", 5, new Map([...cal].filter(([d]) => d !== "2024-02-18")))).toBe("2024-02-22");
  });

  it("退单 across National Day 2025 (10-01..10-08 off, Sat 10-11 调休)", () => {
    // Tue 2025-09-30 → 10-09 (1), 10-10 (2), Sat 10-11 调休 (3), 10-13 (4), 10-14 (5)
    expect(returnDeadline(new Date("2025-09-30T02:00:00Z"), cal)).toBe("2025-10-14");
  });

  it("acceptance within 15 days; a period ending on a holiday moves to the next working day", () => {
    // Received 2025-01-14 (China) → +15 = 2025-01-29, 春节 → first working day 2025-02-05.
    const d = filingDeadlines(new Date("2025-01-14T02:00:00Z"), "III", cal);
    expect(d.acceptDueOn).toBe("2025-02-05");
    expect(d.firstResponseDueAt).toBeNull();
    // Received late evening UTC = next day in China.
    const e = filingDeadlines(new Date("2024-03-01T17:00:00Z"), "I", cal);
    expect(e.acceptDueOn).toBe("2024-03-18"); // 03-02 + 15 = 03-17 Sunday → Monday 03-18
    expect(e.firstResponseDueAt?.toISOString()).toBe("2024-03-02T17:00:00.000Z");
  });

  it("handling 60 days from acceptance, extendable once by ≤ 30 days", () => {
    const due = handleDeadline(new Date("2024-08-02T02:00:00Z"), cal);
    expect(due).toBe("2024-10-08"); // 08-02 + 60 = 10-01 (国庆) → 10-08
    expect(extendDeadline({ handleDueOn: "2024-10-08", extendedDays: 0 }, 30, cal)).toBe("2024-11-07");
    expect(() => extendDeadline({ handleDueOn: "2024-10-08", extendedDays: 10 }, 5, cal)).toThrow(/一次/);
    expect(() => extendDeadline({ handleDueOn: "2024-10-08", extendedDays: 0 }, 31, cal)).toThrow(/30/);
    expect(reviewDeadline(new Date("2024-03-01T02:00:00Z"), cal)).toBe("2024-04-01"); // 03-31 Sunday → 04-01
  });
});

describe("lifecycle state machine", () => {
  it("walks the documented path", () => {
    let s = assertTransition("received", "accept");
    expect(s).toBe("accepted");
    s = assertTransition(s, "dispatch");
    s = assertTransition(s, "return", { reason: "非本单位职责" });
    expect(s).toBe("returned");
    s = assertTransition(s, "dispatch");
    s = assertTransition(s, "start");
    s = assertTransition(s, "reply", { reason: "已答复" });
    expect(s).toBe("replied");
    expect(assertTransition(s, "rate", { actor: "reporter" })).toBe("rated");
    expect(assertTransition("rated", "request_reopen", { actor: "reporter", reason: "不满意" })).toBe("reopened");
    expect(assertTransition("rated", "close")).toBe("closed");
    expect(assertTransition("closed", "request_review", { actor: "reporter", reason: "申请复核" })).toBe(
      "review_requested",
    );
    expect(assertTransition("review_requested", "dispatch")).toBe("dispatched");
    expect(assertTransition("handling", "extend", { reason: "需现场核查" })).toBe("handling");
    expect(assertTransition("received", "reject", { reason: "不属于受理范围" })).toBe("not_accepted");
    expect(assertTransition("received", "merge", { reason: "重复" })).toBe("merged");
  });

  it("refuses what the rules do not allow, with a reason", () => {
    expect(() => assertTransition("received", "reply")).toThrow(/不能执行/);
    expect(() => assertTransition("closed", "dispatch")).toThrow(/不能执行/);
    expect(() => assertTransition("replied", "accept", { actor: "reporter" })).toThrow();
    expect(() => assertTransition("dispatched", "accept")).toThrow();
    expect(() => assertTransition("replied", "close", { actor: "reporter" })).toThrow(/反映人/);
    expect(() => assertTransition("received", "reject", { reason: " " })).toThrow(/理由/);
    try {
      assertTransition("merged", "accept");
    } catch (e) {
      expect((e as { status: number }).status).toBe(409);
    }
    expect(nextStatus("not_accepted", "message")).toBeNull();
  });

  it("every status is reachable and every non-final status has a way forward", () => {
    const targets = new Set(Object.values(TRANSITIONS).map((r) => r.to));
    for (const s of TICKET_STATUSES) {
      if (s !== "received") expect(targets.has(s), s).toBe(true);
      if (!["closed", "not_accepted", "merged"].includes(s)) {
        expect(
          allowedActions(s).some((a) => TRANSITIONS[a].to !== "same"),
          s,
        ).toBe(true);
      }
    }
  });
});

describe("tiering", () => {
  it("reads amounts and people from the text", () => {
    expect(amountsMentioned("挪用扶贫资金 150 万元和 3,000 元")).toBe(1_500_000);
    expect(amountsMentioned("少发了五千元")).toBe(5000);
    expect(amountsMentioned("两万元")).toBe(20_000);
    expect(peopleMentioned("涉及 40 户贫困户")).toBe(120);
    expect(peopleMentioned("三十多人没领到")).toBe(30);
  });

  it("I–IV from category, amounts, people and rank; I–II at city level", () => {
    const base = { kind: "report", categoryCode: "housing", title: "危房", description: "补助没发" };
    expect(assessTier(base)).toMatchObject({ tier: "IV", handlingLevel: "district" });
    expect(assessTier({ ...base, description: "少发 3 万元" }).tier).toBe("III");
    expect(assessTier({ ...base, description: "截留 25 万元" })).toMatchObject({ tier: "II", handlingLevel: "city" });
    expect(assessTier({ ...base, description: "涉及 120 人" }).tier).toBe("I");
    expect(assessTier({ ...base, subjectPost: "副县长" }).tier).toBe("II");
    expect(assessTier({ ...base, categoryCode: "misconduct" }).tier).toBe("III");
    expect(assessTier({ ...base, kind: "inquiry", description: "咨询 100 万元项目" }).tier).toBe("IV");
  });
});

describe("routing", () => {
  const units = new Map<string, UnitRef>();
  let id = 1;
  const add = (code: string, name: string, level: string) =>
    units.set(code, { id: id++, code, name, level, districtId: null });
  add("city-hotline", "市12317扶贫监督举报中心", "city");
  for (const dep of DEPARTMENTS) {
    add(cityUnitCode(dep.key), dep.city, "city");
    for (const d of DISTRICTS) add(districtUnitCode(d.code, dep.key), `${d.name}${dep.district}`, "district");
  }
  const lead = (code: string) => cityUnitCode(CATEGORIES.find((c) => c.code === code)!.lead);
  const r = (kind: string, category: string, level: "city" | "district", subject?: string) =>
    route(
      {
        kind,
        categoryCode: category,
        leadUnitCode: lead(category),
        districtCode: "gaoqing",
        handlingLevel: level,
        subjectUnitCode: subject,
      },
      units,
    );

  it("category → lead department, place → district", () => {
    expect(r("complaint", "social_security", "district").unit.code).toBe("gaoqing-civil");
    expect(r("complaint", "social_security", "district").supervisingUnit.code).toBe("gaoqing-fpb");
    expect(r("complaint", "employment", "city").unit.code).toBe("city-hrss");
    expect(r("complaint", "employment", "city").supervisingUnit.code).toBe("city-hotline");
  });

  it("misconduct and fund misuse reports go to discipline inspection regardless of the lead department", () => {
    expect(r("report", "fund_management", "district").unit.code).toBe("gaoqing-discipline");
    expect(r("report", "fund_management", "city").unit.code).toBe("city-discipline");
    expect(r("report", "misconduct", "district").unit.code).toBe("gaoqing-discipline");
    expect(r("opinion", "fund_management", "district").unit.code).toBe("gaoqing-fpb");
  });

  it("never to the subject's own unit", () => {
    expect(r("complaint", "social_security", "district", "gaoqing-civil").unit.code).toBe("city-civil");
    expect(r("report", "misconduct", "district", "gaoqing-discipline").unit.code).toBe("city-discipline");
    expect(r("complaint", "identification", "city", "city-fpb").unit.code).toBe("city-hotline");
    expect(r("complaint", "employment", "city", "city-hrss").unit.code).toBe("city-fpb");
    const sup = r("complaint", "identification", "district", "gaoqing-fpb");
    expect(sup.unit.code).toBe("city-fpb");
    expect(sup.supervisingUnit.code).toBe("city-hotline");
  });
});

describe("receipts and encryption", () => {
  it("receipts carry 100 random bits, forgive typing, and only their HMAC is kept", () => {
    const r = newReceipt();
    expect(r).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){4}$/);
    expect(newReceipt()).not.toBe(r);
    const h = hashReceipt(r);
    expect(receiptMatches(r.toLowerCase().replace(/-/g, " "), h)).toBe(true);
    expect(receiptMatches(newReceipt(), h)).toBe(false);
    expect(receiptMatches(r, null)).toBe(false);
    expect(normalizeReceipt("oooo-iiii-llll-0000-1111")).toBe("00001111111100001111");
    expect(receiptForIdempotencyKey("a-key-of-sixteen-chars")).toBe(receiptForIdempotencyKey("a-key-of-sixteen-chars"));
  });

  it("AES-256-GCM round trip; tampering and a wrong purpose are refused", () => {
    const sealed = seal('{"name":"张三"}', "ticket-reporter");
    expect(sealed.keyId).toBe("k1");
    expect(sealed.data).not.toContain("张三");
    expect(open(sealed, "ticket-reporter")).toBe('{"name":"张三"}');
    expect(() => open(sealed, "other")).toThrow();
    const bytes = Buffer.from(sealed.data, "base64");
    bytes[14] ^= 1;
    expect(() => open({ ...sealed, data: bytes.toString("base64") }, "ticket-reporter")).toThrow();
    expect(() => open({ ...sealed, keyId: "k0" }, "ticket-reporter")).toThrow(/not configured/);
  });
});

describe("the /report form mapping", () => {
  it("maps form fields to the JSON contract and error paths back to fields", async () => {
    const { fieldErrors, formValues, toInput } = await import("../../site/lib/report-form");
    const form = new FormData();
    for (const [k, v] of Object.entries({
      kind: "report",
      category: "misconduct",
      title: "标题",
      description: "内容",
      district: "高青县",
      subjectUnit: "高青县扶贫办",
      anonymous: "no",
      name: "张三",
      phone: "138 0000 0001",
      contact: "sms",
      token: "t".repeat(20),
    }))
      form.set(k, v);
    const input = toInput(formValues(form));
    expect(input).toMatchObject({
      kind: "report",
      subject: { unit: "高青县扶贫办" },
      reporter: { anonymous: false, name: "张三", phone: "138 0000 0001", contact: "sms" },
    });
    const anon = new FormData();
    anon.set("anonymous", "yes");
    anon.set("name", "不应保存");
    expect(toInput(formValues(anon)).reporter).toEqual({ anonymous: true });
    expect(
      fieldErrors([
        { path: "reporter.phone", message: "手机号码不对" },
        { path: "district", message: "请选择区县" },
        { path: "unknown", message: "x" },
      ]),
    ).toEqual({ phone: "手机号码不对", district: "请选择区县" });
  });
});
