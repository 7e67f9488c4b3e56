import sharp from "sharp";
import type { app } from "../../api/app";

// A valid example body for every write operation of the API, for the route × role matrix: with it a
// write gets past validation, so where a role may use it the matrix sees it succeed (and checks its
// audit row) instead of a 400. An operation's example comes from the table below or, for an operation
// not in it, from its OpenAPI request schema when every required property there has an `example` (or a
// default or enum) — so a new write needs schema examples or a table entry.
// `null` is an operation without a body. Ids in paths are the matrix's ("1"): a write on a record
// that does not exist is a 404, which must write nothing either.

type Example = () => unknown;

let n = 0;
const next = () => ++n;
const reason = () => ({ reason: `矩阵测试理由 ${next()}` });
const DAY = "2026-03-02";
/** An ID number with a valid check digit (GB 11643's published sample). */
const ID_NUMBER = "11010519491231002X";
const PNG = await sharp({ create: { width: 64, height: 48, channels: 3, background: "#88aa33" } })
  .png()
  .toBuffer();
const ticket = () => ({
  kind: "complaint",
  category: "housing",
  title: `矩阵测试诉求 ${next()}`,
  description: "危房改造补助未发放。",
  district: "高青县",
  reporter: { anonymous: true },
});

/** Bodies for operations whose schema has no examples. */
export const EXAMPLE_TABLE: Record<string, Example | null> = {
  "POST /api/funds": () => ({
    year: 2019,
    level: "市级",
    fundName: `矩阵测试资金 ${next()}`,
    docNumber: `淄财农〔2019〕${n}号`,
    district: "高青县",
    category: "housing",
    amount: "10000.00",
  }),
  "POST /api/funds/:id/corrections": () => ({ ...reason(), amount: "20000.00" }),
  "POST /api/funds/:id/withdrawal": reason,
  "POST /api/funds/import": () =>
    csvForm(
      "file",
      `年度,资金级次,资金名称,文号,区县,镇办,村,项目,类别,金额,用途\n2019,市级,矩阵测试资金,淄财农〔2019〕${100 + next()}号,高青县,,,,housing,1000.00,测试\n`,
    ),
  "POST /api/disbursements": () => ({
    allocationId: 1,
    disbursedOn: DAY,
    amount: "100.00",
    voucherNo: `矩阵-${next()}`,
    recipientKind: "unit",
    recipient: "高青县扶贫办",
  }),
  "POST /api/disbursements/:id/corrections": reason,
  "POST /api/disbursements/:id/withdrawal": reason,
  "POST /api/households": () => ({ villageId: 1, name: "矩阵户", idNumber: ID_NUMBER, members: 3 }),
  "POST /api/households/:id/corrections": reason,
  "POST /api/household-payments": () => ({
    disbursementId: 1,
    idNumber: ID_NUMBER,
    programme: "housing",
    period: "2026-03",
    amount: "100.00",
  }),
  "POST /api/household-payments/:id/corrections": reason,
  "POST /api/household-payments/:id/withdrawal": reason,
  "POST /api/household-payments/import": () =>
    csvForm(
      "file",
      `身份证号码,户主姓名,拨付编号,项目,期次,金额,发放日期,状态,退回原因\n${ID_NUMBER},矩阵户,1,housing,2026-03,100.00,${DAY},paid,\n`,
    ),
  "POST /api/spending": () => ({
    projectId: 1,
    payee: "矩阵施工队",
    amount: "100.00",
    paidOn: DAY,
    stage: "implementing",
  }),
  "POST /api/spending/:id/corrections": reason,
  "POST /api/spending/:id/withdrawal": reason,
  "POST /api/housing-cases": () => ({
    householdId: 1,
    year: 2026,
    grade: "C",
    method: "repair",
    amount: "100.00",
    appliedOn: DAY,
  }),
  "POST /api/housing-cases/:id/stages": () => ({ stage: "village_review", on: DAY }),
  "POST /api/housing-cases/:id/corrections": reason,
  "POST /api/housing-cases/:id/withdrawal": reason,
  "POST /api/housing-cases/:id/photos": () => imageForm("photo", { phase: "before" }),
  "DELETE /api/housing-cases/:id/photos/:photoId": null,
  "POST /api/beneficiary-lists": () => ({ kind: "identify", villageId: 1, entries: [{ name: "矩阵户", members: 3 }] }),
  "POST /api/imports/:kind": () =>
    csvForm("file", `区县,镇办,村,户主姓名,身份证号码,家庭人口\n高青县,矩阵镇,矩阵村,矩阵户,${ID_NUMBER},3\n`),
  "POST /api/projects": () => ({
    name: `矩阵测试项目 ${next()}`,
    year: 2026,
    district: "高青县",
    categoryCode: "housing",
  }),
  "POST /api/projects/:id/stages": () => ({ stage: "approved", happenedOn: DAY }),
  "PUT /api/projects/:id/asset": () => ({
    assetName: "矩阵资产",
    owner: "某村集体",
    manager: "某村委会",
    maintenance: "村委会负责日常维护",
    registeredOn: DAY,
  }),
  "POST /api/notices": () => ({ title: `矩阵测试公示 ${next()}`, district: "高青县" }),
  "POST /api/notices/:id/publish": null,
  "POST /api/notices/:id/amendments": reason,
  "POST /api/notices/:id/withdrawal": reason,
  "POST /api/ledger": () => ({
    source: "inspection",
    responsibleUnit: "gaoqing-housing",
    title: `矩阵测试整改 ${next()}`,
    description: `矩阵测试问题 ${next()}`,
    measures: "整改措施",
    deadline: "2026-12-30",
  }),
  "POST /api/ledger/:id/evidence": () => ({ body: "整改材料说明" }),
  "POST /api/ledger/:id/sign-off": () => ({}),
  "POST /api/ledger/:id/reopen": () => ({ ticketNumber: "ZB-2026-000001" }),
  "POST /api/tickets": ticket,
  "POST /api/tickets/:number/messages": () => ({ body: "补充说明" }),
  "POST /api/tickets/:number/reopen": reason,
  "POST /api/tickets/:number/review": reason,
  "POST /api/tickets/:number/evidence": () => imageForm("evidence"),
  "POST /api/payments/check": () => ({ idNumber: ID_NUMBER, name: "矩阵户" }),
  "POST /api/payments/report-missing": () => ({ token: "matrix", paymentId: 1 }),
  "POST /api/archive/items": () => imageForm("photo", { title: "矩阵测试照片", year: "2019", district: "高青县" }),
  "POST /api/console/session": () => ({ username: "nobody", password: "wrong-password" }),
  "DELETE /api/console/session": null,
  "POST /api/intake/phone": ticket,
  "PUT /api/console/tickets/:number/public-summary": () => ({ publicSummary: "危房改造补助发放进度" }),
  "POST /api/policies": () => ({
    title: `矩阵测试文件 ${next()}`,
    issuer: "淄博市扶贫开发领导小组办公室",
    issuedOn: "2019-03-15",
    body: "## 一、总体要求\n\n测试正文。",
    slug: `matrix-${Date.now().toString(36)}-${n}`,
  }),
  "POST /api/yearbook/:year/chapters": () => ({ position: 90 + next(), title: `矩阵测试章 ${n}`, body: "正文" }),
  "PATCH /api/yearbook/chapters/:id": () => ({ title: "矩阵测试章（修订）" }),
  "POST /api/archive/items/:id/approve": null,
  "POST /api/archive/items/:id/reject": reason,
  "POST /api/honors": () => ({
    year: 2019,
    kind: "collective",
    name: `矩阵测试集体 ${next()}`,
    unit: "高青县扶贫办",
    district: "高青县",
    citation: "在脱贫攻坚中成绩突出。",
  }),
  "PATCH /api/honors/:id": () => ({ citation: "在脱贫攻坚中成绩突出（修订）。" }),
  "DELETE /api/honors/:id": null,
  "PUT /api/honors/:id/photo": () => imageForm("photo"),
  "POST /api/console/session/revoke-all": null,
  "POST /api/console/tickets/:number/actions/:action": () => ({}),
  "POST /api/console/tickets/:number/reveal": () => ({ reason: "核实反映人身份" }),
  "POST /api/console/intake": () => ({ channel: "phone", ticket: ticket() }),
};

/** A multipart form with one CSV file part. */
function csvForm(field: string, text: string) {
  const form = new FormData();
  form.append(field, new Blob([text], { type: "text/csv" }), "matrix.csv");
  return form;
}

/** A multipart form with one small PNG and these text fields. */
function imageForm(field: string, fields: Record<string, string> = {}) {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  form.append(field, new Blob([new Uint8Array(PNG)], { type: "image/png" }), "matrix.png");
  return form;
}

type OpenApiDoc = ReturnType<typeof app.getOpenAPI31Document>;
/** The parts of a JSON Schema node that the walk below reads. */
interface Schema {
  $ref?: string;
  type?: string | string[];
  example?: unknown;
  examples?: unknown[];
  default?: unknown;
  const?: unknown;
  enum?: unknown[];
  anyOf?: Schema[];
  oneOf?: Schema[];
  properties?: Record<string, Schema>;
  required?: string[];
}
/** An OpenAPI operation's request body, by media type. */
interface Operation {
  requestBody?: { content?: Record<string, { schema?: Schema }> };
}

/** An example built from the schema's own examples, defaults and enums; undefined when one is missing. */
function fromSchema(doc: OpenApiDoc, schema: Schema): unknown {
  const schemas = (doc.components?.schemas ?? {}) as Record<string, Schema>;
  const resolve = (s: Schema | undefined): Schema | undefined =>
    s?.$ref ? resolve(schemas[String(s.$ref).split("/").pop() as string]) : s;
  const missing = Symbol("missing");
  const walk = (s0: Schema | undefined): unknown => {
    const s = resolve(s0);
    if (!s) return missing;
    if (s.example !== undefined) return s.example;
    if (s.examples?.length) return s.examples[0];
    if (s.default !== undefined) return s.default;
    if (s.const !== undefined) return s.const;
    if (s.enum?.length) return s.enum[0];
    if (s.anyOf || s.oneOf) return walk((s.anyOf ?? s.oneOf ?? []).find((a) => resolve(a)?.type !== "null"));
    if (s.type === "object" || s.properties) {
      const out: Record<string, unknown> = {};
      for (const k of s.required ?? []) {
        const v = walk(s.properties?.[k]);
        if (v === missing) return missing;
        out[k] = v;
      }
      return out;
    }
    return missing;
  };
  const v = walk(schema);
  return v === missing ? undefined : v;
}

/**
 * The example body for an operation ("POST /api/policies"): from the table, else from its OpenAPI
 * request schema; `null` when the operation takes no body; undefined when there is none — the matrix
 * fails then, naming the operation.
 */
export function exampleBody(doc: OpenApiDoc, key: string): Example | null | undefined {
  if (key in EXAMPLE_TABLE) return EXAMPLE_TABLE[key];
  const [method, path] = key.split(" ") as [string, string];
  const op = (doc.paths?.[path.replace(/:([A-Za-z0-9_]+)/g, "{$1}")] as Record<string, Operation> | undefined)?.[
    method.toLowerCase()
  ];
  if (!op) return undefined;
  if (!op.requestBody) return null;
  const schema = op.requestBody.content?.["application/json"]?.schema;
  const example = schema ? fromSchema(doc, schema) : undefined;
  return example === undefined ? undefined : () => structuredClone(example);
}
