import { createRoute, z } from "@hono/zod-openapi";
import { createChapter, getYearbook, listYearbookYears, updateChapter } from "../../domain/archive/yearbook";
import { validationFailed } from "../../lib/errors";
import { createRouter, IdParam, jsonContent } from "../context";
import { errorResponses } from "../errors";
import { requireStaff } from "../middleware/auth";
import { jsonBody } from "../request-bodies";

// The campaign yearbook (脱贫攻坚年鉴): public chapters by year; publishers write them.

const publisher = requireStaff("publisher", "admin");
export const yearbookRoutes = createRouter();

yearbookRoutes.use("/yearbook/*", async (c, next) => (c.req.method === "GET" ? next() : publisher(c, next)));

const Chapter = z
  .object({
    id: z.number().int(),
    year: z.number().int(),
    position: z.number().int(),
    anchor: z.string(),
    title: z.string(),
    body: z.string().openapi({ description: "Markdown" }),
    html: z.string().openapi({ description: "安全 HTML" }),
    isDemo: z.boolean(),
  })
  .openapi("YearbookChapter");
const Year = z.object({
  year: z.coerce
    .number()
    .int()
    .openapi({ param: { name: "year", in: "path" }, example: 2019 }),
});

yearbookRoutes.openapi(
  createRoute({
    method: "get",
    path: "/yearbook",
    tags: ["档案"],
    summary: "年鉴各卷",
    responses: {
      200: jsonContent(z.array(z.object({ year: z.number(), title: z.string(), chapters: z.number() })), "各卷"),
      ...errorResponses(503),
    },
  }),
  async (c) => c.json(await listYearbookYears(c.var.db), 200),
);

yearbookRoutes.openapi(
  createRoute({
    method: "get",
    path: "/yearbook/{year}",
    tags: ["档案"],
    summary: "一年的年鉴：章节、上一年/下一年",
    request: { params: Year },
    responses: {
      200: jsonContent(
        z.object({
          year: z.number(),
          title: z.string(),
          chapters: z.array(Chapter),
          prev: z.number().nullable(),
          next: z.number().nullable(),
          isDemo: z.boolean(),
        }),
        "年鉴",
      ),
      ...errorResponses(404, 503),
    },
  }),
  async (c) => c.json(await getYearbook(c.var.db, c.req.valid("param").year), 200),
);

yearbookRoutes.openapi(
  createRoute({
    method: "post",
    path: "/yearbook/{year}/chapters",
    tags: ["档案"],
    summary: "新增年鉴章节（信息发布员）",
    request: {
      params: Year,
      body: jsonBody(
        z.object({
          position: z.number().int().min(1, "章节序号从 1 开始"),
          title: z.string().trim().min(1, "请填写章节标题").max(100),
          body: z.string().min(1, "请填写正文（Markdown）").max(200_000),
        }),
      ),
    },
    responses: { 201: jsonContent(Chapter, "已新增"), ...errorResponses(400, 401, 403, 409, 503) },
  }),
  async (c) => {
    const { year } = c.req.valid("param");
    if (year < 2018 || year > 2021) throw validationFailed("年鉴年份应为 2018—2021", { field: "year" });
    return c.json(await createChapter(c.var.db, { year, ...c.req.valid("json") }, c.var.staff.userId), 201);
  },
);

yearbookRoutes.openapi(
  createRoute({
    method: "patch",
    path: "/yearbook/chapters/{id}",
    tags: ["档案"],
    summary: "修改年鉴章节（信息发布员）",
    request: {
      params: IdParam,
      body: jsonBody(
        z.object({
          title: z.string().trim().min(1, "章节标题不能为空").max(100).optional(),
          body: z.string().min(1, "正文不能为空").max(200_000).optional(),
        }),
      ),
    },
    responses: { 200: jsonContent(Chapter, "已修改"), ...errorResponses(400, 401, 403, 404, 503) },
  }),
  async (c) =>
    c.json(await updateChapter(c.var.db, c.req.valid("param").id, c.req.valid("json"), c.var.staff.userId), 200),
);
