// The columns of an allocation in a spreadsheet, in order: what an import requires and what an export
// writes between its id and its publication details.
export const ALLOCATION_COLUMNS = [
  "年度",
  "资金级次",
  "资金名称",
  "文号",
  "区县",
  "镇办",
  "村",
  "项目",
  "类别",
  "金额",
  "用途",
] as const;
