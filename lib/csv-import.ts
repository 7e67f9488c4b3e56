import { parse } from "csv-parse/sync";
import iconv from "iconv-lite";
import { AppError } from "./errors";

// The parts every CSV import shares: decoding (UTF-8 with or without BOM, or GBK/GB18030 as Excel in
// China writes it), spotting mojibake, reading the rows, matching the header row against the columns an
// import expects (with the spellings people type), and the one row-report error (400 with
// details.problems). What a row means is up to each import.

export interface ImportProblem {
  /** Row number as a spreadsheet shows it (the header is row 1); 0 for the file as a whole. */
  row: number;
  column: string | null;
  value: string | null;
  problem: string;
  expected: string | null;
}

export type CsvEncoding = "utf-8" | "gbk";

/** The 400 carrying the row report (at most 1,000 problems listed, all counted), sorted by row. */
export function importError(message: string, problems: ImportProblem[], extra: object = {}) {
  problems.sort((a, b) => a.row - b.row);
  return new AppError("VALIDATION_FAILED", message, {
    problems: problems.slice(0, 1000),
    problemCount: problems.length,
    ...extra,
  });
}

/** The report's message when rows were refused. */
export function rowsRefused(problems: ImportProblem[], rowCount: number) {
  return importError(`有 ${problems.length} 处问题，整个文件未导入`, problems, { rowCount });
}

// Signs of text that went through the wrong encoding: replacement characters, the famous 锟斤拷,
// UTF-8 read as Latin-1 (Ã¥, Ã©, å…), or UTF-8 bytes read as GBK (鍘, 鏉, 鐨, 闀, 浣犲 …).
const MOJIBAKE = /\uFFFD|锟斤拷|[ÃÂâåæçèéäï][\u0080-\u00BF\u2018-\u203A€]|[鍘鏉鐨闀浣犲銆锛鈥鑰]{2}|[鍘鏉鐨闀]/;

/** UTF-8 (with or without BOM) or GBK/GB18030, as Excel in China writes it. */
export function decodeCsv(buf: Uint8Array): { text: string; encoding: CsvEncoding } {
  const bytes = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  try {
    const text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    return { text: text.replace(/^\uFEFF/, ""), encoding: "utf-8" };
  } catch {
    return { text: iconv.decode(bytes, "gb18030"), encoding: "gbk" };
  }
}

/**
 * Text that is UTF-8 read as GBK turns back into valid UTF-8 Chinese when encoded as GBK again;
 * honest Chinese text practically never does. Checked per cell (comma/line separated piece).
 */
function gbkRoundTripsToUtf8(piece: string): boolean {
  if (!/[\u0080-\uFFFF]/.test(piece)) return false;
  try {
    const again = new TextDecoder("utf-8", { fatal: true }).decode(iconv.encode(piece, "gb18030"));
    return again !== piece && /[\u4e00-\u9fff]/.test(again);
  } catch {
    return false;
  }
}

export function looksLikeMojibake(s: string): boolean {
  return MOJIBAKE.test(s) || s.split(/[,\r\n]/).some(gbkRoundTripsToUtf8);
}

export function normalizeHeader(h: string): string {
  return h
    .replace(/^\uFEFF/, "")
    .replace(/\s+/g, "")
    .replace(/\*/g, "");
}

export interface CsvLayout<C extends string> {
  /** Columns the file must have, in the order the page and the errors name them. */
  required: readonly C[];
  /** Columns the file may have. */
  optional?: readonly C[];
  /** Header spellings → column (each column's own name is always accepted). */
  aliases?: Record<string, C>;
}

export interface CsvFile<C extends string> {
  encoding: CsvEncoding;
  /** The column of each position in the file (unknown empty trailing headers kept as ""). */
  columns: C[];
  records: { line: number; cells: string[] }[];
}

const EMPTY: ImportProblem = {
  row: 0,
  column: null,
  value: null,
  problem: "文件没有内容",
  expected: "带表头的 CSV 文件",
};

/** Decode, parse and check the header row. Throws the 400 row report naming the problem. */
export function readCsvFile<C extends string>(buf: Uint8Array, layout: CsvLayout<C>): CsvFile<C> {
  if (buf.byteLength === 0) throw importError("文件是空的", [{ ...EMPTY }]);
  const { text, encoding } = decodeCsv(buf);
  let parsed: { record: string[]; info: { lines: number } }[];
  try {
    parsed = parse(text, {
      info: true,
      skip_empty_lines: true,
      relax_column_count: true,
      trim: false,
      bom: true,
    }) as unknown as typeof parsed;
  } catch (err) {
    throw importError("CSV 格式有误，无法读取", [
      {
        row: 0,
        column: null,
        value: null,
        problem: `CSV 格式有误：${(err as Error).message}`,
        expected: "逗号分隔、用英文双引号包裹含逗号的单元格",
      },
    ]);
  }
  if (parsed.length === 0) throw importError("文件是空的", [{ ...EMPTY }]);
  const header = parsed[0].record.map(normalizeHeader);
  if (looksLikeMojibake(text.slice(0, 4000)) || looksLikeMojibake(header.join(""))) {
    throw importError("文件内容是乱码：编码有误", [
      {
        row: 1,
        column: null,
        value: header.join(",").slice(0, 80),
        problem: "表头或内容出现乱码（文件可能被以错误的编码另存过）",
        expected: "UTF-8 或 GBK（Excel“CSV（逗号分隔）”）编码的文件，请用原始文件重新导出",
      },
    ]);
  }
  const known = new Map<string, C>();
  for (const c of [...layout.required, ...(layout.optional ?? [])]) known.set(c, c);
  for (const [alias, c] of Object.entries(layout.aliases ?? {})) known.set(alias, c);
  const expected = `表头应为：${layout.required.join("、")}`;
  const columns: C[] = [];
  const problems: ImportProblem[] = [];
  header.forEach((h, i) => {
    const col = known.get(h);
    if (!col) {
      if (h !== "")
        // an empty trailing column from Excel is fine
        problems.push({ row: 1, column: h, value: h, problem: `第 ${i + 1} 列表头“${h}”无法识别`, expected });
    } else if (columns.includes(col)) {
      problems.push({ row: 1, column: h, value: h, problem: `表头“${col}”重复`, expected: "每个表头只出现一次" });
    }
    columns.push((col ?? "") as C);
  });
  for (const need of layout.required) {
    if (!columns.includes(need))
      problems.push({ row: 1, column: need, value: null, problem: `缺少表头“${need}”`, expected });
  }
  if (problems.length) throw importError("CSV 表头不正确", problems, { expectedHeaders: layout.required });
  return { encoding, columns, records: parsed.slice(1).map((p) => ({ line: p.info.lines, cells: p.record })) };
}

/** A cell reader for one record: the trimmed text of a column, "" when absent. */
export function cellReader<C extends string>(file: CsvFile<C>, rec: { cells: string[] }) {
  return (col: C) => {
    const i = file.columns.indexOf(col);
    return i >= 0 ? (rec.cells[i] ?? "").trim() : "";
  };
}

/** Problems common to every row: more cells than headers, mojibake. Returns true when the row is unreadable. */
export function rowShapeProblems<C extends string>(
  file: CsvFile<C>,
  rec: { line: number; cells: string[] },
  problems: ImportProblem[],
): boolean {
  if (rec.cells.length > file.columns.length && rec.cells.slice(file.columns.length).some((c) => c.trim() !== "")) {
    problems.push({
      row: rec.line,
      column: null,
      value: null,
      problem: `这一行有 ${rec.cells.length} 列，多于表头的 ${file.columns.length} 列`,
      expected: "每行的列数与表头一致（含逗号的单元格请用双引号包裹）",
    });
  }
  if (rec.cells.some(looksLikeMojibake)) {
    problems.push({
      row: rec.line,
      column: null,
      value: rec.cells.find(looksLikeMojibake) ?? null,
      problem: "内容出现乱码",
      expected: "UTF-8 或 GBK 编码的原始文件",
    });
    return true;
  }
  return false;
}

/** 2026-11-01, 2026/11/1, 2026.11.1 or 2026年11月1日 → 2026-11-01; null when not a date. */
export function parseCsvDate(text: string): string | null {
  const m = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$/.exec(text.trim());
  if (!m) return null;
  const iso = `${m[1]}-${m[2].padStart(2, "0")}-${m[3].padStart(2, "0")}`;
  const d = new Date(`${iso}T00:00:00Z`);
  return Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== iso ? null : iso;
}
