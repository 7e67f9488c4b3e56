import { createRoute, z } from "@hono/zod-openapi";
import { PROGRESS_GROUPS, progressSummary } from "../../domain/money/progress";
import { districtIdByName } from "../../domain/reference/places";
import { createRouter, jsonContent } from "../context";
import { errorResponses } from "../errors";
import { Loose } from "../fields";

// Money progress: the share disbursed and the share paid to households, by district, year, category
// or programme. Public.

export const moneyProgressRoutes = createRouter();

moneyProgressRoutes.openapi(
  createRoute({
    method: "get",
    path: "/money/progress",
    tags: ["资金到户"],
    summary:
      "拨付率（已拨付 ÷ 已分配）和到户率（已发放到户 ÷ 拨付到户）按区县、年度、类别或到户项目（programme，只有已发放到户金额）汇总",
    request: {
      query: z.object({
        groupBy: z.enum(PROGRESS_GROUPS).default("district"),
        year: z.coerce.number().int().min(2014).max(2035).optional(),
        district: z.string().max(20).optional(),
      }),
    },
    responses: {
      200: jsonContent(z.object({ groupBy: z.string(), rows: z.array(Loose) }), "汇总"),
      ...errorResponses(400, 503),
    },
  }),
  async (c) => {
    const q = c.req.valid("query");
    const districtId = q.district ? await districtIdByName(c.var.db, q.district) : null;
    return c.json(
      { groupBy: q.groupBy, rows: await progressSummary(c.var.db, q.groupBy, { year: q.year, districtId }) },
      200,
    );
  },
);
