import { createRoute, z } from "@hono/zod-openapi";
import { MONEY_IMPORT_NAMES, MONEY_IMPORTS } from "../../domain/money/import-kinds";
import { runRowImport } from "../../domain/money/row-import";
import { createRouter, jsonContent } from "../context";
import { csvUploadBody, importRefused, uploadedCsv } from "../csv-upload";
import { errorResponses } from "../errors";
import { requireStaff } from "../middleware/auth";

// CSV imports of disbursements, project spending, the household register, 危房改造 cases and 公示 lists
// (rows of one village, kind, title and period make one list): UTF-8 or GBK, all rows or none, a row
// report otherwise (personal data masked in it). `?dryRun=true` checks without writing.

export const moneyImportsRoutes = createRouter();
moneyImportsRoutes.use("/imports/*", requireStaff("publisher", "admin"));

moneyImportsRoutes.openapi(
  createRoute({
    method: "post",
    path: "/imports/{kind}",
    tags: ["资金到户"],
    summary:
      "导入 CSV：拨付、项目支出、户籍登记、危房改造申请、公示名单（UTF-8 或 GBK；全部通过才导入，否则逐行报告且不写入）",
    description: Object.entries(MONEY_IMPORTS)
      .map(
        ([name, { kind, title }]) =>
          `${name}（${title}）表头：${kind.required.join(", ")}${kind.optional?.length ? `（可选：${kind.optional.join(", ")}）` : ""}`,
      )
      .join("；")
      .concat(
        "。multipart/form-data 的 file 字段，或 text/csv 请求体。count 为导入的行数，ids 为写入的记录（公示名单：同一村、名单类型、标题和公示期的各行合为一份名单，ids 为名单编号）。400 的 details.problems 为逐行问题 { row, column, value, problem, expected }；身份证号码只显示前 4 位和后 4 位，姓名隐去部分字。",
      ),
    security: [{ staffSession: [] }],
    request: {
      params: z.object({
        kind: z
          .enum(MONEY_IMPORT_NAMES as [string, ...string[]], {
            message: `导入类型应为 ${MONEY_IMPORT_NAMES.join("、")} 之一`,
          })
          .openapi({ param: { name: "kind", in: "path" }, example: "disbursements" }),
      }),
      query: z.object({
        dryRun: z.enum(["true", "false"]).optional().openapi({ description: "true：只检查，不写入" }),
      }),
      body: csvUploadBody,
    },
    responses: {
      200: jsonContent(
        z.object({ encoding: z.string(), count: z.number().int(), dryRun: z.literal(true) }),
        "检查通过（未写入）",
      ),
      201: jsonContent(
        z.object({ encoding: z.string(), count: z.number().int(), ids: z.array(z.number().int()) }),
        "已全部导入",
      ),
      400: importRefused,
      ...errorResponses(401, 403, 413, 415, 503),
    },
  }),
  async (c) => {
    const { kind } = c.req.valid("param");
    const dryRun = c.req.valid("query").dryRun === "true";
    const { buf, fileName } = await uploadedCsv(c);
    const r = await runRowImport(c.var.db, MONEY_IMPORTS[kind as keyof typeof MONEY_IMPORTS].kind as never, buf, {
      fileName,
      actorId: c.var.staff.userId,
      dryRun,
    });
    if (dryRun) return c.json({ encoding: r.encoding, count: r.count, dryRun: true as const }, 200);
    return c.json({ encoding: r.encoding, count: r.count, ids: r.ids }, 201);
  },
);
