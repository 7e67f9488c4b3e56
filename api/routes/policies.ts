import { createRoute, z } from "@hono/zod-openapi";
import { createPolicy, getPolicy, listPolicies } from "../../domain/policies/policies";
import { createRouter, jsonContent } from "../context";
import { errorResponses } from "../errors";
import { requireStaff } from "../middleware/auth";
import { jsonBody } from "../request-bodies";

// Policy documents (政策文件): public reading; publishers add documents.

const publisher = requireStaff("publisher", "admin");
export const policyRoutes = createRouter();

for (const path of ["/policies"]) {
  policyRoutes.use(path, async (c, next) => (c.req.method === "GET" ? next() : publisher(c, next)));
}

const Unit = z.object({ name: z.string(), lead: z.boolean(), scope: z.boolean() });
const PolicySummary = z
  .object({
    id: z.number().int(),
    slug: z.string(),
    title: z.string(),
    issuer: z.string(),
    docNumber: z.string().nullable(),
    issuedOn: z.string(),
    format: z.enum(["markdown", "structured"]),
    isDemo: z.boolean(),
  })
  .openapi("PolicySummary");
const PolicyDetail = PolicySummary.extend({
  url: z.string(),
  html: z.string().nullable().openapi({ description: "Markdown 正文渲染后的安全 HTML（结构化文件为 null）" }),
  preamble: z.array(z.string()).nullable(),
  closing: z.array(z.string()).nullable(),
  sections: z
    .array(
      z.object({
        heading: z.string(),
        measures: z.array(
          z.object({
            number: z.number().int(),
            anchor: z.string().openapi({ example: "m6" }),
            url: z.string().openapi({ example: "/policies/zibo-2018-action-plan#m6" }),
            title: z.string(),
            paragraphs: z.array(z.object({ text: z.string(), units: z.array(Unit), separately: z.boolean() })),
            leadUnits: z.array(z.string()),
          }),
        ),
      }),
    )
    .nullable(),
}).openapi("PolicyDetail");

/** The fields of PolicySummary, from a policy the domain returns. */
function policySummary(p: Awaited<ReturnType<typeof createPolicy>>) {
  const { id, slug, title, issuer, docNumber, issuedOn, format, isDemo } = p;
  return { id, slug, title, issuer, docNumber, issuedOn, format, isDemo };
}

const NewPolicy = z
  .object({
    title: z.string().trim().min(1, "请填写文件标题").max(200, "标题不超过 200 个字"),
    issuer: z.string().trim().min(1, "请填写发文机关").max(100, "发文机关不超过 100 个字"),
    docNumber: z.string().trim().max(60, "文号不超过 60 个字").nullish(),
    issuedOn: z.iso.date("成文日期格式应为 年-月-日，如 2019-03-15"),
    body: z.string().min(1, "请填写正文（Markdown）").max(200_000, "正文过长"),
    slug: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]{0,79}$/, "地址名只能用小写字母、数字和连字符，如 2019-archive-notice")
      .optional(),
  })
  .openapi("NewPolicy");

policyRoutes.openapi(
  createRoute({
    method: "get",
    path: "/policies",
    tags: ["档案"],
    summary: "政策文件列表（实施意见为第一份）",
    responses: { 200: jsonContent(z.array(PolicySummary), "政策文件"), ...errorResponses(503) },
  }),
  async (c) => c.json(await listPolicies(c.var.db), 200),
);

policyRoutes.openapi(
  createRoute({
    method: "get",
    path: "/policies/{slug}",
    tags: ["档案"],
    summary: "一份政策文件：结构化条目（含牵头单位）或安全渲染的 Markdown",
    request: { params: z.object({ slug: z.string().max(80) }) },
    responses: { 200: jsonContent(PolicyDetail, "政策文件"), ...errorResponses(404, 503) },
  }),
  async (c) => {
    const p = await getPolicy(c.var.db, c.req.valid("param").slug);
    const url = `/policies/${p.slug}`;
    return c.json(
      {
        ...policySummary(p),
        url,
        html: p.html,
        preamble: p.structure?.preamble ?? null,
        closing: p.structure?.closing ?? null,
        sections:
          p.structure?.sections.map((s) => ({
            heading: s.heading,
            measures: s.measures.map((m) => ({
              number: m.number,
              anchor: m.anchor,
              url: `${url}#${m.anchor}`,
              title: m.title,
              paragraphs: m.paragraphs.map((para) => ({
                text: para.text,
                units: para.units,
                separately: para.separately,
              })),
              leadUnits: [
                ...new Set(m.paragraphs.flatMap((para) => para.units.filter((u) => u.lead).map((u) => u.name))),
              ],
            })),
          })) ?? null,
      },
      200,
    );
  },
);

policyRoutes.openapi(
  createRoute({
    method: "post",
    path: "/policies",
    tags: ["档案"],
    summary: "新增政策文件（信息发布员）：正文为 Markdown，展示时过滤脚本等不安全内容",
    request: { body: jsonBody(NewPolicy) },
    responses: { 201: jsonContent(PolicySummary, "已发布"), ...errorResponses(400, 401, 403, 409, 503) },
  }),
  async (c) => {
    const p = await createPolicy(c.var.db, c.req.valid("json"), { createdBy: c.var.staff.userId });
    return c.json(policySummary(p), 201);
  },
);
