import { sql } from "drizzle-orm";
import iconv from "iconv-lite";
import { describe, expect, it } from "vitest";
import { app } from "../../api/app";
import { rows } from "../../db/client";
import type { FieldErrors, ImportProblems, KeyRow } from "../support/api-types";
import { staff } from "../support/console";
import { testDatabase } from "../support/db";
import { api, expectEnvelope } from "../support/http";

/** A summary row: its key, how many allocations and their sum. */
type SumRow = KeyRow & { count: number; sum: string };

// Fund allocations: filters, sums, summaries, versions, exports, import (all or nothing), errors.

const base = {
  year: 2018,
  level: "中央",
  fundName: "中央财政专项扶贫资金",
  docNumber: "淄财农〔2018〕12号",
  district: "高青县",
  category: "产业扶贫",
  amount: "100000.00",
  purpose: "扶贫车间建设",
};

async function villagesOf(district: string) {
  const { db } = await testDatabase();
  return rows<{ town: string; village: string }>(
    db,
    sql`SELECT t.name AS town, v.name AS village FROM villages v JOIN towns t ON t.id = v.town_id JOIN districts d ON d.id = t.district_id
        WHERE d.name = ${district} ORDER BY v.id LIMIT 4`,
  );
}

async function seedSome() {
  const pub = await staff("publisher", "city-fpb");
  const [a, b] = await villagesOf("高青县");
  const [z] = await villagesOf("淄川区");
  const inputs = [
    { ...base, town: a.town, village: a.village, amount: "100000.10" },
    {
      ...base,
      town: a.town,
      village: a.village,
      amount: "0.20",
      docNumber: "淄财农〔2018〕13号",
      purpose: "光伏扶贫电站运维",
    },
    {
      ...base,
      town: b.town,
      village: b.village,
      level: "省级",
      fundName: "省级财政专项扶贫资金",
      amount: "55555.55",
      category: "危房改造",
    },
    { ...base, year: 2019, town: b.town, amount: "12.34", level: "市级", fundName: "市级财政专项扶贫资金" },
    {
      ...base,
      district: "淄川区",
      town: z.town,
      village: z.village,
      amount: "700.00",
      level: "县级",
      fundName: "县级财政专项扶贫资金",
    },
  ];
  const ids: number[] = [];
  for (const json of inputs) {
    const r = await pub.call("/api/funds", { method: "POST", json });
    expect(r.status, r.text).toBe(201);
    ids.push(r.body.id);
  }
  return { pub, ids, a, b, z };
}

describe("GET /api/funds", () => {
  it("filters by every field and sums all matching rows exactly", async () => {
    const { a, b } = await seedSome();
    const all = await api("/api/funds");
    expect(all.status).toBe(200);
    expect(all.body.total).toBe(5);
    expect(all.body.sum).toBe("156268.19");

    const cases: [string, number, string][] = [
      ["year=2018", 4, "156255.85"],
      ["year=2019", 1, "12.34"],
      ["level=省级", 1, "55555.55"],
      ["level=central", 2, "100000.30"],
      ["district=高青县", 4, "155568.19"],
      [`district=高青县&town=${a.town}`, a.town === b.town ? 4 : 2, a.town === b.town ? "155568.19" : "100000.30"],
      [`district=高青县&town=${a.town}&village=${a.village}`, 2, "100000.30"],
      [`district=高青县&town=${b.town}&village=${b.village}`, 1, "55555.55"],
      ["category=危房改造", 1, "55555.55"],
      ["category=industry", 4, "100712.64"],
      ["q=光伏", 1, "0.20"],
      ["q=13号", 1, "0.20"],
      ["district=淄川区&year=2018&level=县级", 1, "700.00"],
    ];
    for (const [query, total, sum] of cases) {
      const r = await api(`/api/funds?${encodeURI(query)}`);
      expect(r.status, query).toBe(200);
      expect([r.body.total, r.body.sum], query).toEqual([total, sum]);
    }
  });

  it("pages and sorts, and the sum covers all rows, not just the page", async () => {
    await seedSome();
    const r = await api("/api/funds?pageSize=2&page=2&sort=-amount");
    expect(r.status).toBe(200);
    expect(r.body.items.map((i: { amount: string }) => i.amount)).toEqual(["700.00", "12.34"]);
    expect(r.body.total).toBe(5);
    expect(r.body.sum).toBe("156268.19");
    const asc = await api("/api/funds?sort=amount&pageSize=1");
    expect(asc.body.items[0].amount).toBe("0.20");
    const big = await api("/api/funds?pageSize=201");
    expect(big.status).toBe(400);
    expect(expectEnvelope(big.body).message).toContain("200");
    expect((await api("/api/funds?sort=bogus")).status).toBe(400);
  });

  it("rejects unknown places, categories, levels and years with a 400 naming the field", async () => {
    const cases: [string, string][] = [
      ["district=火星县", "district"],
      ["district=高青县&town=不存在镇", "town"],
      ["district=高青县&village=不存在村", "village"],
      ["town=常家镇", "town"],
      ["category=炼金", "category"],
      ["level=乡级", "level"],
      ["year=1999", "year"],
      ["year=20x8", "year"],
    ];
    for (const [query, field] of cases) {
      const r = await api(`/api/funds?${encodeURI(query)}`);
      expect(r.status, query).toBe(400);
      const e = expectEnvelope(r.body);
      expect((e.details as FieldErrors)[0].path, query).toBe(field);
    }
  });
});

describe("GET /api/funds/summary", () => {
  it("groups by each dimension with the same filters", async () => {
    await seedSome();
    const d = await api("/api/funds/summary?groupBy=district&year=2018");
    expect(d.status).toBe(200);
    expect(d.body.rows).toEqual([
      { key: "淄川区", value: "淄川区", count: 1, sum: "700.00" },
      { key: "高青县", value: "高青县", count: 3, sum: "155555.85" },
    ]);
    const y = await api("/api/funds/summary?groupBy=year");
    expect(y.body.rows.map((r: SumRow) => [r.key, r.sum])).toEqual([
      ["2018", "156255.85"],
      ["2019", "12.34"],
    ]);
    const l = await api("/api/funds/summary?groupBy=level");
    expect(l.body.rows.map((r: SumRow) => r.key)).toEqual(["中央", "省级", "市级", "县级"]);
    const c = await api(`/api/funds/summary?groupBy=category&${encodeURI("district=高青县")}`);
    expect(c.body.rows.map((r: SumRow) => [r.key, r.count])).toEqual([
      ["产业扶贫", 3],
      ["危房改造", 1],
    ]);
    const t = await api(`/api/funds/summary?groupBy=town&${encodeURI("district=高青县")}`);
    expect(t.body.rows.reduce((n: number, r: SumRow) => n + r.count, 0)).toBe(4);
    const v = await api(`/api/funds/summary?groupBy=village&${encodeURI("district=高青县")}`);
    expect(v.body.rows.some((r: SumRow) => r.key === "（镇办本级）")).toBe(true);
    expect((await api("/api/funds/summary?groupBy=planet")).status).toBe(400);
    expect((await api("/api/funds/summary")).status).toBe(400);
  });
});

describe("publishing allocations", () => {
  it("needs a publisher session", async () => {
    expect((await api("/api/funds", { method: "POST", json: base })).status).toBe(401);
    const handler = await staff("handler", "city-fpb", "h1");
    expect((await handler.call("/api/funds", { method: "POST", json: base })).status).toBe(403);
    const r = await api("/api/funds/import", { method: "POST", body: "x", headers: { "content-type": "text/csv" } });
    expect(r.status).toBe(401);
  });

  it("rejects negative, malformed and over-precise amounts, bad years and unknown places", async () => {
    const pub = await staff("publisher", "city-fpb");
    const bad: [Record<string, unknown>, string, string][] = [
      [{ amount: "-5.00" }, "amount", "负数"],
      [{ amount: "12a" }, "amount", "格式"],
      [{ amount: "1.234" }, "amount", "两位小数"],
      [{ amount: "" }, "amount", "不能为空"],
      [{ year: 1990 }, "year", "年份"],
      [{ year: 2099 }, "year", "年份"],
      [{ district: "火星县" }, "district", "火星县"],
      [{ town: "不存在镇" }, "town", "不存在镇"],
      [{ town: "常家镇", village: "不存在村" }, "village", "不存在村"],
      [{ level: "乡级" }, "level", "级次"],
    ];
    for (const [over, field, text] of bad) {
      const r = await pub.call("/api/funds", { method: "POST", json: { ...base, ...over } });
      expect(r.status, JSON.stringify(over)).toBe(400);
      const e = expectEnvelope(r.body);
      expect((e.details as FieldErrors)[0].path).toBe(field);
      expect(e.message).toContain(text);
    }
    expect((await api("/api/funds")).body.total).toBe(0);
  });

  it("keeps every version: a correction and a withdrawal are public versions with reasons", async () => {
    const { pub, ids } = await seedSome();
    const id = ids[0];
    const c = await pub.call(`/api/funds/${id}/corrections`, {
      method: "POST",
      json: { amount: "99000.00", reason: "录入错误，按文件更正" },
    });
    expect(c.status, c.text).toBe(201);
    expect(c.body.amount).toBe("99000.00");
    expect(c.body.corrected).toBe(true);
    expect(
      c.body.versions.map((v: { version: number; kind: string; amount: string; reason: string | null }) => [
        v.version,
        v.kind,
        v.amount,
        v.reason,
      ]),
    ).toEqual([
      [2, "correction", "99000.00", "录入错误，按文件更正"],
      [1, "original", "100000.10", null],
    ]);
    expect((await api("/api/funds")).body.sum).toBe("155268.09");
    const noReason = await pub.call(`/api/funds/${id}/corrections`, { method: "POST", json: { amount: "1.00" } });
    expect(noReason.status).toBe(400);
    const w = await pub.call(`/api/funds/${id}/withdrawal`, { method: "POST", json: { reason: "重复下达，撤回" } });
    expect(w.status).toBe(201);
    expect(w.body.status).toBe("withdrawn");
    expect(w.body.versions[0]).toMatchObject({ version: 3, kind: "withdrawal", reason: "重复下达，撤回" });
    expect((await api("/api/funds")).body.total).toBe(4);
    const pub2 = await api(`/api/funds/${id}`);
    expect(pub2.status).toBe(200);
    expect(pub2.body.versions).toHaveLength(3);
    expect(
      (await pub.call(`/api/funds/${id}/corrections`, { method: "POST", json: { amount: "1.00", reason: "再改" } }))
        .status,
    ).toBe(409);
    expect((await api("/api/funds/999999")).status).toBe(404);
    const { db } = await testDatabase();
    const audit = await rows<{ action: string }>(
      db,
      sql`SELECT action FROM audit_log WHERE subject_id = ${String(id)} AND subject_type = 'allocation' ORDER BY id`,
    );
    expect(audit.map((a) => a.action)).toEqual(["fund.create", "fund.correct", "fund.withdraw"]);
  });
});

describe("exports", () => {
  it("streams exactly the filtered view as CSV with BOM and as JSON", async () => {
    await seedSome();
    const r = await api(`/api/funds/export.csv?${encodeURI("district=高青县&year=2018&sort=-amount")}`);
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toContain("text/csv");
    const raw = new Uint8Array(
      await (await app.request(`/api/funds/export.csv?${encodeURI("district=高青县")}`)).arrayBuffer(),
    );
    expect([...raw.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = r.text
      .replace(/^\uFEFF/, "")
      .trim()
      .split("\r\n");
    expect(lines[0]).toBe("编号,年度,资金级次,资金名称,文号,区县,镇办,村,项目,类别,金额,用途,发布日期,版本,已更正");
    expect(lines).toHaveLength(4);
    expect(lines.slice(1).map((l) => l.split(",")[10])).toEqual(["100000.10", "55555.55", "0.20"]);
    const j = await api(`/api/funds/export.json?${encodeURI("district=高青县&year=2018")}`);
    expect(j.status).toBe(200);
    expect(j.body).toHaveLength(3);
    expect(j.body.every((i: { district: string; year: number }) => i.district === "高青县" && i.year === 2018)).toBe(
      true,
    );
    expect((await api("/api/funds/export.csv?district=nowhere")).status).toBe(400);
  });

  it("exports more rows than one batch in order (keyset pages)", async () => {
    const { db } = await testDatabase();
    const [d] = await rows<{ id: number }>(db, sql`SELECT id FROM districts WHERE name = '高青县'`);
    await db.execute(sql`INSERT INTO fund_allocations (year, level, fund_name, doc_number, district_id, category_code, amount, published_on)
      SELECT 2018, 'central', '中央财政专项扶贫资金', 'X' || g, ${d.id}, 'industry', (g % 7) * 100 + 0.01, date '2018-01-01' + (g % 30)
      FROM generate_series(1, 4500) g`);
    const r = await api("/api/funds/export.csv?sort=amount");
    const amounts = r.text
      .slice(1)
      .trim()
      .split("\r\n")
      .slice(1)
      .map((l) => Number(l.split(",")[10]));
    expect(amounts).toHaveLength(4500);
    expect(amounts).toEqual([...amounts].sort((x, y) => x - y));
    const ids = new Set(
      r.text
        .split("\r\n")
        .slice(1, -1)
        .map((l) => l.split(",")[0]),
    );
    expect(ids.size).toBe(4500);
  });

  it("describes the export as a Fiscal Data Package", async () => {
    const r = await api("/api/funds/datapackage.json");
    expect(r.status).toBe(200);
    expect(r.body.profile).toBe("fiscal-data-package");
    expect(r.body.resources[0].schema.fields.map((f: { name: string }) => f.name)).toContain("金额");
    expect(r.body.model.measures.amount).toMatchObject({ source: "金额", currency: "CNY" });
  });
});

const HEADER = "年度,资金级次,资金名称,文号,区县,镇办,村,项目,类别,金额,用途";

async function upload(pub: Awaited<ReturnType<typeof staff>>, body: Uint8Array | string, name = "funds.csv") {
  const form = new FormData();
  form.set(
    "file",
    new File([(typeof body === "string" ? new TextEncoder().encode(body) : body) as BlobPart], name, {
      type: "text/csv",
    }),
  );
  return pub.call("/api/funds/import", { method: "POST", body: form });
}

describe("CSV import", () => {
  it("imports a good UTF-8 file in one go and reports its total", async () => {
    const pub = await staff("publisher", "city-fpb");
    const [a] = await villagesOf("高青县");
    const csv = `\uFEFF${HEADER}\r\n2018,中央,中央财政专项扶贫资金,淄财农〔2018〕12号,高青县,${a.town},${a.village},,产业扶贫,"120,000.50",扶贫车间\r\n2018,省级,省级财政专项扶贫资金,鲁财农〔2018〕5号,高青县,${a.town},,,危房改造,3000,危房改造补助\r\n`;
    const r = await upload(pub, csv);
    expect(r.status, r.text).toBe(201);
    expect(r.body).toMatchObject({ count: 2, total: "123000.50", encoding: "utf-8" });
    const list = await api("/api/funds");
    expect(list.body.sum).toBe("123000.50");
  });

  it("decodes GBK files as Excel writes them", async () => {
    const pub = await staff("publisher", "city-fpb");
    const [a] = await villagesOf("高青县");
    const csv = `${HEADER}\r\n2018,中央,中央财政专项扶贫资金,淄财农〔2018〕12号,高青县,${a.town},${a.village},,产业扶贫,5000.00,光伏扶贫\r\n`;
    const r = await upload(pub, iconv.encode(csv, "gbk"));
    expect(r.status, r.text).toBe(201);
    expect(r.body.encoding).toBe("gbk");
    const list = await api("/api/funds");
    expect(list.body.items[0]).toMatchObject({
      village: a.village,
      fundName: "中央财政专项扶贫资金",
      purpose: "光伏扶贫",
    });
  });

  it("rejects mojibake (a GBK file saved again as UTF-8 the wrong way)", async () => {
    const pub = await staff("publisher", "city-fpb");
    const csv = `${HEADER}\r\n2018,中央,中央财政专项扶贫资金,淄财农〔2018〕12号,高青县,,,,产业扶贫,5000.00,光伏扶贫\r\n`;
    // UTF-8 bytes misread as GBK and saved as UTF-8: classic 鍘... garbage.
    const garbled = iconv.decode(Buffer.from(csv, "utf8"), "gbk");
    const r = await upload(pub, garbled);
    expect(r.status).toBe(400);
    expect(expectEnvelope(r.body).message).toContain("乱码");
    // UTF-8 misread as Latin-1.
    const latin = Buffer.from(csv, "utf8").toString("latin1");
    const r2 = await upload(pub, latin);
    expect(r2.status).toBe(400);
    expect(expectEnvelope(r2.body).message).toContain("乱码");
    expect((await api("/api/funds")).body.total).toBe(0);
  });

  it("rejects wrong headers, naming what is missing and what is expected", async () => {
    const pub = await staff("publisher", "city-fpb");
    const r = await upload(pub, "year,level,amount\r\n2018,中央,100\r\n");
    expect(r.status).toBe(400);
    const e = expectEnvelope(r.body);
    expect(e.message).toContain("表头");
    const problems = (e.details as ImportProblems).problems;
    expect(problems.some((p) => p.problem.includes("缺少表头“文号”"))).toBe(true);
    expect(problems[0].expected).toContain("年度、资金级次");
  });

  it("is all or nothing: one bad row rejects the whole file with a row-by-row report", async () => {
    const pub = await staff("publisher", "city-fpb");
    const [a] = await villagesOf("高青县");
    const good = `2018,中央,中央财政专项扶贫资金,淄财农〔2018〕12号,高青县,${a.town},${a.village},,产业扶贫,100.00,车间`;
    const csv = [
      HEADER,
      good,
      "2018,中央,中央财政专项扶贫资金,淄财农〔2018〕14号,火星县,,,,产业扶贫,100.00,车间",
      "2018,中央,中央财政专项扶贫资金,淄财农〔2018〕15号,高青县,,,,产业扶贫,-3,车间",
      "1899,中央,中央财政专项扶贫资金,淄财农〔2018〕16号,高青县,,,,产业扶贫,1.005,车间",
      good,
    ].join("\r\n");
    const r = await upload(pub, csv);
    expect(r.status).toBe(400);
    const problems = (expectEnvelope(r.body).details as ImportProblems).problems;
    expect(problems.map((p) => [p.row, p.column])).toEqual([
      [3, "区县"],
      [4, "金额"],
      [5, "年度"],
      [5, "金额"],
      [6, "文号"],
    ]);
    expect(problems[0]).toMatchObject({ value: "火星县", problem: "未知的区县“火星县”" });
    expect(problems[1].problem).toBe("金额不能为负数");
    expect(problems[3].problem).toContain("两位小数");
    expect(problems[4].problem).toContain("与第 2 行重复");
    expect(problems.every((p) => p.expected)).toBe(true);
    expect((await api("/api/funds")).body.total).toBe(0);
  });

  it("reports duplicates of allocations already published", async () => {
    const pub = await staff("publisher", "city-fpb");
    const csv = `${HEADER}\r\n2018,中央,中央财政专项扶贫资金,淄财农〔2018〕12号,高青县,,,,产业扶贫,100.00,车间\r\n`;
    expect((await upload(pub, csv)).status).toBe(201);
    const again = await upload(pub, csv);
    expect(again.status).toBe(400);
    expect((expectEnvelope(again.body).details as ImportProblems).problems[0].problem).toContain("重复");
    expect((await api("/api/funds")).body.total).toBe(1);
  });

  it("refuses a 50 MB file with 413 and changes nothing", async () => {
    const pub = await staff("publisher", "city-fpb");
    const big = new Uint8Array(50 * 1024 * 1024).fill(0x41);
    const r = await upload(pub, big, "big.csv");
    expect(r.status).toBe(413);
    expect(expectEnvelope(r.body).code).toBe("PAYLOAD_TOO_LARGE");
    expect((await api("/api/funds")).body.total).toBe(0);
  });
});
