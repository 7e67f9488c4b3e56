import { createRoute, z } from "@hono/zod-openapi";
import {
  createHonor,
  deleteHonor,
  getHonor,
  HONOR_KINDS,
  honorInputSchema,
  listHonors,
  setHonorPhoto,
  updateHonor,
} from "../../domain/honors/honors";
import { createRouter, IdParam, jsonContent } from "../context";
import { errorResponses } from "../errors";
import { requireStaff } from "../middleware/auth";
import { jsonBody } from "../request-bodies";
import { fileBytes, readForm } from "../upload-form";

// The honour roll (群英谱): public reading; publishers add, edit, delete and photograph entries.

const publisher = requireStaff("publisher", "admin");
export const honorRoutes = createRouter();

for (const path of ["/honors", "/honors/*"]) {
  honorRoutes.use(path, async (c, next) => (c.req.method === "GET" ? next() : publisher(c, next)));
}

const HonorView = z
  .object({
    id: z.number().int(),
    year: z.number().int(),
    kind: z.enum(HONOR_KINDS),
    kindLabel: z.string(),
    name: z.string(),
    unit: z.string(),
    district: z.string(),
    citation: z.string(),
    photo: z
      .object({
        width: z.number(),
        height: z.number(),
        images: z.array(z.object({ width: z.number(), webp: z.string(), jpeg: z.string() })),
      })
      .nullable(),
    page: z.string(),
    isDemo: z.boolean(),
  })
  .openapi("Honor");

function honorView(h: Awaited<ReturnType<typeof getHonor>>) {
  const base = `/honors/${h.id}/photo/`;
  return {
    id: h.id,
    year: h.year,
    kind: h.kind,
    kindLabel: h.kindLabel,
    name: h.name,
    unit: h.unit,
    district: h.district,
    citation: h.citation,
    photo: h.photo
      ? {
          width: h.photo.width,
          height: h.photo.height,
          images: h.photo.sizes.map((w) => ({ width: w, webp: `${base}${w}.webp`, jpeg: `${base}${w}.jpg` })),
        }
      : null,
    page: `/honors/${h.id}`,
    isDemo: h.isDemo,
  };
}

honorRoutes.openapi(
  createRoute({
    method: "get",
    path: "/honors",
    tags: ["档案"],
    summary: "群英谱：按年度、区县、类型筛选",
    request: {
      query: z.object({
        year: z.coerce.number().int().min(2018).max(2021).optional(),
        district: z.string().max(20).optional(),
        kind: z.enum(HONOR_KINDS).optional(),
      }),
    },
    responses: { 200: jsonContent(z.array(HonorView), "条目"), ...errorResponses(400, 503) },
  }),
  async (c) => c.json((await listHonors(c.var.db, c.req.valid("query"))).map(honorView), 200),
);

honorRoutes.openapi(
  createRoute({
    method: "get",
    path: "/honors/{id}",
    tags: ["档案"],
    summary: "群英谱条目",
    request: { params: IdParam },
    responses: { 200: jsonContent(HonorView, "条目"), ...errorResponses(400, 404, 503) },
  }),
  async (c) => c.json(honorView(await getHonor(c.var.db, c.req.valid("param").id)), 200),
);

const HonorInput = honorInputSchema.omit({ isDemo: true }).openapi("HonorInput");

honorRoutes.openapi(
  createRoute({
    method: "post",
    path: "/honors",
    tags: ["档案"],
    summary: "新增群英谱条目（信息发布员）；区县须为已知区县",
    request: { body: jsonBody(HonorInput) },
    responses: { 201: jsonContent(HonorView, "已新增"), ...errorResponses(400, 401, 403, 503) },
  }),
  async (c) => c.json(honorView(await createHonor(c.var.db, c.req.valid("json"), c.var.staff.userId)), 201),
);

honorRoutes.openapi(
  createRoute({
    method: "patch",
    path: "/honors/{id}",
    tags: ["档案"],
    summary: "修改群英谱条目（信息发布员）",
    request: {
      params: IdParam,
      body: jsonBody(HonorInput.partial()),
    },
    responses: { 200: jsonContent(HonorView, "已修改"), ...errorResponses(400, 401, 403, 404, 503) },
  }),
  async (c) =>
    c.json(
      honorView(await updateHonor(c.var.db, c.req.valid("param").id, c.req.valid("json"), c.var.staff.userId)),
      200,
    ),
);

honorRoutes.openapi(
  createRoute({
    method: "delete",
    path: "/honors/{id}",
    tags: ["档案"],
    summary: "删除群英谱条目（信息发布员）",
    request: { params: IdParam },
    responses: { 204: { description: "已删除" }, ...errorResponses(400, 401, 403, 404, 503) },
  }),
  async (c) => {
    await deleteHonor(c.var.db, c.req.valid("param").id, c.var.staff.userId);
    return c.body(null, 204);
  },
);

honorRoutes.openapi(
  createRoute({
    method: "put",
    path: "/honors/{id}/photo",
    tags: ["档案"],
    summary: "上传或替换条目照片（信息发布员）：multipart 字段 photo；去除元数据并生成多种尺寸",
    request: {
      params: IdParam,
      body: {
        content: {
          "multipart/form-data": {
            schema: z.object({ photo: z.any().optional().openapi({ type: "string", format: "binary" }) }),
          },
        },
        required: true,
      },
    },
    responses: { 200: jsonContent(HonorView, "已更新"), ...errorResponses(400, 401, 403, 404, 413, 415, 503) },
  }),
  async (c) => {
    const form = await readForm(c);
    const bytes = await fileBytes(form.photo);
    return c.json(honorView(await setHonorPhoto(c.var.db, c.req.valid("param").id, bytes, c.var.staff.userId)), 200);
  },
);
