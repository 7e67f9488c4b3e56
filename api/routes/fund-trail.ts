import { createRoute } from "@hono/zod-openapi";
import { getAllocation } from "../../domain/funds/allocations";
import { allocationTrail } from "../../domain/money/trail";
import { createRouter, IdParam, jsonContent } from "../context";
import { errorResponses } from "../errors";
import { Loose } from "../fields";

// An allocation's trail (资金去向): allocation → disbursements → spending and payments to households,
// with what is still waiting and for how long. Public.

export const fundTrailRoutes = createRouter();

fundTrailRoutes.openapi(
  createRoute({
    method: "get",
    path: "/funds/{id}/trail",
    tags: ["资金到户"],
    summary: "一笔资金分配的去向：分配 → 拨付（逐笔）→ 支出 / 发放到户，及尚未拨付的余额和时长",
    request: { params: IdParam },
    responses: { 200: jsonContent(Loose, "资金去向"), ...errorResponses(400, 404, 503) },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    await getAllocation(c.var.db, id);
    return c.json(await allocationTrail(c.var.db, id), 200);
  },
);
