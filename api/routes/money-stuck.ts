import { createRoute, z } from "@hono/zod-openapi";
import { stuckMoney } from "../../domain/money/stuck";
import { districtIdByName } from "../../domain/reference/places";
import { createRouter, jsonContent } from "../context";
import { errorResponses } from "../errors";
import { Loose } from "../fields";

// Money still waiting (滞留资金): allocations not fully disbursed 30, 60 or 90 days after publication.
// Public.

export const moneyStuckRoutes = createRouter();

moneyStuckRoutes.openapi(
  createRoute({
    method: "get",
    path: "/money/stuck",
    tags: ["资金到户"],
    summary: "滞留资金：发布 30 / 60 / 90 天后仍未全部拨付的资金分配，按区县和时长",
    request: {
      query: z.object({
        district: z.string().max(20).optional(),
        minAge: z.coerce.number().int().min(30).max(3650).default(30),
      }),
    },
    responses: { 200: jsonContent(Loose, "滞留资金"), ...errorResponses(400, 503) },
  }),
  async (c) => {
    const q = c.req.valid("query");
    if (q.district) await districtIdByName(c.var.db, q.district);
    return c.json(await stuckMoney(c.var.db, { district: q.district, minAge: q.minAge }), 200);
  },
);
