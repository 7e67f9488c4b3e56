import { createRoute, z } from "@hono/zod-openapi";
import { checkAmount } from "../../domain/funds/allocations";
import { getProject, registerAsset } from "../../domain/projects/projects";
import { createRouter, IdParam, jsonContent } from "../context";
import { errorResponses } from "../errors";
import { Day } from "../fields";
import { requireStaffForWrites } from "../middleware/auth";
import { jsonBody } from "../request-bodies";
import { Project } from "./projects";

// A project's asset record (资产登记, after 竣工验收): owner, manager, upkeep duty; publisher-only.

export const projectAssetRoutes = createRouter();
projectAssetRoutes.use("/projects/:id/asset", requireStaffForWrites("publisher", "admin"));

projectAssetRoutes.openapi(
  createRoute({
    method: "put",
    path: "/projects/{id}/asset",
    tags: ["扶贫项目"],
    summary: "资产登记（竣工验收后）：所有权人、管理人、管护责任",
    security: [{ staffSession: [] }],
    request: {
      params: IdParam,
      body: jsonBody(
        z.object({
          assetName: z.string().trim().min(1, "请填写资产名称").max(200),
          assetValue: z.string().nullish(),
          owner: z.string().trim().min(1, "请填写所有权人").max(200),
          manager: z.string().trim().min(1, "请填写管理人").max(200),
          maintenance: z.string().trim().min(1, "请填写管护责任").max(1000),
          registeredOn: Day,
        }),
      ),
    },
    responses: { 200: jsonContent(Project, "已登记"), ...errorResponses(400, 401, 403, 404, 409, 503) },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    const input = c.req.valid("json");
    const assetValue = input.assetValue ? checkAmount(input.assetValue, "assetValue") : null;
    await registerAsset(c.var.db, id, { ...input, assetValue }, c.var.staff.userId);
    return c.json(await getProject(c.var.db, id), 200);
  },
);
