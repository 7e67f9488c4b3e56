import { isUtf8 } from "node:buffer";
import { Readable } from "node:stream";
import { parse } from "csv-parse";
import { sql } from "drizzle-orm";
import iconv from "iconv-lite";
import { type Db, rows } from "../../db/client";
import { AppError } from "../../lib/errors";
import { appendAudit } from "../audit/audit-log";
import { looksLikeMojibake } from "../funds/import";
import { MONEY_EXPECTED, MONEY_PROBLEM_TEXT, parseMoney } from "../funds/money";
import { fromCents, toCents } from "./cents";
import { householdNameHash, householdsByIdNumbers } from "./households";
import { PROGRAMME_LABELS, PROGRAMMES, parsePaymentState, parseProgramme } from "./labels";
import {
  checkPaymentsAgainstDb,
  checkPeriod,
  insertPayments,
  type PaymentCheckCarry,
  type PaymentProblem,
  type PaymentValues,
} from "./payments";
import { isValidIdNumber, maskIdNumber, normalizeIdNumber } from "./privacy";

// CSV import of payments to households, like the fund import: decode (UTF-8 or GBK), check the header,
// validate EVERY row, and insert all of them in one transaction or none. The row report never repeats
// an ID number in full (first 4 and last 4 characters only) — it is shown on screen and may be logged
// by a browser or proxy.
//
// The file is streamed: decoded and parsed a slice at a time, validated and written PART_ROWS rows at
// a time inside the one transaction, so memory does not grow with the file (a 100,000-row file never
// has its rows in memory at once). Every part is written even after a problem, so later parts are
// still checked against everything before them (a household paid twice, a disbursement exceeded);
// any problem rolls the whole transaction back at the end. The report keeps the first 1,000 problems
// and counts them all.

export const PAYMENT_IMPORT_COLUMNS = [
  "身份证号码",
  "户主姓名",
  "拨付编号",
  "项目",
  "期次",
  "金额",
  "发放日期",
  "状态",
  "退回原因",
] as const;
const OPTIONAL = ["发放方式"] as const;
type Column = (typeof PAYMENT_IMPORT_COLUMNS)[number] | (typeof OPTIONAL)[number];

const ALIASES: Record<string, Column> = {
  身份证号码: "身份证号码",
  身份证号: "身份证号码",
  户主身份证号码: "身份证号码",
  户主身份证号: "身份证号码",
  户主姓名: "户主姓名",
  户主: "户主姓名",
  姓名: "户主姓名",
  拨付编号: "拨付编号",
  拨付记录编号: "拨付编号",
  项目: "项目",
  补贴项目: "项目",
  发放项目: "项目",
  期次: "期次",
  发放期次: "期次",
  期间: "期次",
  金额: "金额",
  "金额（元）": "金额",
  "金额(元)": "金额",
  发放金额: "金额",
  发放日期: "发放日期",
  日期: "发放日期",
  状态: "状态",
  发放状态: "状态",
  退回原因: "退回原因",
  备注: "退回原因",
  发放方式: "发放方式",
};

const COLUMNS = { household: "身份证号码", disbursement: "拨付编号", amount: "金额", period: "期次" };

export interface PaymentImportResult {
  batchId: number;
  encoding: "utf-8" | "gbk";
  count: number;
  total: string;
}

function importError(message: string, problems: PaymentProblem[], extra: object = {}) {
  problems.sort((a, b) => a.row - b.row);
  return new AppError("VALIDATION_FAILED", message, {
    problems: problems.slice(0, 1000),
    problemCount: problems.length,
    ...extra,
  });
}

/** Rows validated and written together. */
const PART_ROWS = 2000;
/** Bytes decoded at a time. */
const SLICE_BYTES = 256 * 1024;
const MAX_REPORTED = 1000;

interface ParsedPayments {
  encoding: "utf-8" | "gbk";
  columns: Column[];
  records: { line: number; cells: string[] }[];
}

/** The columns named by a header row; the row report when it is not the payment file's header. */
function headerColumns(record: string[]): Column[] {
  const header = record.map((h) =>
    h
      .replace(/^\uFEFF/, "")
      .replace(/\s+/g, "")
      .replace(/\*/g, ""),
  );
  if (looksLikeMojibake(header.join(","))) {
    throw importError("文件内容是乱码：编码有误", [
      {
        row: 1,
        column: null,
        value: null,
        problem: "表头出现乱码（文件可能被以错误的编码另存过）",
        expected: "UTF-8 或 GBK（Excel“CSV（逗号分隔）”）编码的原始文件",
      },
    ]);
  }
  const columns: Column[] = [];
  const problems: PaymentProblem[] = [];
  header.forEach((h, i) => {
    const col = ALIASES[h];
    if (!col) {
      if (h !== "")
        problems.push({
          row: 1,
          column: h,
          value: h,
          problem: `第 ${i + 1} 列表头“${h}”无法识别`,
          expected: `表头应为：${PAYMENT_IMPORT_COLUMNS.join("、")}`,
        });
    } else if (columns.includes(col))
      problems.push({ row: 1, column: h, value: h, problem: `表头“${col}”重复`, expected: "每个表头只出现一次" });
    columns.push(col as Column);
  });
  for (const need of PAYMENT_IMPORT_COLUMNS) {
    if (!columns.includes(need) && need !== "退回原因" && need !== "户主姓名")
      problems.push({
        row: 1,
        column: need,
        value: null,
        problem: `缺少表头“${need}”`,
        expected: `表头应为：${PAYMENT_IMPORT_COLUMNS.join("、")}`,
      });
  }
  if (problems.length) throw importError("CSV 表头不正确", problems, { expectedHeaders: PAYMENT_IMPORT_COLUMNS });
  return columns;
}

/** The file's text a slice at a time: UTF-8 when the bytes are valid UTF-8, else GBK (the BOM is dropped). */
function decodedSlices(buf: Uint8Array): { encoding: "utf-8" | "gbk"; slices: () => Generator<string> } {
  const bytes = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  const encoding = isUtf8(bytes) ? "utf-8" : "gbk";
  function* slices() {
    const decoder = iconv.getDecoder(encoding === "utf-8" ? "utf8" : "gb18030");
    for (let at = 0; at < bytes.length; at += SLICE_BYTES) {
      const text = decoder.write(bytes.subarray(at, at + SLICE_BYTES));
      if (text) yield text;
    }
    const rest = decoder.end();
    if (rest) yield rest;
  }
  return { encoding, slices };
}

/** The file's records a part at a time (the header first, alone), with their line numbers. */
async function* recordParts(slices: () => Generator<string>): AsyncGenerator<{ line: number; cells: string[] }[]> {
  const parser = Readable.from(slices(), { objectMode: true }).pipe(
    parse({ info: true, skip_empty_lines: true, relax_column_count: true, bom: true }),
  );
  let part: { line: number; cells: string[] }[] = [];
  let header = true;
  try {
    for await (const r of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      part.push({ line: r.info.lines, cells: r.record });
      if (header || part.length >= PART_ROWS) {
        header = false;
        yield part;
        part = [];
      }
    }
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw importError("CSV 格式有误，无法读取", [
      {
        row: 0,
        column: null,
        value: null,
        problem: `CSV 格式有误：${(err as Error).message}`,
        expected: "逗号分隔的 CSV 文件",
      },
    ]);
  }
  if (part.length) yield part;
}

/** Validate every row of a part (the register and disbursements read in the caller's transaction). */
async function validatePayments(tx: Db, file: ParsedPayments) {
  const idx = (c: Column) => file.columns.indexOf(c);
  const cellOf = (r: { cells: string[] }, c: Column) => (idx(c) >= 0 ? (r.cells[idx(c)] ?? "").trim() : "");
  const problems: PaymentProblem[] = [];
  const idNumbers = new Set<string>();
  for (const r of file.records) {
    const n = normalizeIdNumber(cellOf(r, "身份证号码"));
    if (isValidIdNumber(n)) idNumbers.add(n);
  }
  const households = await householdsByIdNumbers(tx, [...idNumbers]);
  const nameHashes = new Map<number, string>();
  if (file.columns.includes("户主姓名") && households.size) {
    const ids = [...households.values()].map((h) => h.id);
    for (let i = 0; i < ids.length; i += 5000) {
      for (const h of await rows<{ id: number; name_hash: string }>(
        tx,
        sql`SELECT id, name_hash FROM households WHERE id IN (SELECT unnest(${`{${ids.slice(i, i + 5000).join(",")}}`}::int[]))`,
      ))
        nameHashes.set(Number(h.id), h.name_hash);
    }
  }
  const values: (PaymentValues & { row: number })[] = [];
  for (const r of file.records) {
    const row = r.line;
    const cell = (c: Column) => cellOf(r, c);
    const bad = (column: Column, problem: string, expected: string, value: string | null = cell(column) || null) =>
      problems.push({ row, column, value, problem, expected });
    if (r.cells.some(looksLikeMojibake)) {
      problems.push({
        row,
        column: null,
        value: null,
        problem: "内容出现乱码",
        expected: "UTF-8 或 GBK 编码的原始文件",
      });
      continue;
    }
    const before = problems.length;
    const idNumber = normalizeIdNumber(cell("身份证号码"));
    const shownId = idNumber ? maskIdNumber(idNumber) : null;
    let householdId: number | null = null;
    if (!idNumber) bad("身份证号码", "身份证号码不能为空", "户主的 18 位身份证号码", null);
    else if (!isValidIdNumber(idNumber))
      bad("身份证号码", "身份证号码位数或校验位不对", "户主的 18 位身份证号码", shownId);
    else {
      const h = households.get(idNumber);
      if (!h) bad("身份证号码", "户籍登记中没有这个身份证号码", "已登记户的户主身份证号码", shownId);
      else {
        householdId = h.id;
        const name = cell("户主姓名");
        if (name && nameHashes.get(h.id) !== householdNameHash(name))
          bad("户主姓名", "户主姓名与登记不符", "登记的户主姓名", null);
      }
    }
    const disbursementText = cell("拨付编号");
    const disbursementId = /^\d{1,9}$/.test(disbursementText) ? Number(disbursementText) : null;
    if (disbursementId == null)
      bad("拨付编号", disbursementText ? "拨付编号应为数字" : "拨付编号不能为空", "资金页面上拨付记录的编号");
    const programme = parseProgramme(cell("项目"));
    if (!programme)
      bad(
        "项目",
        cell("项目") ? `未知的项目“${cell("项目")}”` : "项目不能为空",
        `${PROGRAMMES.map((p) => PROGRAMME_LABELS[p]).join("、")} 之一`,
      );
    const period = checkPeriod(cell("期次"));
    if (!period) bad("期次", cell("期次") ? "期次格式有误" : "期次不能为空", "以四位年份开头，如 2026 或 2026-上半年");
    const money = parseMoney(cell("金额"));
    if (!money.ok) bad("金额", MONEY_PROBLEM_TEXT[money.problem], MONEY_EXPECTED);
    else if (toCents(money.value) === 0n) bad("金额", "金额应大于 0", MONEY_EXPECTED);
    const state = parsePaymentState(cell("状态"));
    if (!state) bad("状态", `未知的状态“${cell("状态")}”`, "已发放、待发放 或 退回");
    let paidOn: string | null = null;
    if (cell("发放日期")) {
      const m = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$/.exec(cell("发放日期"));
      const iso = m ? `${m[1]}-${m[2].padStart(2, "0")}-${m[3].padStart(2, "0")}` : "";
      if (!m || Number.isNaN(Date.parse(iso))) bad("发放日期", "日期格式有误", "如 2026-11-01");
      else paidOn = iso;
    } else if (state === "paid") bad("发放日期", "已发放的须填写发放日期", "如 2026-11-01");
    const returnReason = cell("退回原因") || null;
    if (state === "returned" && !returnReason) bad("退回原因", "退回的须写明原因", "如 一卡通账户已销户");
    if (
      problems.length === before &&
      householdId != null &&
      disbursementId != null &&
      programme &&
      period &&
      money.ok &&
      state
    ) {
      values.push({
        row,
        householdId,
        disbursementId,
        programme,
        period: period.period,
        amount: money.value,
        paidOn,
        state,
        returnReason: returnReason?.slice(0, 500) ?? null,
        method: cell("发放方式").slice(0, 50) || "惠民惠农一卡通",
      });
    }
  }
  return { values, problems };
}

interface StreamedImport {
  encoding: "utf-8" | "gbk";
  columns: Column[];
  batchId: number;
  count: number;
  total: string;
  /** The first rows of the file, for a preview. */
  firstRows: { line: number; cells: string[] }[];
}

/**
 * Stream the file into the transaction: header, then each part validated, checked against the
 * register, the disbursements and everything written before it, and written. Throws the row report
 * (the caller's transaction then rolls back) when any row was refused.
 */
async function streamPayments(
  tx: Db,
  buf: Uint8Array,
  opts: { fileName: string; actorId: number | null; isDemo?: boolean },
): Promise<StreamedImport> {
  const none = (problem: string) =>
    importError("文件是空的", [{ row: 0, column: null, value: null, problem, expected: "带表头的 CSV 文件" }]);
  if (buf.byteLength === 0) throw none("文件没有内容");
  const { encoding, slices } = decodedSlices(buf);
  // The batch first, with its totals filled in at the end: rows already written by this import are
  // recognised by it (a duplicate of an earlier part of the file).
  const [batch] = await rows<{ id: number }>(
    tx,
    sql`INSERT INTO household_payment_batches (file_name, encoding, row_count, total, created_by, is_demo)
        VALUES (${opts.fileName.slice(0, 200)}, ${encoding}, 0, 0, ${opts.actorId}, ${opts.isDemo ?? false})
        RETURNING id`,
  );
  const batchId = Number(batch.id);
  const carry: PaymentCheckCarry = { disb: new Map(), batchId };
  const reported: PaymentProblem[] = [];
  let problemCount = 0;
  const report = (ps: PaymentProblem[]) => {
    problemCount += ps.length;
    for (const p of ps) if (reported.length < MAX_REPORTED) reported.push(p);
  };
  let columns: Column[] | null = null;
  let rowCount = 0;
  let count = 0;
  let total = 0n;
  const firstRows: { line: number; cells: string[] }[] = [];
  for await (const part of recordParts(slices)) {
    if (!columns) {
      columns = headerColumns(part[0].cells);
      continue;
    }
    rowCount += part.length;
    if (firstRows.length < 20) firstRows.push(...part.slice(0, 20 - firstRows.length));
    const { values, problems } = await validatePayments(tx, { encoding, columns, records: part });
    const checked = await checkPaymentsAgainstDb(tx, values, COLUMNS, carry);
    report(problems);
    report(checked.problems);
    const refused = new Set(checked.problems.map((p) => p.row));
    const passed = values.filter((v) => !refused.has(v.row));
    await insertPayments(tx, passed, checked.places, { actorId: opts.actorId, batchId, isDemo: opts.isDemo });
    count += passed.length;
    for (const v of passed) total += toCents(v.amount);
  }
  if (!columns) throw none("文件没有内容");
  if (rowCount === 0)
    report([{ row: 0, column: null, value: null, problem: "文件只有表头，没有数据行", expected: "至少一行发放记录" }]);
  if (problemCount)
    throw importError(`有 ${problemCount} 处问题，整个文件未导入`, reported, { rowCount, problemCount });
  await rows(
    tx,
    sql`UPDATE household_payment_batches SET row_count = ${count}, total = ${fromCents(total)} WHERE id = ${batchId}`,
  );
  return { encoding, columns, batchId, count, total: fromCents(total), firstRows };
}

/** Thrown to roll a dry run's transaction back, carrying its result. */
class DryRun extends Error {
  constructor(readonly result: StreamedImport) {
    super("dry run");
  }
}

/** Dry run: the row report, nothing written. Returns the count and total when every row is fine. */
export async function checkPaymentImport(
  db: Db,
  buf: Uint8Array,
): Promise<{ encoding: "utf-8" | "gbk"; count: number; total: string; file: ParsedPayments }> {
  const r = await db
    .transaction(async (tx) => {
      throw new DryRun(await streamPayments(tx, buf, { fileName: "dry-run", actorId: null }));
    })
    .catch((err: unknown) => {
      if (err instanceof DryRun) return err.result;
      throw err;
    });
  return {
    encoding: r.encoding,
    count: r.count,
    total: r.total,
    file: { encoding: r.encoding, columns: r.columns, records: r.firstRows },
  };
}

/** Import a CSV of payments: all rows or none, audited as one batch. */
export async function importHouseholdPayments(
  db: Db,
  buf: Uint8Array,
  opts: { fileName: string; actorId: number | null; isDemo?: boolean },
): Promise<PaymentImportResult> {
  return db.transaction(async (tx) => {
    const r = await streamPayments(tx, buf, opts);
    await appendAudit(tx, {
      actorId: opts.actorId,
      action: "household_payment.import",
      subjectType: "household_payment_batch",
      subjectId: String(r.batchId),
      details: { fileName: opts.fileName, rows: r.count, total: r.total, encoding: r.encoding },
    });
    return { batchId: r.batchId, encoding: r.encoding, count: r.count, total: r.total };
  });
}
