import { createRoute, z } from "@hono/zod-openapi";
import { PROJECT_STAGES } from "../../db/schema";
import { checkAmount } from "../../domain/funds/allocations";
import { listProjects } from "../../domain/projects/directory";
import { createProject, getProject } from "../../domain/projects/projects";
import { parseUpdatedSince } from "../../lib/updated-since";
import { createRouter, IdParam, jsonContent } from "../context";
import { errorResponses } from "../errors";
import { Day } from "../fields";
import { requireStaffForWrites } from "../middleware/auth";
import { jsonBody } from "../request-bodies";

// 扶贫项目: the project library (GET /projects), one project with its stages, asset and money, and its
// registration (POST). Its stage changes, asset record, inspections and income are routers of their own
// beside this one; the asset register is routes/assets.ts.

const publisherForWrites = requireStaffForWrites("publisher", "admin");
export const projectsRoutes = createRouter();
projectsRoutes.use("/projects", publisherForWrites);
projectsRoutes.use("/projects/:id", publisherForWrites);

/** 项目储备 → 遴选立项 → 组织实施 → 竣工验收 → 建后管护 → 收益分配 */
export const Stage = z.enum(PROJECT_STAGES).openapi({
  description:
    "reserve 项目储备 | approved 遴选立项 | implementing 组织实施 | accepted 竣工验收 | maintenance 建后管护 | distribution 收益分配",
});

/** A project as the API shows it (the answer of every project write too). */
export const Project = z
  .object({
    id: z.number().int(),
    name: z.string(),
    year: z.number().int(),
    district: z.string(),
    town: z.string().nullable(),
    village: z.string().nullable(),
    category: z.string(),
    categoryCode: z.string(),
    stage: Stage,
    stageLabel: z.string(),
    fields: z.record(z.string(), z.string().nullable()),
    stages: z.array(z.object({ stage: Stage, label: z.string(), happenedOn: z.string(), note: z.string() })),
    asset: z
      .object({
        assetName: z.string(),
        assetValue: z.string().nullable(),
        owner: z.string(),
        manager: z.string(),
        maintenance: z.string(),
        registeredOn: z.string(),
      })
      .nullable(),
    allocations: z.array(
      z.object({
        id: z.number().int(),
        year: z.number().int(),
        level: z.string(),
        fundName: z.string(),
        docNumber: z.string(),
        amount: z.string(),
        corrected: z.boolean(),
        withdrawn: z.boolean(),
      }),
    ),
    allocationSum: z.string(),
    noticeIds: z.array(z.number().int()),
  })
  .openapi("Project");

const text = (max: number) => z.string().max(max).optional();
const ProjectInput = z.object({
  name: z.string().trim().min(2, "请填写项目名称").max(200),
  year: z.number().int().min(2014, "年度超出范围").max(2035, "年度超出范围"),
  district: z.string().min(1, "请填写区县"),
  town: z.string().nullish(),
  village: z.string().nullish(),
  categoryCode: z.string().min(1, "请填写类别"),
  location: text(500),
  content: text(5000),
  subsidyStandard: text(1000),
  fundingSource: text(1000),
  fundingAmount: z.string().nullish(),
  periodText: text(200),
  implementingUnit: text(500),
  responsiblePerson: text(200),
  performanceTarget: text(2000),
  povertyMechanism: text(2000),
  supervisionPhone: text(100),
  reservedOn: Day.optional(),
});

/** The filters of the project library and the asset register. */
export const DirectoryFilters = z.object({
  stage: z
    .string()
    .max(20)
    .optional()
    .openapi({ description: "reserve | approved | implementing | accepted | maintenance | distribution" }),
  district: z.string().max(20).optional().openapi({ example: "高青县" }),
  year: z.coerce.number().int().min(2014, "年度应为 2014–2035").max(2035, "年度应为 2014–2035").optional(),
  category: z.string().max(20).optional().openapi({ description: "类别名称或代码" }),
  updatedSince: z
    .string()
    .max(40)
    .optional()
    .openapi({ description: "只要此时间之后新增或变更的（ISO 8601，如 2026-11-01T00:00:00+08:00）" }),
  page: z.coerce.number().int().min(1).max(100000).default(1),
  pageSize: z.coerce.number().int().min(1).max(200, "每页最多 200 条").default(50),
});
/** A page of the project library or the asset register. */
export const DirectoryPage = z.object({
  items: z.array(z.record(z.string(), z.unknown())),
  total: z.number().int(),
  page: z.number().int(),
  pageSize: z.number().int(),
});

projectsRoutes.openapi(
  createRoute({
    method: "get",
    path: "/projects",
    tags: ["资金公开"],
    summary: "项目库：按阶段、区县、年度、类别筛选",
    request: { query: DirectoryFilters },
    responses: { 200: jsonContent(DirectoryPage, "一页项目"), ...errorResponses(400, 503) },
  }),
  async (c) => {
    const { page, pageSize, updatedSince, ...f } = c.req.valid("query");
    return c.json(
      await listProjects(c.var.db, { ...f, updatedSince: parseUpdatedSince(updatedSince) }, { page, pageSize }),
      200,
    );
  },
);

projectsRoutes.openapi(
  createRoute({
    method: "get",
    path: "/projects/{id}",
    tags: ["扶贫项目"],
    summary: "项目：各阶段（含日期）、资产登记、资金、公示",
    request: { params: IdParam },
    responses: { 200: jsonContent(Project, "项目"), ...errorResponses(400, 404, 503) },
  }),
  async (c) => c.json(await getProject(c.var.db, c.req.valid("param").id), 200),
);

projectsRoutes.openapi(
  createRoute({
    method: "post",
    path: "/projects",
    tags: ["扶贫项目"],
    summary: "登记项目（进入项目储备）",
    security: [{ staffSession: [] }],
    request: { body: jsonBody(ProjectInput) },
    responses: { 201: jsonContent(Project, "已登记"), ...errorResponses(400, 401, 403, 503) },
  }),
  async (c) => {
    const input = c.req.valid("json");
    const fundingAmount = input.fundingAmount ? checkAmount(input.fundingAmount, "fundingAmount") : null;
    const id = await createProject(c.var.db, { ...input, fundingAmount }, c.var.staff.userId);
    return c.json(await getProject(c.var.db, id), 201);
  },
);
