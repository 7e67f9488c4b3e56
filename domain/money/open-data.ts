import { type SQL, sql } from "drizzle-orm";
import { type Db, rows } from "../../db/client";
import type { Validator } from "../../lib/conditional-get";
import { type CsvCell, csvLine } from "../../lib/csv";
import { CSV_RESOURCE, streamOf } from "../funds/export";
import { PROJECT_STAGE_LABELS } from "../funds/labels";
import { DISTRIBUTION_LABELS } from "../projects/asset-income";
import { CONDITION_LABELS, type Condition } from "../projects/inspections";
import {
  CASE_METHOD_LABELS,
  type CaseMethod,
  LIST_KIND_LABELS,
  type ListKind,
  PROGRAMME_LABELS,
  type Programme,
  RECIPIENT_KIND_LABELS,
  type RecipientKind,
} from "./labels";
import { SUPPRESS_BELOW } from "./privacy";

// The money trail as open data: one CSV file per public table, and their description as a Frictionless
// Data Package. Each dataset below is the single source of both — its fields name the CSV header, the
// field's Table Schema type and description, and the query column each cell comes from — so the file
// and its description cannot differ. Household-level data never appears: payments, 危房改造 cases and
// beneficiary lists are published as counts and sums per place (a cell of fewer than 3 households is
// left empty, as on /stats); disbursements, spending and assets name units and companies only.

export type FieldType = "integer" | "number" | "string" | "date" | "year";

export interface OpenField {
  /** The CSV header (the Data Package field name). */
  name: string;
  type: FieldType;
  description: string;
  /** The query column the cell comes from. */
  column: string;
  /** Label for a code (programme, stage …); the cell as read otherwise. */
  label?: Record<string, string>;
  constraints?: { enum: string[] };
}

export interface OpenDataset {
  name: string;
  title: string;
  description: string;
  fields: OpenField[];
  primaryKey?: string[];
  /** Tables whose newest change (and highest id) the export's validator reads. */
  sources: { table: string; changed: "updated_at" | "created_at" }[];
  /** SELECT … FROM … without ORDER BY. */
  select: SQL;
  /** Row tables: read in pages by this id column (aliased `id` in the select), so memory stays flat. */
  keyset?: string;
  /** Totals (a row per place and year at most): read at once in this order. */
  order?: string;
}

const f = (name: string, type: FieldType, column: string, description: string, extra: Partial<OpenField> = {}) => ({
  name,
  type,
  column,
  description,
  ...extra,
});
const labelled = (name: string, column: string, description: string, label: Record<string, string>) =>
  f(name, "string", column, description, { label, constraints: { enum: Object.values(label) } });
const STATUS = { active: "有效", withdrawn: "已撤回" };
const place = [
  f("区县", "string", "district", "区县（功能区）"),
  f("镇办", "string", "town", "镇（街道）"),
  f("村", "string", "village", "村（居）"),
];
const suppressed = `少于 ${SUPPRESS_BELOW} 户时不公布（空）`;
// Counts and sums of a group of households, empty when the group is smaller than SUPPRESS_BELOW.
const hidden = (expr: SQL, households: SQL) =>
  sql`CASE WHEN ${households} < ${SUPPRESS_BELOW} THEN NULL ELSE ${expr} END`;
const placeJoins = (alias: string) =>
  sql.raw(`JOIN districts dd ON dd.id = ${alias}.district_id LEFT JOIN villages vv ON vv.id = ${alias}.village_id
    LEFT JOIN towns tt ON tt.id = vv.town_id`);

export const OPEN_DATASETS: OpenDataset[] = [
  {
    name: "disbursements",
    title: "资金拨付",
    description:
      "从每笔资金分配实际拨付的资金：日期、金额、凭证号、方式和收款方（单位、镇、村、项目或到户发放批次）；撤回的保留并标明。",
    primaryKey: ["编号"],
    sources: [{ table: "disbursements", changed: "updated_at" }],
    fields: [
      f("编号", "integer", "id", "拨付记录编号"),
      f("资金分配编号", "integer", "allocation_id", "来源资金分配（/funds/编号）"),
      f("年度", "year", "year", "资金年度"),
      ...place,
      f("拨付日期", "date", "disbursed_on", "拨付日期"),
      f("金额", "number", "amount", "拨付金额（元，两位小数）"),
      f("凭证号", "string", "voucher_no", "拨付凭证号"),
      f("拨付方式", "string", "method", "如 国库集中支付"),
      labelled(
        "收款方类型",
        "recipient_kind",
        "收款方类型",
        RECIPIENT_KIND_LABELS satisfies Record<RecipientKind, string>,
      ),
      f("收款方", "string", "recipient", "收款单位、镇、村、项目或到户发放批次（不含个人）"),
      f("项目编号", "integer", "project_id", "收款项目（/projects/编号），可为空"),
      f("版本", "integer", "version", "当前版本号（更正后递增）"),
      labelled("状态", "status", "有效或已撤回", STATUS),
    ],
    keyset: "d.id",
    select: sql`SELECT d.id, d.allocation_id, d.year, dd.name AS district, tt.name AS town, vv.name AS village,
        d.disbursed_on::text AS disbursed_on, d.amount::text AS amount, d.voucher_no, d.method, d.recipient_kind,
        d.recipient, d.project_id, d.version, d.status
      FROM disbursements d ${placeJoins("d")}`,
  },
  {
    name: "spending",
    title: "项目支出",
    description: "扶贫项目向企业或单位支付的款项：收款单位、合同编号、金额、日期、用途和所付阶段；撤回的保留并标明。",
    primaryKey: ["编号"],
    sources: [{ table: "project_spending", changed: "updated_at" }],
    fields: [
      f("编号", "integer", "id", "支出记录编号"),
      f("项目编号", "integer", "project_id", "项目（/projects/编号）"),
      f("项目", "string", "project", "项目名称"),
      f("区县", "string", "district", "项目所在区县"),
      f("拨付编号", "integer", "disbursement_id", "资金来源的拨付记录，可为空"),
      f("收款单位", "string", "payee", "收款企业或单位"),
      f("合同编号", "string", "contract_no", "合同编号"),
      f("金额", "number", "amount", "支付金额（元，两位小数）"),
      f("支付日期", "date", "paid_on", "支付日期"),
      f("用途", "string", "purpose", "用途"),
      labelled("阶段", "stage", "所付的项目阶段", PROJECT_STAGE_LABELS),
      f("版本", "integer", "version", "当前版本号（更正后递增）"),
      labelled("状态", "status", "有效或已撤回", STATUS),
    ],
    keyset: "s.id",
    select: sql`SELECT s.id, s.project_id, p.name AS project, dd.name AS district, s.disbursement_id, s.payee, s.contract_no,
        s.amount::text AS amount, s.paid_on::text AS paid_on, s.purpose, s.stage, s.version, s.status
      FROM project_spending s JOIN projects p ON p.id = s.project_id JOIN districts dd ON dd.id = p.district_id`,
  },
  {
    name: "household-payment-totals",
    title: "直接拨付到户（汇总）",
    description: `按村、年度和补贴项目汇总的到户发放（不含撤回）：户数、笔数和金额；${suppressed}。`,
    sources: [{ table: "household_payments", changed: "updated_at" }],
    fields: [
      ...place,
      f("年度", "year", "year", "发放年度"),
      labelled("补贴项目", "programme", "补贴项目", PROGRAMME_LABELS satisfies Record<Programme, string>),
      f("户数", "integer", "households", `领取的户数；${suppressed}`),
      f("笔数", "integer", "payments", `发放记录笔数；${suppressed}`),
      f("已发放金额", "number", "paid", `状态为已发放的金额（元）；${suppressed}`),
      f("未发放金额", "number", "unpaid", `待发放和退回的金额（元）；${suppressed}`),
    ],
    order: "dd.name, tt.name, vv.name, g.year, g.programme",
    select: sql`SELECT dd.name AS district, tt.name AS town, vv.name AS village, g.year, g.programme,
        ${hidden(sql`g.households`, sql`g.households`)} AS households, ${hidden(sql`g.payments`, sql`g.households`)} AS payments,
        ${hidden(sql`g.paid::text`, sql`g.households`)} AS paid, ${hidden(sql`g.unpaid::text`, sql`g.households`)} AS unpaid
      FROM (SELECT district_id, village_id, year, programme, count(DISTINCT household_id)::int AS households,
              count(*)::int AS payments, coalesce(sum(amount) FILTER (WHERE state = 'paid'), 0) AS paid,
              coalesce(sum(amount) FILTER (WHERE state <> 'paid'), 0) AS unpaid
            FROM household_payments WHERE status = 'active' GROUP BY district_id, village_id, year, programme) g
      ${placeJoins("g")}`,
  },
  {
    name: "housing-case-totals",
    title: "危房改造（汇总）",
    description: `按村、年度和改造方式汇总的危房改造（不含撤回）：户数、已验收和已拨付户数、补助金额；${suppressed}。`,
    sources: [{ table: "housing_cases", changed: "updated_at" }],
    fields: [
      ...place,
      f("年度", "year", "year", "改造年度"),
      labelled(
        "改造方式",
        "method",
        "修缮加固、翻建、新建或置换",
        CASE_METHOD_LABELS satisfies Record<CaseMethod, string>,
      ),
      f("户数", "integer", "cases", `改造户数；${suppressed}`),
      f("已验收户数", "integer", "accepted", `已验收或已拨付的户数；${suppressed}`),
      f("已拨付户数", "integer", "paid", `补助已拨付的户数；${suppressed}`),
      f("补助金额", "number", "amount", `补助金额合计（元）；${suppressed}`),
    ],
    order: "dd.name, tt.name, vv.name, g.year, g.method",
    select: sql`SELECT dd.name AS district, tt.name AS town, vv.name AS village, g.year, g.method,
        ${hidden(sql`g.cases`, sql`g.cases`)} AS cases, ${hidden(sql`g.accepted`, sql`g.cases`)} AS accepted,
        ${hidden(sql`g.paid`, sql`g.cases`)} AS paid, ${hidden(sql`g.amount::text`, sql`g.cases`)} AS amount
      FROM (SELECT district_id, village_id, year, method, count(*)::int AS cases,
              (count(*) FILTER (WHERE stage IN ('accepted', 'paid')))::int AS accepted,
              (count(*) FILTER (WHERE stage = 'paid'))::int AS paid, sum(amount) AS amount
            FROM housing_cases WHERE status = 'active' GROUP BY district_id, village_id, year, method) g
      ${placeJoins("g")}`,
  },
  {
    name: "beneficiary-list-totals",
    title: "扶贫对象公示名单（汇总）",
    description: `每份公示名单（识别、退出、危房改造、分红）的户数和金额合计；名单本身只在公示期内公开，${suppressed}。`,
    primaryKey: ["名单编号"],
    sources: [
      { table: "beneficiary_lists", changed: "created_at" },
      { table: "notices", changed: "updated_at" },
    ],
    fields: [
      f("名单编号", "integer", "id", "名单编号"),
      f("公告编号", "integer", "notice_id", "所在公示（/notices/编号）"),
      labelled("名单类别", "kind", "名单类别", LIST_KIND_LABELS satisfies Record<ListKind, string>),
      f("公示开始", "date", "period_start", "公示期开始日期"),
      f("公示结束", "date", "period_end", "公示期结束日期"),
      ...place,
      f("户数", "integer", "households", `名单上的户数；${suppressed}`),
      f("金额", "number", "amount", `名单金额合计（元，无金额的名单为空）；${suppressed}`),
    ],
    keyset: "l.id",
    select: sql`SELECT l.id, l.notice_id, l.kind, n.period_start::text AS period_start, n.period_end::text AS period_end,
        dd.name AS district, tt.name AS town, vv.name AS village,
        ${hidden(sql`g.households`, sql`g.households`)} AS households, ${hidden(sql`g.amount::text`, sql`g.households`)} AS amount
      FROM beneficiary_lists l JOIN notices n ON n.id = l.notice_id JOIN villages vv ON vv.id = l.village_id
      JOIN towns tt ON tt.id = vv.town_id JOIN districts dd ON dd.id = tt.district_id
      JOIN LATERAL (SELECT count(*)::int AS households, sum(e.amount) AS amount
                    FROM beneficiary_list_entries e WHERE e.list_id = l.id) g ON true`,
  },
  {
    name: "asset-inspections",
    title: "项目资产管护巡查",
    description: "竣工项目资产的管护巡查：日期、巡查单位、资产状况和发现的问题。",
    primaryKey: ["编号"],
    sources: [{ table: "asset_inspections", changed: "created_at" }],
    fields: [
      f("编号", "integer", "id", "巡查记录编号"),
      f("项目编号", "integer", "project_id", "项目（/projects/编号）"),
      f("项目", "string", "project", "项目名称"),
      f("资产", "string", "asset_name", "资产名称"),
      f("区县", "string", "district", "项目所在区县"),
      f("巡查日期", "date", "inspected_on", "巡查日期"),
      f("巡查单位", "string", "inspector", "巡查单位或岗位"),
      labelled("资产状况", "condition", "巡查时的资产状况", CONDITION_LABELS satisfies Record<Condition, string>),
      f("发现的问题", "string", "findings", "发现的问题和处理"),
    ],
    keyset: "i.id",
    select: sql`SELECT i.id, i.project_id, p.name AS project, x.asset_name, dd.name AS district,
        i.inspected_on::text AS inspected_on, i.inspector, i.condition, i.findings
      FROM asset_inspections i JOIN projects p ON p.id = i.project_id JOIN districts dd ON dd.id = p.district_id
      LEFT JOIN project_assets x ON x.project_id = i.project_id`,
  },
  {
    name: "asset-income",
    title: "项目资产年度收益及分配",
    description: "竣工项目资产每年的收益及其分配（合计金额）：分红到户、村集体留存、管护费用和其他。",
    primaryKey: ["项目编号", "年度"],
    sources: [{ table: "asset_income", changed: "updated_at" }],
    fields: [
      f("项目编号", "integer", "project_id", "项目（/projects/编号）"),
      f("项目", "string", "project", "项目名称"),
      f("资产", "string", "asset_name", "资产名称"),
      f("区县", "string", "district", "项目所在区县"),
      f("年度", "year", "year", "收益年度"),
      f("收益", "number", "income", "当年资产收益（元）"),
      f(DISTRIBUTION_LABELS.toHouseholds, "number", "to_households", "分红到户的金额合计（元）"),
      f(DISTRIBUTION_LABELS.toCollective, "number", "to_collective", "村集体留存（元）"),
      f(DISTRIBUTION_LABELS.toMaintenance, "number", "to_maintenance", "用于管护的费用（元）"),
      f(DISTRIBUTION_LABELS.toOther, "number", "to_other", "其他用途（元）"),
      f("未分配", "number", "undistributed", "收益减去各项分配（元）"),
      f("版本", "integer", "version", "当前版本号（更正后递增）"),
    ],
    order: "x.project_id, i.year",
    select: sql`SELECT x.project_id, p.name AS project, x.asset_name, dd.name AS district, i.year, i.income::text AS income,
        i.to_households::text AS to_households, i.to_collective::text AS to_collective,
        i.to_maintenance::text AS to_maintenance, i.to_other::text AS to_other,
        (i.income - i.to_households - i.to_collective - i.to_maintenance - i.to_other)::text AS undistributed, i.version
      FROM asset_income i JOIN project_assets x ON x.id = i.asset_id JOIN projects p ON p.id = x.project_id
      JOIN districts dd ON dd.id = p.district_id`,
  },
];

export const OPEN_DATASET_NAMES = OPEN_DATASETS.map((d) => d.name);

export function openDataset(name: string): OpenDataset | undefined {
  return OPEN_DATASETS.find((d) => d.name === name);
}

/** The CSV header of a dataset (the Data Package's field names, in order). */
export function openDatasetHeader(d: OpenDataset): string[] {
  return d.fields.map((x) => x.name);
}

/** Rows per read of a row table. */
export const OPEN_DATA_BATCH = 5000;

/** The dataset's rows as read from the database: pages by id (row tables) or all at once (totals). */
export async function* openDatasetRows(
  db: Db,
  d: OpenDataset,
  batch = OPEN_DATA_BATCH,
): AsyncGenerator<Record<string, CsvCell>[]> {
  if (!d.keyset) {
    yield await rows<Record<string, CsvCell>>(db, sql`${d.select} ORDER BY ${sql.raw(d.order ?? "1")}`);
    return;
  }
  const key = sql.raw(d.keyset);
  for (let after = 0; ; ) {
    const list = await rows<Record<string, CsvCell>>(
      db,
      sql`${d.select} WHERE ${key} > ${after} ORDER BY ${key} LIMIT ${batch}`,
    );
    if (list.length > 0) yield list;
    if (list.length < batch) return;
    after = Number(list[list.length - 1].id);
  }
}

/** UTF-8 CSV with BOM and CRLF, like the fund export: the header, then every row, streamed as read. */
export function openDatasetCsv(db: Db, d: OpenDataset, batch = OPEN_DATA_BATCH): ReadableStream<Uint8Array> {
  const cell = (x: OpenField, r: Record<string, CsvCell>) => {
    const v = r[x.column];
    return x.label && v != null ? (x.label[String(v)] ?? v) : v;
  };
  return streamOf(async function* () {
    yield `\uFEFF${csvLine(openDatasetHeader(d))}`;
    for await (const list of openDatasetRows(db, d, batch))
      yield list.map((r) => csvLine(d.fields.map((x) => cell(x, r)))).join("");
  });
}

/**
 * The export's validator: a new row moves a source's highest id, a correction or withdrawal its newest
 * change time, so an unchanged ETag means an unchanged file.
 */
export async function openDatasetValidator(db: Db, d: OpenDataset): Promise<Validator> {
  const parts = await Promise.all(
    d.sources.map(async (s) => {
      const [r] = await rows<{ id: number | null; at: string | null }>(
        db,
        sql`SELECT max(id) AS id, to_char(max(${sql.raw(s.changed)}) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at
            FROM ${sql.raw(s.table)}`,
      );
      return { id: Number(r?.id ?? 0), at: r?.at ?? null };
    }),
  );
  const newest =
    parts
      .map((p) => p.at)
      .filter((a): a is string => a != null)
      .sort()
      .at(-1) ?? null;
  const tag = parts.map((p) => `${p.id}-${(p.at ?? "0").replace(/\D/g, "")}`).join("-");
  return { etag: `W/"${d.name}-${tag}"`, lastModified: new Date(newest ?? 0) };
}

/** Table Schema of one dataset, as a tabular data resource at `path`. */
export function openDatasetResource(d: OpenDataset, path: string) {
  return {
    name: d.name,
    title: d.title,
    description: d.description,
    path,
    ...CSV_RESOURCE,
    schema: {
      fields: d.fields.map((x) => ({
        name: x.name,
        title: x.name,
        type: x.type,
        description: x.description,
        ...(x.type === "number" ? { decimalChar: ".", groupChar: "" } : {}),
        ...(x.constraints ? { constraints: x.constraints } : {}),
      })),
      missingValues: [""],
      ...(d.primaryKey ? { primaryKey: d.primaryKey } : {}),
    },
  };
}
