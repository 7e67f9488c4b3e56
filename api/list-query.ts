import { z } from "@hono/zod-openapi";

// Query parameters shared by the public money lists (spending, 危房改造 cases, 公示 lists): the record an
// answer is about, and `updatedSince` for data users keeping a copy (read with lib/updated-since.ts:
// ISO 8601, anything else a 400 naming the parameter).

/** A record's id in the query string (a project, a village). */
export const QueryId = z.coerce.number().int().positive().max(2_147_483_647, "编号超出范围");

/** Only what was created, corrected or withdrawn after this time. */
export const UpdatedSince = z.string().max(40).optional().openapi({
  description: "只要此时间之后新增、更正或撤回的记录（ISO 8601，如 2026-11-01T00:00:00+08:00；格式有误时 400）",
});
