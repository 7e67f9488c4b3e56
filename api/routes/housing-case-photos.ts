import { createRoute, z } from "@hono/zod-openapi";
import {
  addHousingCasePhoto,
  PHOTO_PHASES,
  type PhotoPhase,
  removeHousingCasePhoto,
} from "../../domain/money/housing-photos";
import { AppError } from "../../lib/errors";
import { createRouter, IdParam, jsonContent } from "../context";
import { errorResponses } from "../errors";
import { NewId } from "../fields";
import { requireStaffForWrites } from "../middleware/auth";

// A 危房改造 case's photos before and after the work (EXIF and location removed); publisher-only.

export const housingCasePhotoRoutes = createRouter();
const publisherForWrites = requireStaffForWrites("publisher", "admin");
housingCasePhotoRoutes.use("/housing-cases/:id/photos", publisherForWrites);
housingCasePhotoRoutes.use("/housing-cases/:id/photos/*", publisherForWrites);

housingCasePhotoRoutes.openapi(
  createRoute({
    method: "post",
    path: "/housing-cases/{id}/photos",
    tags: ["资金到户"],
    summary: "上传改造前或改造后的照片（去除 EXIF 和位置信息后保存；不要拍到人脸和门牌号）",
    description: "multipart/form-data：phase（before 或 after）、photo（JPEG、PNG 或 WebP）。每个阶段最多 4 张。",
    security: [{ staffSession: [] }],
    request: {
      params: IdParam,
      body: {
        content: {
          "multipart/form-data": {
            schema: z.object({
              phase: z.enum(PHOTO_PHASES),
              photo: z.any().openapi({ type: "string", format: "binary" }),
            }),
          },
        },
        required: true,
      },
    },
    responses: {
      201: jsonContent(NewId, "已保存"),
      ...errorResponses(400, 401, 403, 404, 409, 413, 415, 503),
    },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    if (!/^multipart\/form-data/i.test(c.req.header("content-type") ?? ""))
      throw new AppError("UNSUPPORTED_MEDIA_TYPE", "请以 multipart/form-data 上传（phase 和 photo 字段）");
    const form = await c.req.formData();
    const photo = form.get("photo");
    if (!photo || typeof photo === "string")
      throw new AppError("VALIDATION_FAILED", "请在 photo 字段上传照片", [{ path: "photo", message: "缺少照片" }]);
    const phase = String(form.get("phase") ?? "") as PhotoPhase;
    const bytes = new Uint8Array(await photo.arrayBuffer());
    return c.json({ id: await addHousingCasePhoto(c.var.db, id, phase, bytes, c.var.staff.userId) }, 201);
  },
);

housingCasePhotoRoutes.openapi(
  createRoute({
    method: "delete",
    path: "/housing-cases/{id}/photos/{photoId}",
    tags: ["资金到户"],
    summary: "删除一张照片",
    security: [{ staffSession: [] }],
    request: {
      params: IdParam.extend({
        photoId: z.coerce
          .number()
          .int()
          .positive()
          .max(2_147_483_647)
          .openapi({ param: { name: "photoId", in: "path" }, example: 1 }),
      }),
    },
    responses: { 204: { description: "已删除" }, ...errorResponses(400, 401, 403, 404, 503) },
  }),
  async (c) => {
    const { id, photoId } = c.req.valid("param");
    await removeHousingCasePhoto(c.var.db, id, photoId, c.var.staff.userId);
    return c.body(null, 204);
  },
);
