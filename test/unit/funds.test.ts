import iconv from "iconv-lite";
import { describe, expect, it } from "vitest";
import { decodeCsv, looksLikeMojibake } from "../../domain/funds/import";
import { parseLevel } from "../../domain/funds/labels";
import { formatMoney, formatWan, parseMoney } from "../../domain/funds/money";
import { daysLeft, noticeState, periodEndFor, todayCn } from "../../domain/notices/state";

describe("money", () => {
  it("parses decimal strings exactly and says what is wrong", () => {
    expect(parseMoney("120000")).toEqual({ ok: true, value: "120000.00" });
    expect(parseMoney(" 1,200.5 ")).toEqual({ ok: true, value: "1200.50" });
    expect(parseMoney("0.1")).toEqual({ ok: true, value: "0.10" });
    expect(parseMoney("007.25")).toEqual({ ok: true, value: "7.25" });
    expect(parseMoney("-1")).toEqual({ ok: false, problem: "negative" });
    expect(parseMoney("1.005")).toEqual({ ok: false, problem: "too_many_decimals" });
    expect(parseMoney("12a")).toEqual({ ok: false, problem: "malformed" });
    expect(parseMoney("1e5")).toEqual({ ok: false, problem: "malformed" });
    expect(parseMoney("")).toEqual({ ok: false, problem: "empty" });
    expect(parseMoney("1234567890123")).toEqual({ ok: false, problem: "too_large" });
  });
  it("formats without floats", () => {
    expect(formatMoney("1234567.50")).toBe("1,234,567.50");
    expect(formatMoney("999999999999.99")).toBe("999,999,999,999.99");
    expect(formatWan("123456789.99")).toBe("12,345.68");
    expect(formatWan("4999.99")).toBe("0.50");
  });
  it("understands the levels people type", () => {
    expect(parseLevel("中央")).toBe("central");
    expect(parseLevel("省级")).toBe("provincial");
    expect(parseLevel("县")).toBe("county");
    expect(parseLevel("乡")).toBeNull();
  });
});

describe("notice periods", () => {
  it("counts the period inclusively and computes the state from the date", () => {
    expect(periodEndFor("2018-11-01", 10)).toBe("2018-11-10");
    const n = { status: "published", periodStart: "2018-11-01", periodEnd: "2018-11-10", supersededById: null };
    expect(noticeState(n, "2018-11-08")).toBe("in_period");
    expect(daysLeft("2018-11-10", "2018-11-08")).toBe(3);
    expect(noticeState(n, "2018-11-10")).toBe("in_period");
    expect(noticeState(n, "2018-11-11")).toBe("ended");
    expect(noticeState({ ...n, supersededById: 2 }, "2018-11-08")).toBe("amended");
    expect(noticeState({ ...n, status: "withdrawn" }, "2018-11-08")).toBe("withdrawn");
    expect(noticeState({ ...n, status: "draft" }, "2018-11-08")).toBe("draft");
  });
  it("uses China's date, not UTC's", () => {
    expect(todayCn(new Date("2026-11-28T17:00:00Z"))).toBe("2026-11-29");
    expect(todayCn(new Date("2026-11-28T15:59:00Z"))).toBe("2026-11-28");
  });
});

describe("CSV decoding", () => {
  const text = "年度,资金级次,资金名称\r\n2018,中央,中央财政专项扶贫资金\r\n";
  it("detects UTF-8 (with BOM) and GBK", () => {
    expect(decodeCsv(new Uint8Array(Buffer.from(`\uFEFF${text}`, "utf8")))).toEqual({ text, encoding: "utf-8" });
    expect(decodeCsv(new Uint8Array(iconv.encode(text, "gbk")))).toEqual({ text, encoding: "gbk" });
  });
  it("recognises mojibake and leaves honest Chinese alone", () => {
    expect(looksLikeMojibake(text)).toBe(false);
    expect(looksLikeMojibake("淄财农〔2018〕12号 高青县 常家镇 黄河滩区迁建")).toBe(false);
    expect(looksLikeMojibake(iconv.decode(Buffer.from(text, "utf8"), "gbk"))).toBe(true);
    expect(looksLikeMojibake(Buffer.from(text, "utf8").toString("latin1"))).toBe(true);
    expect(looksLikeMojibake("锟斤拷")).toBe(true);
  });
});
