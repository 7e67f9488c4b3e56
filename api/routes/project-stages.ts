import { createRoute, z } from "@hono/zod-openapi";
import { advanceProject, getProject } from "../../domain/projects/projects";
import { createRouter, IdParam, jsonContent } from "../context";
import { errorResponses } from "../errors";
import { Day } from "../fields";
import { requireStaffForWrites } from "../middleware/auth";
import { jsonBody } from "../request-bodies";
import { Project, Stage } from "./projects";

// A project's move to its next stage, with the day it happened; publisher-only.

export const projectStageRoutes = createRouter();
projectStageRoutes.use("/projects/:id/stages", requireStaffForWrites("publisher", "admin"));

projectStageRoutes.openapi(
  createRoute({
    method: "post",
    path: "/projects/{id}/stages",
    tags: ["扶贫项目"],
    summary: "进入下一阶段（注明日期）",
    security: [{ staffSession: [] }],
    request: {
      params: IdParam,
      body: jsonBody(z.object({ stage: Stage, happenedOn: Day, note: z.string().max(1000).optional() })),
    },
    responses: { 201: jsonContent(Project, "已更新"), ...errorResponses(400, 401, 403, 404, 409, 503) },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    await advanceProject(c.var.db, id, c.req.valid("json"), c.var.staff.userId);
    return c.json(await getProject(c.var.db, id), 201);
  },
);
