import { inArray, sql } from "drizzle-orm";
import { type Db, rows } from "../../db/client";
import { categories, districts, fundAllocations, fundImportBatches, projects, towns, villages } from "../../db/schema";
import {
  type CsvEncoding,
  type CsvFile,
  decodeCsv,
  type ImportProblem,
  looksLikeMojibake,
  readCsvFile,
  rowShapeProblems,
  rowsRefused,
} from "../../lib/csv-import";
import { type AllocationValues, insertAllocations } from "./allocations";
import { audit } from "./audit";
import { ALLOCATION_COLUMNS } from "./columns";
import { MAX_YEAR, MIN_YEAR, parseLevel } from "./labels";
import { MONEY_EXPECTED, MONEY_PROBLEM_TEXT, parseMoney } from "./money";

// CSV import of allocations: decode (UTF-8 or GBK) and check headers (lib/csv-import.ts), validate EVERY
// row, and only then insert all of them in one transaction. Any bad row rejects the whole file with a
// row-by-row report.

export const IMPORT_COLUMNS = ALLOCATION_COLUMNS;
export const OPTIONAL_COLUMNS = ["发布日期"] as const;
type Column = (typeof IMPORT_COLUMNS)[number] | (typeof OPTIONAL_COLUMNS)[number];

/** Header spellings people type, mapped to the column they mean. */
const HEADER_ALIASES: Record<string, Column> = {
  年度: "年度",
  年份: "年度",
  资金年度: "年度",
  资金级次: "资金级次",
  级次: "资金级次",
  资金级别: "资金级次",
  资金来源级次: "资金级次",
  资金名称: "资金名称",
  文号: "文号",
  文件文号: "文号",
  指标文号: "文号",
  区县: "区县",
  县区: "区县",
  "区县（功能区）": "区县",
  镇办: "镇办",
  镇街: "镇办",
  "镇（街道）": "镇办",
  "镇(街道)": "镇办",
  乡镇: "镇办",
  镇: "镇办",
  村: "村",
  村居: "村",
  "村（居）": "村",
  村庄: "村",
  项目: "项目",
  项目名称: "项目",
  类别: "类别",
  资金类别: "类别",
  项目类别: "类别",
  金额: "金额",
  "金额（元）": "金额",
  "金额(元)": "金额",
  分配金额: "金额",
  用途: "用途",
  资金用途: "用途",
  发布日期: "发布日期",
  公开日期: "发布日期",
};

export type { ImportProblem };
export { decodeCsv, looksLikeMojibake };

export type ImportProgress = (phase: "validate" | "insert", done: number, total: number) => void;

export interface ImportResult {
  batchId: number;
  encoding: CsvEncoding;
  count: number;
  total: string;
  ids: number[];
}

type ParsedFile = CsvFile<Column>;

/** Decode, parse and check the header row. Throws a 400 naming the problem. */
export function parseImportFile(buf: Uint8Array): ParsedFile {
  return readCsvFile<Column>(buf, { required: IMPORT_COLUMNS, optional: OPTIONAL_COLUMNS, aliases: HEADER_ALIASES });
}

/** Validate every row; throw one 400 with all problems, or return the values to insert. */
export async function validateImport(
  db: Db,
  file: ParsedFile,
  onProgress?: ImportProgress,
): Promise<{ values: AllocationValues[]; total: string }> {
  const [ds, ts, vs, cs] = await Promise.all([
    db.select().from(districts),
    db.select().from(towns),
    db.select().from(villages),
    db.select().from(categories),
  ]);
  const districtByName = new Map(ds.map((d) => [d.name, d]));
  const townByKey = new Map(ts.map((t) => [`${t.districtId}|${t.name}`, t]));
  const villageByKey = new Map(vs.map((v) => [`${v.townId}|${v.name}`, v]));
  const categoryByName = new Map(cs.flatMap((c) => [[c.name, c] as const, [c.code, c] as const]));
  const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);

  const projectNames = new Set<string>();
  const idx = (col: Column) => file.columns.indexOf(col);
  for (const r of file.records) {
    const p = (r.cells[idx("项目")] ?? "").trim();
    if (p) projectNames.add(p);
  }
  const projectRows = projectNames.size
    ? await db
        .select({ id: projects.id, name: projects.name, districtId: projects.districtId })
        .from(projects)
        .where(inArray(projects.name, [...projectNames]))
    : [];
  const projectByKey = new Map(projectRows.map((p) => [`${p.districtId}|${p.name}`, p.id]));

  const problems: ImportProblem[] = [];
  const values: AllocationValues[] = [];
  const seen = new Map<string, number>();
  let cents = 0n;
  const total = file.records.length;
  file.records.forEach((rec, i) => {
    const row = rec.line;
    const cell = (col: Column) => (idx(col) >= 0 ? (rec.cells[idx(col)] ?? "").trim() : "");
    const bad = (column: Column, problem: string, expected: string) =>
      problems.push({ row, column, value: cell(column) || null, problem, expected });
    if (rowShapeProblems(file, rec, problems)) return;
    const yearText = cell("年度").replace(/年$/, "");
    const year = /^\d{4}$/.test(yearText) ? Number(yearText) : Number.NaN;
    if (!(year >= MIN_YEAR && year <= MAX_YEAR))
      bad(
        "年度",
        yearText ? "年度不在合理范围内或格式有误" : "年度不能为空",
        `${MIN_YEAR}–${MAX_YEAR} 之间的四位年份，如 2018`,
      );
    const level = parseLevel(cell("资金级次"));
    if (!level)
      bad("资金级次", cell("资金级次") ? "无法识别的资金级次" : "资金级次不能为空", "中央、省级、市级 或 县级");
    const fundName = cell("资金名称");
    if (!fundName) bad("资金名称", "资金名称不能为空", "如 中央财政专项扶贫资金");
    else if (fundName.length > 200) bad("资金名称", "资金名称过长", "不超过 200 个字");
    const docNumber = cell("文号");
    if (!docNumber) bad("文号", "文号不能为空", "如 淄财农〔2018〕12号");
    else if (docNumber.length > 100) bad("文号", "文号过长", "不超过 100 个字");
    const district = districtByName.get(cell("区县"));
    if (!district)
      bad("区县", cell("区县") ? `未知的区县“${cell("区县")}”` : "区县不能为空", "淄博市 11 个区县之一，如 高青县");
    let townId: number | null = null;
    let villageId: number | null = null;
    if (district && cell("镇办")) {
      const t = townByKey.get(`${district.id}|${cell("镇办")}`);
      if (!t) bad("镇办", `${district.name}没有“${cell("镇办")}”`, `${district.name}的镇（街道）名称`);
      else townId = t.id;
    }
    if (district && cell("村")) {
      if (!cell("镇办")) bad("村", "填写村时需同时填写镇办", "先填镇办，再填村");
      else if (townId != null) {
        const v = villageByKey.get(`${townId}|${cell("村")}`);
        if (!v) bad("村", `${cell("镇办")}没有“${cell("村")}”`, `${cell("镇办")}的村名`);
        else villageId = v.id;
      }
    }
    let projectId: number | null = null;
    if (district && cell("项目")) {
      projectId = projectByKey.get(`${district.id}|${cell("项目")}`) ?? null;
      if (projectId == null)
        bad("项目", `${district.name}没有登记名为“${cell("项目")}”的项目`, "已登记的项目名称，或留空");
    }
    const category = categoryByName.get(cell("类别"));
    if (!category)
      bad(
        "类别",
        cell("类别") ? `未知的类别“${cell("类别")}”` : "类别不能为空",
        `${cs.map((c) => c.name).join("、")} 之一`,
      );
    const money = parseMoney(cell("金额"));
    if (!money.ok) bad("金额", MONEY_PROBLEM_TEXT[money.problem], MONEY_EXPECTED);
    let publishedOn = today;
    if (idx("发布日期") >= 0 && cell("发布日期")) {
      const d = cell("发布日期").replace(/[/.]/g, "-");
      const m = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(d);
      const iso = m ? `${m[1]}-${m[2].padStart(2, "0")}-${m[3].padStart(2, "0")}` : "";
      if (!m || Number.isNaN(Date.parse(iso))) bad("发布日期", "日期格式有误", "如 2018-11-01");
      else publishedOn = iso;
    }
    if (money.ok && district && Number.isFinite(year) && level && fundName && docNumber && category) {
      const key = `${docNumber}|${district.id}|${townId}|${villageId}|${money.value}`;
      const first = seen.get(key);
      if (first !== undefined) {
        problems.push({
          row,
          column: "文号",
          value: docNumber,
          problem: `与第 ${first} 行重复（文号、地点和金额都相同）`,
          expected: "每条分配只出现一次",
        });
      } else seen.set(key, row);
      values.push({
        year,
        level,
        fundName,
        docNumber,
        districtId: district.id,
        townId,
        villageId,
        projectId,
        categoryCode: category.code,
        amount: money.value,
        purpose: cell("用途").slice(0, 1000),
        publishedOn,
      });
      const [int, frac] = money.value.split(".");
      cents += BigInt(int) * 100n + BigInt(frac);
      (values[values.length - 1] as AllocationValues & { _row?: number })._row = row;
    }
    if (onProgress && (i % 1000 === 999 || i === total - 1)) onProgress("validate", i + 1, total);
  });
  if (total === 0)
    problems.push({
      row: 0,
      column: null,
      value: null,
      problem: "文件只有表头，没有数据行",
      expected: "至少一行资金分配",
    });

  // Duplicates of allocations already published (same 文号 + place + amount).
  if (problems.length === 0 && values.length) {
    const docs = [...new Set(values.map((v) => v.docNumber))];
    const existing = await rows<{ id: number; key: string }>(
      db,
      sql`SELECT id, doc_number || '|' || district_id || '|' || coalesce(town_id::text, 'null') || '|' || coalesce(village_id::text, 'null') || '|' || amount::text AS key
        FROM fund_allocations WHERE status = 'active' AND ${inArray(fundAllocations.docNumber, docs)}`,
    );
    const existingByKey = new Map(existing.map((e) => [e.key, Number(e.id)]));
    for (const v of values as (AllocationValues & { _row?: number })[]) {
      const id = existingByKey.get(`${v.docNumber}|${v.districtId}|${v.townId}|${v.villageId}|${v.amount}`);
      if (id !== undefined) {
        problems.push({
          row: v._row ?? 0,
          column: "文号",
          value: v.docNumber,
          problem: `与已公开的第 ${id} 号记录重复（文号、地点和金额都相同）`,
          expected: "不重复导入；如需更正请更正原记录",
        });
      }
    }
  }
  if (problems.length) {
    throw rowsRefused(problems, total);
  }
  for (const v of values as (AllocationValues & { _row?: number })[]) delete v._row;
  const totalText = `${cents / 100n}.${(cents % 100n).toString().padStart(2, "0")}`;
  return { values, total: totalText };
}

/** Import a CSV file: all rows or none. */
export async function importAllocations(
  db: Db,
  buf: Uint8Array,
  opts: { fileName: string; actorId: number | null; onProgress?: ImportProgress },
): Promise<ImportResult> {
  const file = parseImportFile(buf);
  const { values, total } = await validateImport(db, file, opts.onProgress);
  return db.transaction(async (tx) => {
    const [batch] = await tx
      .insert(fundImportBatches)
      .values({
        fileName: opts.fileName.slice(0, 200),
        encoding: file.encoding,
        rowCount: values.length,
        total,
        createdBy: opts.actorId,
      })
      .returning({ id: fundImportBatches.id });
    const ids: number[] = [];
    for (let i = 0; i < values.length; i += 2000) {
      ids.push(
        ...(await insertAllocations(tx, values.slice(i, i + 2000), { actorId: opts.actorId, batchId: batch.id })),
      );
      opts.onProgress?.("insert", Math.min(i + 2000, values.length), values.length);
    }
    await audit(tx, {
      actorId: opts.actorId,
      action: "fund.import",
      subjectType: "fund_import_batch",
      subjectId: String(batch.id),
      details: { fileName: opts.fileName, rows: values.length, total, encoding: file.encoding },
    });
    return { batchId: batch.id, encoding: file.encoding, count: values.length, total, ids };
  });
}
