import { createRoute } from "@hono/zod-openapi";
import { listAssets } from "../../domain/projects/directory";
import { parseUpdatedSince } from "../../lib/updated-since";
import { createRouter, jsonContent } from "../context";
import { errorResponses } from "../errors";
import { DirectoryFilters, DirectoryPage } from "./projects";

// The asset register (扶贫项目资产登记): every registered project asset, public, filtered like the
// project library; updatedSince: the assets registered or corrected, or whose project changed, after
// the time (a bad time is a 400 naming the parameter).

export const assetRoutes = createRouter();

assetRoutes.openapi(
  createRoute({
    method: "get",
    path: "/assets",
    tags: ["资金公开"],
    summary: "扶贫项目资产登记（所有权人、管护主体、管护责任）",
    request: { query: DirectoryFilters },
    responses: { 200: jsonContent(DirectoryPage, "一页资产"), ...errorResponses(400, 503) },
  }),
  async (c) => {
    const { page, pageSize, updatedSince, ...f } = c.req.valid("query");
    return c.json(
      await listAssets(c.var.db, { ...f, updatedSince: parseUpdatedSince(updatedSince) }, { page, pageSize }),
      200,
    );
  },
);
