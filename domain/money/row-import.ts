import type { Db } from "../../db/client";
import {
  type CsvEncoding,
  type CsvFile,
  type CsvLayout,
  cellReader,
  type ImportProblem,
  readCsvFile,
  rowShapeProblems,
  rowsRefused,
} from "../../lib/csv-import";
import { AppError } from "../../lib/errors";
import { appendAudit } from "../audit/audit-log";

// CSV imports of the money trail that write through the same domain verb as a single record (the
// publisher's form and the API): each row is read into that verb's input, then the verb runs in a
// savepoint of ONE transaction. A row the verb refuses (over the allocation, not in the register, a
// duplicate) becomes a line of the row report and the import goes on to report every row; when any
// row has a problem the whole transaction is rolled back — all rows or none. Each written record has its
// own version and audit row (from the verb) and the file one more audit row. A dry run does the same
// and always rolls back, so the report on the first upload is exactly what the commit will find.
// Rows that only together make a record (the households of one 公示 list) are grouped by a key after
// every row was read, and each group is written by one verb call; a problem the verb reports on
// `<field>.<i>` (entries.2.amount) names the group's i-th row.

interface RowImportLayout<C extends string, T, X> extends CsvLayout<C> {
  /** The audit subject of the batch (`<subject>.import`). */
  subject: string;
  /** Columns holding personal data: shown only through this mask in previews and row reports. */
  masks?: Partial<Record<C, (value: string) => string>>;
  /** Look-ups shared by all rows (villages by name, households by ID number), in the import's transaction. */
  prepare?: (tx: Db, file: CsvFile<C>) => Promise<X>;
  /** One row's cells → the verb's input; format problems reported through `bad`, then null. */
  read: (cell: (c: C) => string, bad: (column: C, problem: string, expected: string) => void, ctx: X) => T | null;
  /** The verb's error paths (first segment, or the field after a row index) → the column to name in the report. */
  columnOf: Record<string, C>;
}

/** Rows with the same key make one record, written by one call of the verb. Returns the record's id. */
export interface RowGroup<T> {
  key: (input: T) => string;
  write: (tx: Db, inputs: T[], actorId: number | null) => Promise<number>;
}

export type RowImportKind<C extends string, T, X = unknown> = RowImportLayout<C, T, X> &
  (
    | {
        /** The domain verb writing one record (its own version and audit row). Returns the record's id. */
        write: (tx: Db, input: T, actorId: number | null) => Promise<number>;
        group?: never;
      }
    | { group: RowGroup<T>; write?: never }
  );

export interface RowImportResult<C extends string> {
  encoding: CsvEncoding;
  /** Rows written. */
  count: number;
  /** The records written (one per row, or one per group of rows). */
  ids: number[];
  file: CsvFile<C>;
}

class DryRunDone<C extends string> extends Error {
  constructor(readonly result: RowImportResult<C>) {
    super("dry run");
  }
}

/** A cell's text as the report or preview may show it. */
export function shownCell<C extends string>(kind: RowImportKind<C, unknown, never>, column: C, value: string) {
  const mask = kind.masks?.[column];
  return value && mask ? mask(value) : value;
}

/** Import (or with dryRun, only check) a CSV file of this kind: all rows or none, with a row report. */
export async function runRowImport<C extends string, T, X>(
  db: Db,
  kind: RowImportKind<C, T, X>,
  buf: Uint8Array,
  opts: { fileName: string; actorId: number | null; dryRun?: boolean },
): Promise<RowImportResult<C>> {
  const file = readCsvFile(buf, kind);
  const show = (column: C, value: string) => shownCell(kind as RowImportKind<C, unknown, never>, column, value) || null;
  try {
    return await db.transaction(async (tx) => {
      const ctx = (kind.prepare ? await kind.prepare(tx, file) : undefined) as X;
      const problems: ImportProblem[] = [];
      const ids: number[] = [];
      const groups = new Map<string, { line: number; cell: (c: C) => string; input: T }[]>();
      const group = kind.group;
      // A verb's refusal of a row (or of a group's i-th row) as a line of the report; anything but a
      // client's mistake is rethrown.
      const refused = (err: unknown, rowsOf: { line: number; cell: (c: C) => string }[]) => {
        if (!(err instanceof AppError) || err.status >= 500) throw err;
        const first = Array.isArray(err.details) ? (err.details[0] as { path?: string; message?: string }) : undefined;
        const [head = "", index, field] = (first?.path ?? "").split(".");
        const at = /^\d+$/.test(index ?? "") ? rowsOf[Number(index)] : undefined;
        const row = at ?? rowsOf[0];
        const named = at && field ? field : head;
        const column = named ? (kind.columnOf[named] ?? null) : null;
        problems.push({
          row: row.line,
          column,
          value: column ? show(column, row.cell(column)) : null,
          problem: err.message,
          expected: first?.message && first.message !== err.message ? first.message : null,
        });
      };
      let written = 0;
      for (const rec of file.records) {
        if (rowShapeProblems(file, rec, problems)) continue;
        const cell = cellReader(file, rec);
        const before = problems.length;
        const input = kind.read(
          cell,
          (column, problem, expected) =>
            problems.push({ row: rec.line, column, value: show(column, cell(column)), problem, expected }),
          ctx,
        );
        if (input == null || problems.length > before) continue;
        if (kind.group) {
          const key = kind.group.key(input);
          const rowsOfKey = groups.get(key) ?? [];
          rowsOfKey.push({ line: rec.line, cell, input });
          groups.set(key, rowsOfKey);
          continue;
        }
        try {
          ids.push(await kind.write(tx, input, opts.actorId));
          written++;
        } catch (err) {
          refused(err, [{ line: rec.line, cell }]);
        }
      }
      if (group)
        for (const rowsOfKey of groups.values()) {
          try {
            ids.push(
              await group.write(
                tx,
                rowsOfKey.map((r) => r.input),
                opts.actorId,
              ),
            );
            written += rowsOfKey.length;
          } catch (err) {
            refused(err, rowsOfKey);
          }
        }
      if (file.records.length === 0)
        problems.push({ row: 0, column: null, value: null, problem: "文件只有表头，没有数据行", expected: "至少一行" });
      if (problems.length) throw rowsRefused(problems, file.records.length);
      const result = { encoding: file.encoding, count: written, ids, file };
      if (opts.dryRun) throw new DryRunDone(result);
      await appendAudit(tx, {
        actorId: opts.actorId,
        action: `${kind.subject}.import`,
        subjectType: `${kind.subject}_import`,
        subjectId: String(ids[0]),
        details: {
          fileName: opts.fileName.slice(0, 200),
          rows: written,
          encoding: file.encoding,
          firstId: ids[0],
          lastId: ids[ids.length - 1],
        },
      });
      return result;
    });
  } catch (err) {
    if (err instanceof DryRunDone) return err.result as RowImportResult<C>;
    throw err;
  }
}
