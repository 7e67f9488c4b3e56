import { describe, expect, it } from "vitest";
import { backoffDelay } from "../../lib/backoff";
import { addDays, chinaDate, daysBetween, todayCn } from "../../lib/china-date";

describe("China dates", () => {
  it("takes the date in UTC+8", () => {
    expect(chinaDate(new Date("2026-12-31T15:59:59Z"))).toBe("2026-12-31");
    expect(chinaDate(new Date("2026-12-31T16:00:00Z"))).toBe("2027-01-01");
    expect(todayCn(new Date("2026-03-01T00:00:00+08:00"))).toBe("2026-03-01");
  });
  it("adds and counts calendar days across month and year ends", () => {
    expect(addDays("2026-02-27", 2)).toBe("2026-03-01");
    expect(addDays("2026-12-31", 1)).toBe("2027-01-01");
    expect(addDays("2026-03-01", -1)).toBe("2026-02-28");
    expect(daysBetween("2026-12-25", "2027-01-04")).toBe(10);
  });
});

describe("backoff", () => {
  it("doubles from the base up to the cap", () => {
    const o = { base: 30, max: 600 };
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, o))).toEqual([30, 60, 120, 240, 480, 600]);
    expect(backoffDelay(1000, o)).toBe(600);
  });
  it("spreads within the jitter", () => {
    for (let i = 0; i < 50; i++) {
      const d = backoffDelay(3, { base: 1000, max: 60_000, jitter: 0.2 });
      expect(d).toBeGreaterThanOrEqual(3200);
      expect(d).toBeLessThanOrEqual(4800);
    }
  });
});
