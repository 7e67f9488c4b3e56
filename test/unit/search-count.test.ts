import { describe, expect, it } from "vitest";
import { formatCount } from "../../site/lib/search-count";

describe("formatCount: exact counts as they are, estimates as 约 …", () => {
  it("shows an exact count unchanged, however large", () => {
    expect(formatCount(0, true)).toBe("0");
    expect(formatCount(1000, true)).toBe("1000");
    expect(formatCount(123_456, true)).toBe("123456");
  });

  it("rounds an estimate to two significant figures, in 万 from ten thousand", () => {
    expect(formatCount(123_456, false)).toBe("约 12 万");
    expect(formatCount(88_704, false)).toBe("约 8.9 万");
    expect(formatCount(15_000, false)).toBe("约 1.5 万");
    expect(formatCount(10_000, false)).toBe("约 1 万");
    expect(formatCount(3449, false)).toBe("约 3400");
    expect(formatCount(1001, false)).toBe("约 1000");
  });
});
