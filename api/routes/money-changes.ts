import { createRoute, z } from "@hono/zod-openapi";
import { moneyChanges, parseUpdatedSince } from "../../domain/money/feed";
import { createRouter, jsonContent } from "../context";
import { errorResponses } from "../errors";
import { Loose } from "../fields";

// The money change list: allocations and disbursements added, corrected or withdrawn, and payment
// batches, newest first (the Atom feed is /feeds/money.xml). Public.

export const moneyChangeRoutes = createRouter();

moneyChangeRoutes.openapi(
  createRoute({
    method: "get",
    path: "/money/changes",
    tags: ["资金到户"],
    summary: "变化列表：新增、更正、撤回的资金分配和拨付，以及到户发放批次（新→旧；Atom 版本见 /feeds/money.xml）",
    request: {
      query: z.object({
        updatedSince: z.string().max(40).optional().openapi({ description: "只要此时间之后的变化（ISO 8601）" }),
        limit: z.coerce.number().int().min(1).max(500).default(100),
      }),
    },
    responses: { 200: jsonContent(z.object({ items: z.array(Loose) }), "变化"), ...errorResponses(400, 503) },
  }),
  async (c) => {
    const q = c.req.valid("query");
    return c.json(
      { items: await moneyChanges(c.var.db, { since: parseUpdatedSince(q.updatedSince), limit: q.limit }) },
      200,
    );
  },
);
