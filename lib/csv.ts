import { stringify } from "csv-stringify/sync";

// The one CSV writer (fund export, hotline statistics, rectification ledger): RFC 4180 quoting by
// csv-stringify, CRLF line ends, and cells that a spreadsheet would run as a formula (starting with
// = + - @, a tab or a carriage return) prefixed with ' so they are shown as text.

export type CsvCell = string | number | boolean | null | undefined;

const FORMULA_START = /^[=+\-@\t\r]/;

/** A cell as text, neutralised if a spreadsheet would take it for a formula. */
export function csvSafeText(value: CsvCell): string {
  if (value === null || value === undefined) return "";
  const s = String(value);
  return FORMULA_START.test(s) ? `'${s}` : s;
}

/** Rows as CSV text (each row ends in CRLF). */
export function csvRows(rows: CsvCell[][]): string {
  return stringify(
    rows.map((r) => r.map(csvSafeText)),
    // csv-stringify quotes a delimiter or a quote by itself, but not a bare line feed inside a cell.
    { record_delimiter: "windows", quoted_match: /[\r\n]/, eof: true },
  );
}

/** One row as CSV text ending in CRLF (for streamed exports). */
export function csvLine(cells: CsvCell[]): string {
  return csvRows([cells]);
}

/** A whole CSV document with a UTF-8 BOM, so Excel opens Chinese text correctly. */
export function csvDocument(rows: CsvCell[][]): string {
  return `\uFEFF${csvRows(rows)}`;
}
