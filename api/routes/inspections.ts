import { createRoute, z } from "@hono/zod-openapi";
import { CONDITIONS, inspectionsOf, recordInspection } from "../../domain/projects/inspections";
import { createRouter, IdParam, jsonContent } from "../context";
import { errorResponses } from "../errors";
import { Day, NewId } from "../fields";
import { requireStaffForWrites } from "../middleware/auth";
import { jsonBody } from "../request-bodies";

// 管护 inspections of a project's asset: public list, publisher writes.

export const inspectionsRoutes = createRouter();
inspectionsRoutes.use("/projects/:id/inspections", requireStaffForWrites("publisher", "admin"));

const Inspection = z
  .object({
    id: z.number().int(),
    inspectedOn: z.string(),
    inspector: z.string(),
    condition: z.enum(CONDITIONS),
    conditionLabel: z.string(),
    findings: z.string(),
  })
  .openapi("AssetInspection");

inspectionsRoutes.openapi(
  createRoute({
    method: "get",
    path: "/projects/{id}/inspections",
    tags: ["扶贫项目"],
    summary: "项目资产的管护巡查记录（新→旧）",
    request: { params: IdParam },
    responses: { 200: jsonContent(z.object({ items: z.array(Inspection) }), "巡查记录"), ...errorResponses(400, 503) },
  }),
  async (c) => c.json({ items: await inspectionsOf(c.var.db, c.req.valid("param").id) }, 200),
);

inspectionsRoutes.openapi(
  createRoute({
    method: "post",
    path: "/projects/{id}/inspections",
    tags: ["扶贫项目"],
    summary: "记录一次管护巡查（须先登记资产，否则 409）",
    security: [{ staffSession: [] }],
    request: {
      params: IdParam,
      body: jsonBody(
        z
          .object({
            inspectedOn: Day.openapi({ example: "2026-09-01" }),
            inspector: z.string().trim().min(1, "请填写巡查单位或人员岗位").max(100).openapi({ example: "镇扶贫办" }),
            condition: z.enum(CONDITIONS, { message: "资产状况应为 good、repair 或 idle" }).openapi({
              description: "good 运行良好 | repair 需要维修 | idle 闲置",
              example: "good",
            }),
            findings: z.string().max(2000).optional().openapi({ example: "运行正常" }),
          })
          .openapi("AssetInspectionInput"),
      ),
    },
    responses: {
      201: jsonContent(NewId, "已记录"),
      ...errorResponses(400, 401, 403, 404, 409, 503),
    },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    return c.json({ id: await recordInspection(c.var.db, id, c.req.valid("json"), c.var.staff.userId) }, 201);
  },
);
