import { sql } from "drizzle-orm";
import { type Db, rows } from "../../db/client";
import type { Validator } from "../../lib/conditional-get";
import { csvLine } from "../../lib/csv";
import { type AllocationItem, exportAllocations, type FundSort } from "./allocations";
import { ALLOCATION_COLUMNS } from "./columns";
import type { FundFilters } from "./filters";

// Streamed exports of exactly the filtered view: rows are fetched in keyset batches as the client
// reads (pull-based), so memory stays flat however many rows match.

export const EXPORT_HEADERS = ["编号", ...ALLOCATION_COLUMNS, "发布日期", "版本", "已更正"] as const;

export function csvRow(a: AllocationItem): string {
  return csvLine([
    a.id,
    a.year,
    a.levelLabel,
    a.fundName,
    a.docNumber,
    a.district,
    a.town,
    a.village,
    a.project,
    a.category,
    a.amount,
    a.purpose,
    a.publishedOn,
    a.version,
    a.corrected ? "是" : "否",
  ]);
}

export function jsonItem(a: AllocationItem): string {
  return JSON.stringify(a);
}

/** A byte stream of the generator's text chunks, pulled one at a time as the client reads. */
export function streamOf(chunks: () => AsyncGenerator<string>): ReadableStream<Uint8Array> {
  const enc = new TextEncoder();
  let it: AsyncGenerator<string> | undefined;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        it ??= chunks();
        const { value, done } = await it.next();
        if (done) controller.close();
        else controller.enqueue(enc.encode(value));
      },
      async cancel() {
        await it?.return(undefined);
      },
    },
    { highWaterMark: 1 },
  );
}

/** UTF-8 CSV with BOM (so Excel opens Chinese correctly), CRLF line ends. */
/**
 * The exports' validator: any new, corrected or withdrawn allocation moves the newest updated_at or the
 * highest id (both read from an index), so an unchanged ETag means an unchanged export for any filter.
 */
export async function exportValidator(db: Db): Promise<Validator> {
  const [r] = await rows<{ id: number | null; at: string | null }>(
    db,
    sql`SELECT (SELECT max(id) FROM fund_allocations) AS id,
          (SELECT to_char(max(updated_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') FROM fund_allocations) AS at`,
  );
  return {
    etag: `W/"funds-${r?.id ?? 0}-${(r?.at ?? "0").replace(/\D/g, "")}"`,
    lastModified: new Date(r?.at ?? 0),
  };
}

export function allocationsCsvStream(db: Db, f: FundFilters, sort: FundSort): ReadableStream<Uint8Array> {
  return streamOf(async function* () {
    yield `\uFEFF${csvLine([...EXPORT_HEADERS])}`;
    for await (const batch of exportAllocations(db, f, sort)) yield batch.map(csvRow).join("");
  });
}

/** A JSON array of the same rows as the API's items. */
export function allocationsJsonStream(db: Db, f: FundFilters, sort: FundSort): ReadableStream<Uint8Array> {
  return streamOf(async function* () {
    let first = true;
    yield "[";
    for await (const batch of exportAllocations(db, f, sort)) {
      yield (first ? "\n" : ",\n") + batch.map(jsonItem).join(",\n");
      first = false;
    }
    yield "\n]\n";
  });
}

/** How a Data Package describes the exports' CSV files: UTF-8 with BOM, comma, CRLF, a header row. */
export const CSV_RESOURCE = {
  format: "csv",
  mediatype: "text/csv",
  encoding: "utf-8-sig",
  dialect: { delimiter: ",", lineTerminator: "\r\n", header: true },
  profile: "tabular-data-resource",
};

/** Fiscal Data Package descriptor (https://specs.frictionlessdata.io/fiscal-data-package/) of the export. */
export function fiscalDataPackage(baseUrl: string) {
  const field = (name: string, type: string, description: string, extra: object = {}) => ({
    name,
    title: name,
    type,
    description,
    ...extra,
  });
  return {
    profile: "fiscal-data-package",
    name: "zibo-poverty-fund-allocations",
    title: "淄博市财政专项扶贫资金分配结果",
    description: "中央、省、市、县各级财政专项扶贫资金分配结果（含更正记录的当前版本；已撤回的不含）。",
    homepage: `${baseUrl}/funds`,
    countryCode: "CN",
    regionCode: "CN-SD",
    cityCode: "淄博市",
    fiscalPeriod: { start: "2014-01-01", end: "2035-12-31" },
    licenses: [{ name: "other-open", title: "政府信息公开" }],
    resources: [
      {
        name: "fund-allocations",
        title: "资金分配结果",
        path: `${baseUrl}/api/funds/export.csv`,
        ...CSV_RESOURCE,
        schema: {
          fields: [
            field("编号", "integer", "记录编号（/funds/编号 为公开页面）"),
            field("年度", "year", "资金所属年度"),
            field("资金级次", "string", "资金来源级次", { constraints: { enum: ["中央", "省级", "市级", "县级"] } }),
            field("资金名称", "string", "如 中央财政专项扶贫资金"),
            field("文号", "string", "资金下达文件文号，如 淄财农〔2018〕12号"),
            field("区县", "string", "区县（功能区）"),
            field("镇办", "string", "镇（街道）"),
            field("村", "string", "村（居）"),
            field("项目", "string", "扶贫项目名称"),
            field("类别", "string", "扶贫措施类别"),
            field("金额", "number", "分配金额（元，两位小数）", { decimalChar: ".", groupChar: "" }),
            field("用途", "string", "资金用途"),
            field("发布日期", "date", "公开日期"),
            field("版本", "integer", "当前版本号（更正后递增）"),
            field("已更正", "string", "是否有更正记录", { constraints: { enum: ["是", "否"] } }),
          ],
          primaryKey: ["编号"],
        },
      },
    ],
    model: {
      measures: {
        amount: { source: "金额", currency: "CNY", factor: 1, direction: "expenditure", phase: "approved" },
      },
      dimensions: {
        date: { dimensionType: "datetime", primaryKey: ["year"], attributes: { year: { source: "年度" } } },
        "administrative-classification": {
          dimensionType: "classification",
          classificationType: "administrative",
          primaryKey: ["level"],
          attributes: { level: { source: "资金级次" }, fund: { source: "资金名称" }, document: { source: "文号" } },
        },
        location: {
          dimensionType: "location",
          primaryKey: ["district", "town", "village"],
          attributes: { district: { source: "区县" }, town: { source: "镇办" }, village: { source: "村" } },
        },
        "functional-classification": {
          dimensionType: "classification",
          classificationType: "functional",
          primaryKey: ["category"],
          attributes: { category: { source: "类别" }, purpose: { source: "用途" } },
        },
        project: { dimensionType: "activity", primaryKey: ["project"], attributes: { project: { source: "项目" } } },
        id: { dimensionType: "other", primaryKey: ["id"], attributes: { id: { source: "编号" } } },
      },
    },
  };
}
