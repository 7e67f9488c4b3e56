import { type CsvCell, csvDocument } from "../../lib/csv";
import { LEDGER_SOURCE_LABELS, LEDGER_STATUS_LABELS, LEVEL_LABELS, type LedgerEntry } from "./rules";

/** CSV (UTF-8 with BOM, for Excel) of the entries. */
export function ledgerCsv(entries: LedgerEntry[]): string {
  const head = [
    "台账编号",
    "来源",
    "工单编号",
    "责任单位",
    "层级",
    "区县",
    "问题",
    "问题描述",
    "整改措施",
    "整改期限",
    "状态",
    "是否逾期",
    "销号人",
    "销号时间",
    "重新打开次数",
  ];
  const lines: CsvCell[][] = [head];
  for (const e of entries) {
    lines.push([
      e.number,
      LEDGER_SOURCE_LABELS[e.source],
      e.ticketNumber,
      e.responsibleUnit.name,
      LEVEL_LABELS[e.level] ?? e.level,
      e.districtName,
      e.title,
      e.description,
      e.measures,
      e.deadline,
      LEDGER_STATUS_LABELS[e.status],
      e.overdue ? "是" : "否",
      e.signedOffBy,
      e.signedOffAt ? new Date(e.signedOffAt).toLocaleString("zh-CN", { timeZone: "Asia/Shanghai" }) : "",
      e.reopenedCount,
    ]);
  }
  return csvDocument(lines);
}
