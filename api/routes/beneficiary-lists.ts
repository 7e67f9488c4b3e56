import { createRoute, z } from "@hono/zod-openapi";
import { getList, LISTS_LIMIT, publicLists, publishBeneficiaryList } from "../../domain/money/beneficiary-lists";
import { LIST_KINDS } from "../../domain/money/labels";
import { parseUpdatedSince } from "../../lib/updated-since";
import { createRouter, IdParam, jsonContent } from "../context";
import { errorResponses } from "../errors";
import { QueryId, UpdatedSince } from "../list-query";
import { requireStaffForWrites } from "../middleware/auth";
import { Day } from "../money-fields";
import { jsonBody } from "../request-bodies";

// 公示名单 (识别 / 退出 / 危房改造 / 分红): a notice that carries a list of households. Publishing follows
// the notice rules (at least 10 days, objections through the hotline); the household rows are public only
// while the list is (privacy module), with names masked; afterwards only the count and sum.

export const beneficiaryListsRoutes = createRouter();
const publisherForWrites = requireStaffForWrites("publisher", "admin");
beneficiaryListsRoutes.use("/beneficiary-lists", publisherForWrites);
beneficiaryListsRoutes.use("/beneficiary-lists/*", publisherForWrites);

const Kind = z.enum(LIST_KINDS, { message: `名单类型应为 ${LIST_KINDS.join("、")} 之一` }).openapi({
  description: "identify 贫困户识别 | exit 贫困户退出 | housing 危房改造 | dividend 收益分红",
});

const PublicList = z
  .object({
    id: z.number().int(),
    noticeId: z.number().int(),
    villageId: z.number().int(),
    title: z.string(),
    kind: z.string(),
    kindLabel: z.string(),
    periodStart: z.string().nullable(),
    periodEnd: z.string().nullable(),
    publicUntil: z.string().nullable(),
    entries: z
      .array(
        z.object({
          nameMasked: z.string(),
          members: z.number().int(),
          amount: z.string().nullable(),
          note: z.string(),
        }),
      )
      .nullable()
      .openapi({ description: "名单各户（姓名隐去部分字）；公示期、异议处理和保留期过后为 null" }),
    households: z.number().int().nullable(),
    total: z.string().nullable(),
    updatedAt: z.string().openapi({ description: "名单或其公示最后变化（发布、更正、撤回）的时间（ISO 8601）" }),
  })
  .openapi("BeneficiaryList");

beneficiaryListsRoutes.openapi(
  createRoute({
    method: "get",
    path: "/beneficiary-lists",
    tags: ["资金到户"],
    summary: "公示名单：一个村的或全部的（各户只在公示期、异议处理期和保留期内列出，姓名隐去部分字）",
    description: `按公示开始日期从新到旧；给出 updatedSince 时只列此后发布、更正或撤回的，按变化时间从早到晚。每次最多 ${LISTS_LIMIT} 份。`,
    request: {
      query: z.object({ villageId: QueryId.optional().openapi({ description: "村编号" }), updatedSince: UpdatedSince }),
    },
    responses: { 200: jsonContent(z.object({ items: z.array(PublicList) }), "名单"), ...errorResponses(400, 503) },
  }),
  async (c) => {
    const { villageId, updatedSince } = c.req.valid("query");
    return c.json(
      { items: await publicLists(c.var.db, { villageId, updatedSince: parseUpdatedSince(updatedSince) }) },
      200,
    );
  },
);

beneficiaryListsRoutes.openapi(
  createRoute({
    method: "get",
    path: "/beneficiary-lists/{id}",
    tags: ["资金到户"],
    summary: "一份公示名单：公示期、异议处理期和保留期内列出各户（姓名隐去部分字），之后只有户数和金额合计",
    request: { params: IdParam },
    responses: { 200: jsonContent(PublicList, "名单"), ...errorResponses(400, 404, 503) },
  }),
  async (c) => c.json(await getList(c.var.db, c.req.valid("param").id), 200),
);

beneficiaryListsRoutes.openapi(
  createRoute({
    method: "post",
    path: "/beneficiary-lists",
    tags: ["资金到户"],
    summary: "发布公示名单（作为本村的一条公示，公示期不少于 10 天，异议进入 12317）",
    description:
      "每户用户编号 householdId 或户主身份证号码 idNumber 指明（须已在户籍登记中）；错误信息不复述身份证号码。",
    security: [{ staffSession: [] }],
    request: {
      body: jsonBody(
        z
          .object({
            kind: Kind,
            villageId: z.number().int().positive().max(2_147_483_647),
            title: z.string().trim().min(2).max(200).optional(),
            periodDays: z.number().int().min(1).max(90).optional(),
            periodStart: Day.optional(),
            entries: z
              .array(
                z.object({
                  householdId: z.number().int().positive().max(2_147_483_647).optional(),
                  idNumber: z.string().trim().max(30).optional(),
                  amount: z.union([z.string(), z.number()]).transform(String).nullish(),
                  note: z.string().max(200).optional(),
                }),
              )
              .min(1, "名单不能为空")
              .max(5000),
          })
          .openapi("BeneficiaryListInput"),
      ),
    },
    responses: {
      201: jsonContent(z.object({ listId: z.number().int(), noticeId: z.number().int() }), "已发布"),
      ...errorResponses(400, 401, 403, 409, 503),
    },
  }),
  async (c) => c.json(await publishBeneficiaryList(c.var.db, c.req.valid("json"), c.var.staff.userId), 201),
);
