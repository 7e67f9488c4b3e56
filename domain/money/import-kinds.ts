import { sql } from "drizzle-orm";
import { type Db, rows } from "../../db/client";
import { parseCsvDate } from "../../lib/csv-import";
import { PROJECT_STAGE_LABELS } from "../funds/labels";
import { MONEY_EXPECTED, MONEY_PROBLEM_TEXT, parseMoney } from "../funds/money";
import { type BeneficiaryListInput, type ListEntryInput, publishBeneficiaryList } from "./beneficiary-lists";
import { createDisbursement, type DisbursementInput } from "./disbursements";
import { createHousehold, type HouseholdInput, householdNameHash, householdsByIdNumbers } from "./households";
import { createHousingCase, type HousingCaseInput } from "./housing-cases";
import {
  CASE_METHOD_LABELS,
  CASE_METHODS,
  type CaseMethod,
  LIST_KIND_LABELS,
  LIST_KINDS,
  type ListKind,
  RECIPIENT_KIND_LABELS,
  RECIPIENT_KINDS,
  type RecipientKind,
} from "./labels";
import { isValidIdNumber, maskIdNumber, maskName, normalizeIdNumber } from "./privacy";
import type { RowImportKind } from "./row-import";
import { createSpending, parseProjectStage, type SpendingInput } from "./spending";

// The CSV layouts of the money-trail imports (disbursements, project spending, the household register,
// 危房改造 cases, beneficiary 公示 lists) and how one row becomes the input of the verb that writes a
// single record (or, for a list, one household of it).

type Bad<C> = (column: C, problem: string, expected: string) => void;

function money<C>(text: string, column: C, bad: Bad<C>): string | null {
  const m = parseMoney(text);
  if (!m.ok) {
    bad(column, MONEY_PROBLEM_TEXT[m.problem], MONEY_EXPECTED);
    return null;
  }
  return m.value;
}

function day<C>(text: string, column: C, bad: Bad<C>, required: boolean): string | null {
  if (!text) {
    if (required) bad(column, "日期不能为空", "如 2026-11-01");
    return null;
  }
  const d = parseCsvDate(text);
  if (!d) bad(column, "日期格式有误", "如 2026-11-01");
  return d;
}

function id<C>(text: string, column: C, bad: Bad<C>, required: boolean): number | null {
  if (!text) {
    if (required) bad(column, `${String(column)}不能为空`, "页面上记录的编号（数字）");
    return null;
  }
  if (!/^\d{1,9}$/.test(text)) {
    bad(column, `${String(column)}应为数字`, "页面上记录的编号（数字）");
    return null;
  }
  return Number(text);
}

function labelled<T extends string>(text: string, codes: readonly T[], labels: Record<T, string>): T | null {
  const s = text.trim();
  if ((codes as readonly string[]).includes(s)) return s as T;
  return codes.find((c) => labels[c] === s) ?? null;
}

// ---------------------------------------------------------------------------------------- 拨付
type DisbursementColumn =
  | "资金分配编号"
  | "拨付日期"
  | "金额"
  | "凭证号"
  | "收款方类型"
  | "收款方"
  | "拨付方式"
  | "项目编号";

export const disbursementImport: RowImportKind<DisbursementColumn, DisbursementInput> = {
  subject: "disbursement",
  required: ["资金分配编号", "拨付日期", "金额", "凭证号", "收款方类型", "收款方"],
  optional: ["拨付方式", "项目编号"],
  aliases: { 分配编号: "资金分配编号", "金额（元）": "金额", "金额(元)": "金额", 拨付金额: "金额", 日期: "拨付日期" },
  read(cell, bad) {
    const allocationId = id(cell("资金分配编号"), "资金分配编号", bad, true);
    const disbursedOn = day(cell("拨付日期"), "拨付日期", bad, true);
    const amount = money(cell("金额"), "金额", bad);
    const recipientKind = labelled<RecipientKind>(cell("收款方类型"), RECIPIENT_KINDS, RECIPIENT_KIND_LABELS);
    if (!recipientKind)
      bad(
        "收款方类型",
        "无法识别的收款方类型",
        `${RECIPIENT_KINDS.map((k) => RECIPIENT_KIND_LABELS[k]).join("、")} 之一`,
      );
    if (!cell("凭证号")) bad("凭证号", "凭证号不能为空", "如 高财拨〔2026〕7号");
    if (!cell("收款方")) bad("收款方", "收款方不能为空", "收款单位、镇办或村的名称");
    const projectId = id(cell("项目编号"), "项目编号", bad, false);
    if (allocationId == null || !disbursedOn || !amount || !recipientKind) return null;
    return {
      allocationId,
      disbursedOn,
      amount,
      voucherNo: cell("凭证号"),
      method: cell("拨付方式") || undefined,
      recipientKind,
      recipient: cell("收款方"),
      projectId,
    };
  },
  write: (tx, input, actorId) => createDisbursement(tx, input, actorId),
  columnOf: {
    allocationId: "资金分配编号",
    disbursedOn: "拨付日期",
    amount: "金额",
    voucherNo: "凭证号",
    recipientKind: "收款方类型",
    recipient: "收款方",
    method: "拨付方式",
  },
};

// ---------------------------------------------------------------------------------------- 支出
type SpendingColumn = "项目编号" | "收款单位" | "合同编号" | "金额" | "支付日期" | "用途" | "阶段" | "拨付编号";

export const spendingImport: RowImportKind<SpendingColumn, SpendingInput> = {
  subject: "spending",
  required: ["项目编号", "收款单位", "合同编号", "金额", "支付日期", "用途", "阶段"],
  optional: ["拨付编号"],
  aliases: {
    收款方: "收款单位",
    合同号: "合同编号",
    "金额（元）": "金额",
    "金额(元)": "金额",
    日期: "支付日期",
    项目阶段: "阶段",
  },
  read(cell, bad) {
    const projectId = id(cell("项目编号"), "项目编号", bad, true);
    const paidOn = day(cell("支付日期"), "支付日期", bad, true);
    const amount = money(cell("金额"), "金额", bad);
    const stage = parseProjectStage(cell("阶段") || "组织实施");
    if (!stage) bad("阶段", "无法识别的项目阶段", `${Object.values(PROJECT_STAGE_LABELS).join("、")} 之一`);
    if (!cell("收款单位")) bad("收款单位", "收款单位不能为空", "公司或单位名称");
    const disbursementId = id(cell("拨付编号"), "拨付编号", bad, false);
    if (projectId == null || !paidOn || !amount || !stage) return null;
    return {
      projectId,
      disbursementId,
      payee: cell("收款单位"),
      contractNo: cell("合同编号"),
      amount,
      paidOn,
      purpose: cell("用途"),
      stage,
    };
  },
  write: (tx, input, actorId) => createSpending(tx, input, actorId),
  columnOf: {
    projectId: "项目编号",
    disbursementId: "拨付编号",
    payee: "收款单位",
    contractNo: "合同编号",
    amount: "金额",
    paidOn: "支付日期",
    purpose: "用途",
    stage: "阶段",
  },
};

/** Every village by "区县|镇办|村", for the imports that name a village by its place. */
async function villagesByPlace(tx: Db): Promise<Map<string, number>> {
  const list = await rows<{ id: number; key: string }>(
    tx,
    sql`SELECT v.id, d.name || '|' || t.name || '|' || v.name AS key FROM villages v JOIN towns t ON t.id = v.town_id
        JOIN districts d ON d.id = t.district_id`,
  );
  return new Map(list.map((v) => [v.key, Number(v.id)]));
}

type PlaceColumn = "区县" | "镇办" | "村";
const PLACE_ALIASES: Record<string, PlaceColumn> = { 县区: "区县", 乡镇: "镇办", 镇街: "镇办", 村居: "村" };

function villageOfRow<C extends string>(
  cell: (c: C | PlaceColumn) => string,
  bad: Bad<C | PlaceColumn>,
  villages: Map<string, number>,
): number | undefined {
  const villageId = villages.get(`${cell("区县")}|${cell("镇办")}|${cell("村")}`);
  if (!villageId) bad("村", `没有“${cell("区县")}${cell("镇办")}${cell("村")}”`, "已有的区县、镇办和村名");
  return villageId;
}

// ---------------------------------------------------------------------------------------- 户籍登记
type HouseholdColumn =
  | "区县"
  | "镇办"
  | "村"
  | "户主姓名"
  | "身份证号码"
  | "家庭人口"
  | "状态"
  | "识别日期"
  | "退出日期";

export const householdImport: RowImportKind<HouseholdColumn, HouseholdInput, Map<string, number>> = {
  subject: "household",
  required: ["区县", "镇办", "村", "户主姓名", "身份证号码", "家庭人口"],
  optional: ["状态", "识别日期", "退出日期"],
  aliases: {
    ...PLACE_ALIASES,
    户主: "户主姓名",
    身份证号: "身份证号码",
    人口: "家庭人口",
    家庭人口数: "家庭人口",
  },
  masks: { 户主姓名: maskName, 身份证号码: maskIdNumber },
  prepare: (tx: Db) => villagesByPlace(tx),
  read(cell, bad, villages) {
    const villageId = villageOfRow(cell, bad, villages);
    if (!cell("户主姓名")) bad("户主姓名", "户主姓名不能为空", "户主的姓名");
    const idNumber = normalizeIdNumber(cell("身份证号码"));
    if (!isValidIdNumber(idNumber)) bad("身份证号码", "身份证号码位数或校验位不对", "户主的 18 位身份证号码");
    const members = /^\d{1,2}$/.test(cell("家庭人口")) ? Number(cell("家庭人口")) : Number.NaN;
    if (!(members >= 1 && members <= 30)) bad("家庭人口", "家庭人口应为 1–30 的整数", "如 4");
    const statusText = cell("状态");
    const status =
      statusText === "" || statusText === "建档立卡" || statusText === "registered"
        ? "registered"
        : statusText === "已退出" || statusText === "退出" || statusText === "exited"
          ? "exited"
          : null;
    if (!status) bad("状态", "无法识别的状态", "建档立卡 或 已退出");
    const identifiedOn = day(cell("识别日期"), "识别日期", bad, false);
    const exitedOn = day(cell("退出日期"), "退出日期", bad, status === "exited");
    if (!villageId || !status || !(members >= 1 && members <= 30)) return null;
    return {
      villageId,
      name: cell("户主姓名"),
      idNumber,
      members,
      status,
      identifiedOn,
      exitedOn,
    };
  },
  write: (tx, input, actorId) => createHousehold(tx, input, actorId),
  columnOf: {
    villageId: "村",
    name: "户主姓名",
    idNumber: "身份证号码",
    members: "家庭人口",
    identifiedOn: "识别日期",
    exitedOn: "退出日期",
  },
};

// ---------------------------------------------------------------------------------------- 危房改造
type HousingColumn = "身份证号码" | "年度" | "鉴定等级" | "改造方式" | "补助标准" | "补助金额" | "申请日期";

export const housingCaseImport: RowImportKind<HousingColumn, HousingCaseInput, Map<string, { id: number }>> = {
  subject: "housing_case",
  required: ["身份证号码", "年度", "鉴定等级", "改造方式", "补助金额", "申请日期"],
  optional: ["补助标准"],
  aliases: {
    户主身份证号码: "身份证号码",
    身份证号: "身份证号码",
    等级: "鉴定等级",
    方式: "改造方式",
    金额: "补助金额",
    日期: "申请日期",
  },
  masks: { 身份证号码: maskIdNumber },
  async prepare(tx, file) {
    const col = file.columns.indexOf("身份证号码");
    const numbers = file.records.map((r) => normalizeIdNumber(r.cells[col] ?? "")).filter(isValidIdNumber);
    return householdsByIdNumbers(tx, numbers);
  },
  read(cell, bad, households) {
    const idNumber = normalizeIdNumber(cell("身份证号码"));
    const household = households.get(idNumber);
    if (!isValidIdNumber(idNumber)) bad("身份证号码", "身份证号码位数或校验位不对", "户主的 18 位身份证号码");
    else if (!household) bad("身份证号码", "户籍登记中没有这个身份证号码", "已登记户的户主身份证号码");
    const yearText = cell("年度").replace(/年$/, "");
    const year = /^\d{4}$/.test(yearText) ? Number(yearText) : Number.NaN;
    if (!(year >= 2014 && year <= 2035)) bad("年度", "年度有误", "2014–2035 之间的四位年份");
    const grade = cell("鉴定等级").replace(/级$/, "").toUpperCase();
    if (grade !== "C" && grade !== "D") bad("鉴定等级", "鉴定等级应为 C 或 D", "C级 或 D级");
    const method = labelled<CaseMethod>(cell("改造方式"), CASE_METHODS, CASE_METHOD_LABELS);
    if (!method)
      bad("改造方式", "无法识别的改造方式", `${CASE_METHODS.map((m) => CASE_METHOD_LABELS[m]).join("、")} 之一`);
    const amount = money(cell("补助金额"), "补助金额", bad);
    const appliedOn = day(cell("申请日期"), "申请日期", bad, true);
    if (!household || !(year >= 2014) || (grade !== "C" && grade !== "D") || !method || !amount || !appliedOn)
      return null;
    return { householdId: household.id, year, grade, method, subsidyStandard: cell("补助标准"), amount, appliedOn };
  },
  write: (tx, input, actorId) => createHousingCase(tx, input, actorId),
  columnOf: {
    householdId: "身份证号码",
    year: "年度",
    grade: "鉴定等级",
    method: "改造方式",
    amount: "补助金额",
    appliedOn: "申请日期",
  },
};

// ---------------------------------------------------------------------------------------- 公示名单
type ListColumn =
  | PlaceColumn
  | "名单类型"
  | "身份证号码"
  | "户主姓名"
  | "金额"
  | "备注"
  | "标题"
  | "公示开始日期"
  | "公示天数";

interface ListRowInput {
  list: Omit<BeneficiaryListInput, "entries">;
  entry: ListEntryInput;
}

interface ListContext {
  villages: Map<string, number>;
  households: Map<string, { id: number; villageId: number; nameHash: string }>;
  /** list key + household: a household appears once in a list. */
  seen: Set<string>;
}

const listKey = (l: ListRowInput["list"]) =>
  [l.villageId, l.kind, l.title ?? "", l.periodStart ?? "", l.periodDays ?? ""].join("|");

/**
 * 公示名单 rows, one household each, named by the 户主's ID number (looked up by its keyed hash); the
 * rows of one village, kind, title and period make one list, published as one notice. A household not
 * in the register, of another village, whose 户主姓名 (when given) does not match, or twice in a list,
 * is refused row by row.
 */
export const beneficiaryListImport: RowImportKind<ListColumn, ListRowInput, ListContext> = {
  subject: "beneficiary_list",
  required: ["区县", "镇办", "村", "名单类型", "身份证号码"],
  optional: ["户主姓名", "金额", "备注", "标题", "公示开始日期", "公示天数"],
  aliases: {
    ...PLACE_ALIASES,
    类型: "名单类型",
    户主身份证号码: "身份证号码",
    身份证号: "身份证号码",
    户主: "户主姓名",
    "金额（元）": "金额",
    "金额(元)": "金额",
    说明: "备注",
    名单标题: "标题",
    开始日期: "公示开始日期",
    公示期: "公示天数",
  },
  masks: { 户主姓名: maskName, 身份证号码: maskIdNumber },
  async prepare(tx, file) {
    const col = file.columns.indexOf("身份证号码");
    const numbers = file.records.map((r) => normalizeIdNumber(r.cells[col] ?? "")).filter(isValidIdNumber);
    const found = await householdsByIdNumbers(tx, numbers);
    const hashes = await rows<{ id: number; name_hash: string }>(
      tx,
      sql`SELECT id, name_hash FROM households WHERE id IN (SELECT unnest(${`{${[...found.values()].map((h) => h.id).join(",")}}`}::int[]))`,
    );
    const nameHash = new Map(hashes.map((h) => [Number(h.id), h.name_hash]));
    const households = new Map(
      [...found].map(([n, h]) => [n, { id: h.id, villageId: h.villageId, nameHash: nameHash.get(h.id) ?? "" }]),
    );
    return { villages: await villagesByPlace(tx), households, seen: new Set() };
  },
  read(cell, bad, ctx) {
    const villageId = villageOfRow(cell, bad, ctx.villages);
    const kind = labelled<ListKind>(cell("名单类型"), LIST_KINDS, LIST_KIND_LABELS);
    if (!kind) bad("名单类型", "无法识别的名单类型", `${LIST_KINDS.map((k) => LIST_KIND_LABELS[k]).join("、")} 之一`);
    const idNumber = normalizeIdNumber(cell("身份证号码"));
    const household = ctx.households.get(idNumber);
    if (!isValidIdNumber(idNumber)) bad("身份证号码", "身份证号码位数或校验位不对", "户主的 18 位身份证号码");
    else if (!household) bad("身份证号码", "户籍登记中没有这个身份证号码", "已登记户的户主身份证号码");
    else if (villageId && household.villageId !== villageId)
      bad("身份证号码", "这一户不在本村的户籍登记中", "本村已登记户的户主身份证号码");
    else if (cell("户主姓名") && householdNameHash(cell("户主姓名")) !== household.nameHash)
      bad("户主姓名", "户主姓名与户籍登记不符", "户籍登记中这一户户主的姓名");
    const amount = cell("金额") ? money(cell("金额"), "金额", bad) : null;
    const periodStart = day(cell("公示开始日期"), "公示开始日期", bad, false);
    const daysText = cell("公示天数").replace(/天$/, "");
    if (daysText && !/^\d{1,2}$/.test(daysText)) bad("公示天数", "公示天数应为整数", "不少于 10 的天数，如 10");
    if (cell("备注").length > 200) bad("备注", "备注不超过 200 个字", "简短说明");
    if (cell("标题").length > 200) bad("标题", "标题不超过 200 个字", "如 某村收益分红名单公示");
    if (!villageId || !kind || !household || (cell("金额") && !amount)) return null;
    const list = {
      kind,
      villageId,
      title: cell("标题") || undefined,
      periodStart: periodStart ?? undefined,
      periodDays: daysText ? Number(daysText) : undefined,
    };
    const seenKey = `${listKey(list)}|${household.id}`;
    if (ctx.seen.has(seenKey)) {
      bad("身份证号码", "这一户在同一份名单中重复", "每户一行");
      return null;
    }
    ctx.seen.add(seenKey);
    return { list, entry: { householdId: household.id, amount, note: cell("备注") } };
  },
  group: {
    key: (row) => listKey(row.list),
    write: async (tx, rowsOfList, actorId) =>
      (await publishBeneficiaryList(tx, { ...rowsOfList[0].list, entries: rowsOfList.map((r) => r.entry) }, actorId))
        .listId,
  },
  columnOf: {
    kind: "名单类型",
    villageId: "村",
    title: "标题",
    periodDays: "公示天数",
    periodStart: "公示开始日期",
    entries: "身份证号码",
    householdId: "身份证号码",
    amount: "金额",
    note: "备注",
  },
};

/** The import kinds by the name used in URLs. */
export const MONEY_IMPORTS = {
  disbursements: { kind: disbursementImport, title: "拨付" },
  spending: { kind: spendingImport, title: "项目支出" },
  households: { kind: householdImport, title: "户籍登记" },
  "housing-cases": { kind: housingCaseImport, title: "危房改造申请" },
  "beneficiary-lists": { kind: beneficiaryListImport, title: "公示名单" },
} as const;
export type MoneyImportName = keyof typeof MONEY_IMPORTS;
export const MONEY_IMPORT_NAMES = Object.keys(MONEY_IMPORTS) as MoneyImportName[];
