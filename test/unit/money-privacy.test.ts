import { describe, expect, it } from "vitest";
import {
  idCheckChar,
  isListPublic,
  isValidIdNumber,
  listPublicUntil,
  maskIdNumber,
  maskName,
  normalizeIdNumber,
  publishAggregate,
  scrubPersonalText,
  suppressCount,
} from "../../domain/money/privacy";

const id = (first17: string) => `${first17}${idCheckChar(first17)}`;

describe("privacy rules for household data", () => {
  it("masks names: middle characters starred, two-character names keep only the surname", () => {
    expect(maskName("张三明")).toBe("张*明");
    expect(maskName("李四")).toBe("李*");
    expect(maskName("欧阳小明")).toBe("欧**明");
    expect(maskName(" 王 ")).toBe("王*");
    expect(maskName("")).toBe("*");
  });

  it("shows at most the first four and last four characters of an ID number", () => {
    expect(maskIdNumber("370322198001011234")).toBe("3703**********1234");
    expect(maskIdNumber("3703 2219 8001 01123x")).toBe("3703**********123X");
    expect(maskIdNumber("1234")).toBe("****");
  });

  it("checks ID numbers with the GB 11643 check character", () => {
    const good = id("37032219800101123");
    expect(isValidIdNumber(good)).toBe(true);
    const wrong = `${good.slice(0, 17)}${good[17] === "0" ? "1" : "0"}`;
    expect(isValidIdNumber(wrong)).toBe(false);
    expect(isValidIdNumber("37032219800101")).toBe(false);
    expect(normalizeIdNumber(" 3703-2219800101123x ")).toBe("37032219800101123X");
  });

  it("scrubs ID, phone and bank card numbers out of free text", () => {
    const good = id("37032219800101123");
    const out = scrubPersonalText(`户主${good}，电话 138 1234 5678 或 0533-1234567，卡号 6217002340001234567 退回`);
    expect(out).not.toContain(good);
    expect(out).toContain(maskIdNumber(good));
    expect(out).not.toMatch(/138\s?1234/);
    expect(out).not.toContain("1234567");
    expect(out).not.toContain("6217002340001234567");
    expect(scrubPersonalText("账户已销户，2026 年补发")).toBe("账户已销户，2026 年补发");
  });

  it("keeps a list public through its period, open objections and the retention days, then not", () => {
    const list = { periodStart: "2026-11-01", periodEnd: "2026-11-10" };
    expect(listPublicUntil(list, 30)).toBe("2026-12-10");
    expect(isListPublic(list, "2026-10-31", 30)).toBe(false);
    expect(isListPublic(list, "2026-11-05", 30)).toBe(true);
    expect(isListPublic(list, "2026-12-10", 30)).toBe(true);
    expect(isListPublic(list, "2026-12-11", 30)).toBe(false);
    expect(isListPublic({ ...list, objectionsOpen: true }, "2027-03-01", 30)).toBe(true);
    expect(isListPublic({ ...list, lastObjectionClosedOn: "2026-12-01" }, "2026-12-31", 30)).toBe(true);
    expect(isListPublic({ ...list, lastObjectionClosedOn: "2026-12-01" }, "2027-01-01", 30)).toBe(false);
    expect(isListPublic({ ...list, withdrawn: true }, "2026-11-05", 30)).toBe(false);
    expect(isListPublic(list, "2026-11-11", 0)).toBe(false);
  });

  it("suppresses cells of one or two households", () => {
    expect(suppressCount(0)).toBe(0);
    expect(suppressCount(1)).toBeNull();
    expect(suppressCount(2)).toBeNull();
    expect(suppressCount(3)).toBe(3);
    expect(publishAggregate({ key: "x", households: 2, amount: "100.00" })).toEqual({
      key: "x",
      households: null,
      amount: null,
      suppressed: true,
    });
    expect(publishAggregate({ key: "x", households: 5, amount: "100.00" }).amount).toBe("100.00");
  });
});
