import { describe, expect, it } from "vitest";
import { publicTime, staffTime } from "../../lib/time-format";

describe("times a person reads are Beijing time", () => {
  it("formats one instant the same way whatever the process's time zone", () => {
    const at = new Date("2026-12-05T06:21:00Z");
    expect(staffTime(at)).toBe("2026-12-05 14:21");
    expect(publicTime(at)).toBe("2026年12月5日 14:21");
    expect(staffTime("2026-12-31T16:30:00.000Z")).toBe("2027-01-01 00:30");
    expect(staffTime(null)).toBe("");
    expect(staffTime("not a time")).toBe("");
  });
});
