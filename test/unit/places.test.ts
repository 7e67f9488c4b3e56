import { describe, expect, it } from "vitest";
import { matchPlace, type PlaceRows } from "../../domain/reference/places";

const rows: PlaceRows = {
  districts: new Map([
    ["高青县", { id: 1, code: "370322", name: "高青县" }],
    ["沂源县", { id: 2, code: "370323", name: "沂源县" }],
  ]),
  towns: [
    { id: 10, districtId: 1, name: "田镇街道" },
    { id: 11, districtId: 1, name: "黑里寨镇" },
    { id: 20, districtId: 2, name: "南麻街道" },
  ],
  villages: [
    { id: 100, townId: 10, name: "东村" },
    { id: 101, townId: 11, name: "东村" },
    { id: 102, townId: 11, name: "北村" },
    { id: 200, townId: 20, name: "北村" },
  ],
};

describe("place names → ids", () => {
  it("resolves a district, a town in it, a village in the town", () => {
    expect(matchPlace(rows, { district: "高青县" })).toEqual({
      districtId: 1,
      district: "高青县",
      districtCode: "370322",
      townId: null,
      town: null,
      villageId: null,
      village: null,
    });
    expect(matchPlace(rows, { district: "高青县", town: "黑里寨镇", village: "东村" })).toMatchObject({
      townId: 11,
      villageId: 101,
    });
  });

  it("finds the town of a village named without one, when the name is unique in the district", () => {
    expect(matchPlace(rows, { district: "高青县", village: "北村" })).toMatchObject({
      townId: 11,
      town: "黑里寨镇",
      villageId: 102,
    });
  });

  it("names the field that is wrong", () => {
    const fieldOf = (input: Parameters<typeof matchPlace>[1]) => {
      try {
        matchPlace(rows, input);
      } catch (err) {
        return [(err as { field: string }).field, (err as Error).message];
      }
      return null;
    };
    expect(fieldOf({ district: "火星县" })).toEqual(["district", "未知的区县：火星县"]);
    expect(fieldOf({ district: "沂源县", town: "田镇街道" })).toEqual(["town", "沂源县没有名为“田镇街道”的镇（街道）"]);
    expect(fieldOf({ district: "沂源县", village: "东村" })).toEqual(["village", "沂源县没有名为“东村”的村"]);
    expect(fieldOf({ district: "高青县", village: "东村" })).toEqual([
      "village",
      "高青县有多个“东村”，请同时填写镇（街道）",
    ]);
  });
});
