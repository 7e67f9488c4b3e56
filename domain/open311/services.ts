import type { Db } from "../../db/client";
import { type CategoryInfo, type DistrictInfo, listCategories, listDistricts } from "../reference/places";

// The Open311 service list is the product's ticket kinds × the measure categories: service_code
// "<kind>-<category>" (e.g. "report-housing" = 举报·危房改造). Everything a ticket needs that GeoReport
// has no field for (district, town, village, title, the subject, anonymity, the notice objected to)
// is a service attribute, so generic Open311 clients can render the form from the definition.

export const OPEN311_KINDS = [
  { kind: "report", name: "举报", note: "反映干部作风、侵占挪用扶贫资金等问题" },
  { kind: "complaint", name: "投诉", note: "反映扶贫政策落实中损害自身权益的问题" },
  { kind: "opinion", name: "意见建议", note: "对扶贫工作提出意见和建议" },
  { kind: "inquiry", name: "咨询", note: "咨询扶贫政策和办理事项" },
  { kind: "objection", name: "公示异议", note: "对公示期内的项目、资金公告公示提出异议" },
] as const;
export type Open311Kind = (typeof OPEN311_KINDS)[number]["kind"];

/** The only jurisdiction this endpoint serves (GeoReport: the jurisdiction's website root). */
export const OPEN311_JURISDICTION = "zibo.gov.cn";

export interface Open311Service {
  service_code: string;
  service_name: string;
  description: string;
  metadata: boolean;
  type: "realtime";
  keywords: string;
  group: string;
}

export interface Open311AttributeValue {
  key: string;
  name: string;
}

export interface Open311Attribute {
  variable: boolean;
  code: string;
  datatype: "string" | "number" | "datetime" | "text" | "singlevaluelist" | "multivaluelist";
  required: boolean;
  datatype_description: string | null;
  order: number;
  description: string;
  values?: Open311AttributeValue[];
}

export interface Open311ServiceDefinition {
  service_code: string;
  attributes: Open311Attribute[];
}

export function serviceCode(kind: string, category: string) {
  return `${kind}-${category}`;
}

/** "report-housing" → { kind: "report", category: "housing" } when the kind exists (category checked by the caller). */
export function parseServiceCode(code: string): { kind: Open311Kind; category: string } | undefined {
  const dash = code.indexOf("-");
  if (dash <= 0) return undefined;
  const kind = code.slice(0, dash);
  const category = code.slice(dash + 1);
  if (!OPEN311_KINDS.some((k) => k.kind === kind) || !category) return undefined;
  return { kind: kind as Open311Kind, category };
}

/** Pure: the service list from the categories (GET /api/categories data). */
export function buildServices(categories: Pick<CategoryInfo, "code" | "name" | "leadDepartment">[]): Open311Service[] {
  return OPEN311_KINDS.flatMap((k) =>
    categories.map((c) => ({
      service_code: serviceCode(k.kind, c.code),
      service_name: `${k.name}·${c.name}`,
      description: `${k.note}（${c.name}）。牵头办理：${c.leadDepartment}；须填写所在区县。`,
      metadata: true,
      type: "realtime" as const,
      keywords: [k.name, ...c.name.split("/"), c.leadDepartment].join(","),
      group: k.name,
    })),
  );
}

/** Pure: the attributes of one service (the fields GeoReport lacks). */
export function buildServiceDefinition(
  kind: Open311Kind,
  category: string,
  districts: Pick<DistrictInfo, "code" | "name">[],
): Open311ServiceDefinition {
  const attrs: Omit<Open311Attribute, "order">[] = [
    {
      variable: true,
      code: "district",
      datatype: "singlevaluelist",
      required: true,
      datatype_description: "从列表中选择一个区县",
      description: "事项所在区县（属地，决定承办单位）",
      values: districts.map((d) => ({ key: d.code, name: d.name })),
    },
    {
      variable: true,
      code: "town",
      datatype: "string",
      required: false,
      datatype_description: "镇（街道）名称，须属于所选区县",
      description: "所在镇（街道），可不填",
    },
    {
      variable: true,
      code: "village",
      datatype: "string",
      required: false,
      datatype_description: "村名，须属于所选区县（和镇）",
      description: "所在村，可不填",
    },
    {
      variable: true,
      code: "title",
      datatype: "string",
      required: false,
      datatype_description: "不超过 100 字",
      description: "标题；不填时取问题描述的开头",
    },
  ];
  if (kind === "objection") {
    attrs.push({
      variable: true,
      code: "notice_id",
      datatype: "number",
      required: true,
      datatype_description: "公示编号（整数）",
      description: "提出异议的公示编号，须在公示期内",
    });
  }
  if (kind === "report" || kind === "complaint") {
    attrs.push(
      {
        variable: true,
        code: "subject_unit",
        datatype: "string",
        required: false,
        datatype_description: "单位名称",
        description: "被反映的单位（如有）。被反映单位不会承办本件",
      },
      {
        variable: true,
        code: "subject_person",
        datatype: "string",
        required: false,
        datatype_description: "姓名",
        description: "被反映人姓名（如有）",
      },
      {
        variable: true,
        code: "subject_post",
        datatype: "string",
        required: false,
        datatype_description: "职务",
        description: "被反映人职务（如有）",
      },
    );
  }
  attrs.push({
    variable: true,
    code: "anonymous",
    datatype: "singlevaluelist",
    required: false,
    datatype_description: "true 匿名；false 实名（须同时提交 last_name/first_name 和 phone）",
    description: "是否匿名。不填时：提交了姓名或电话即为实名，否则为匿名。匿名时不保存任何姓名、电话、邮箱或设备信息",
    values: [
      { key: "true", name: "匿名" },
      { key: "false", name: "实名" },
    ],
  });
  return {
    service_code: serviceCode(kind, category),
    attributes: attrs.map((a, i) => ({ ...a, order: i + 1 })),
  };
}

export async function listOpen311Services(db: Db): Promise<Open311Service[]> {
  return buildServices(await listCategories(db));
}

/** The definition of a service, or undefined when there is no such service code. */
export async function getOpen311ServiceDefinition(db: Db, code: string): Promise<Open311ServiceDefinition | undefined> {
  const parsed = parseServiceCode(code);
  if (!parsed) return undefined;
  const categories = await listCategories(db);
  if (!categories.some((c) => c.code === parsed.category)) return undefined;
  const districts = await listDistricts(db);
  return buildServiceDefinition(parsed.kind, parsed.category, districts);
}
