import { createRoute, z } from "@hono/zod-openapi";
import { openRendition, renditionFile } from "../../domain/archive/images";
import {
  type ArchiveItem,
  dublinCore,
  getItem,
  getPublicItem,
  ITEM_STATUSES,
  itemJsonLd,
  listItemsByStatus,
  listPublicItems,
  parseSubmission,
  reviewItem,
  submitPhoto,
} from "../../domain/archive/items";
import { AppError, validationFailed } from "../../lib/errors";
import { createRouter, IdParam, jsonContent } from "../context";
import { errorResponses } from "../errors";
import { requireStaff } from "../middleware/auth";
import { clientOf } from "../middleware/client";
import { jsonBody } from "../request-bodies";
import { fileBytes, readForm } from "../upload-form";

// The 我眼中的脱贫攻坚 photo collection: anyone may submit; approved photos are public; publishers moderate.

const publisher = requireStaff("publisher", "admin");
export const photoRoutes = createRouter();

photoRoutes.use("/archive/moderation", publisher);
photoRoutes.use("/archive/items/:id/approve", publisher);
photoRoutes.use("/archive/items/:id/reject", publisher);
photoRoutes.use("/archive/items/:id/files/*", publisher);

const DublinCore = z
  .object({
    title: z.string(),
    creator: z.string(),
    date: z.string().nullable(),
    description: z.string().nullable(),
    subject: z.array(z.string()),
    coverage: z.string(),
    type: z.string(),
    format: z.string(),
    identifier: z.string(),
    rights: z.string(),
    language: z.string(),
    publisher: z.string(),
    isPartOf: z.string(),
  })
  .openapi("DublinCore");
const Item = z
  .object({
    id: z.number().int(),
    title: z.string(),
    status: z.enum(ITEM_STATUSES),
    rejectReason: z.string().nullable(),
    submittedAt: z.string(),
    reviewedAt: z.string().nullable(),
    width: z.number().int(),
    height: z.number().int(),
    images: z.array(z.object({ width: z.number().int(), webp: z.string(), jpeg: z.string() })),
    page: z.string(),
    isDemo: z.boolean(),
    dublinCore: DublinCore,
  })
  .openapi("ArchiveItem");

function itemView(i: ArchiveItem, origin: string, staff = false) {
  const base = staff && i.status !== "approved" ? `/api/archive/items/${i.id}/files/` : `/archive/photos/${i.id}/`;
  return {
    id: i.id,
    title: i.title,
    status: i.status,
    rejectReason: i.rejectReason,
    submittedAt: i.submittedAt,
    reviewedAt: i.reviewedAt,
    width: i.width,
    height: i.height,
    images: i.sizes.map((w) => ({ width: w, webp: `${base}${w}.webp`, jpeg: `${base}${w}.jpg` })),
    page: `/archive/photos/${i.id}`,
    isDemo: i.isDemo,
    dublinCore: dublinCore(i, origin),
  };
}

const origin = (url: string) => new URL(url).origin;

photoRoutes.openapi(
  createRoute({
    method: "get",
    path: "/archive/items",
    tags: ["档案"],
    summary: "“我眼中的脱贫攻坚”已公开的影像（含都柏林核心元数据）",
    request: {
      query: z.object({
        page: z.coerce.number().int().min(1).max(10_000).default(1),
        pageSize: z.coerce.number().int().min(1).max(100).default(24),
      }),
    },
    responses: {
      200: jsonContent(
        z.object({ items: z.array(Item), total: z.number(), page: z.number(), pageSize: z.number() }),
        "影像",
      ),
      ...errorResponses(400, 503),
    },
  }),
  async (c) => {
    const r = await listPublicItems(c.var.db, c.req.valid("query"));
    return c.json({ ...r, items: r.items.map((i) => itemView(i, origin(c.req.url))) }, 200);
  },
);

photoRoutes.openapi(
  createRoute({
    method: "get",
    path: "/archive/items/{id}",
    tags: ["档案"],
    summary: "一件已公开影像的 JSON-LD（schema.org Photograph + DCMI 术语）",
    request: { params: IdParam },
    responses: {
      200: {
        description: "JSON-LD",
        content: { "application/ld+json": { schema: z.record(z.string(), z.unknown()) } },
      },
      ...errorResponses(400, 404, 503),
    },
  }),
  async (c) => {
    const item = await getPublicItem(c.var.db, c.req.valid("param").id);
    // JSON-LD has its own media type; the typed c.json() would label it application/json.
    return c.body(JSON.stringify(itemJsonLd(item, origin(c.req.url))), 200, {
      "Content-Type": "application/ld+json; charset=utf-8",
    }) as never;
  },
);

const Submission = z
  .object({
    photo: z
      .any()
      .optional()
      .openapi({ type: "string", format: "binary", description: "JPEG、PNG 或 WebP；按文件内容判断" }),
    title: z.any().optional().openapi({ type: "string", description: "标题（必填，≤60 字）" }),
    description: z.any().optional().openapi({ type: "string", description: "说明（≤1000 字）" }),
    place: z.any().optional().openapi({ type: "string", description: "拍摄地点（必填）" }),
    district: z.any().optional().openapi({ type: "string", description: "区县（可选，须为已知区县）" }),
    takenOn: z.any().optional().openapi({ type: "string", format: "date", description: "拍摄日期" }),
    creator: z.any().optional().openapi({ type: "string", description: "署名（作品展示时的拍摄者名称）" }),
    consent: z.any().optional().openapi({ type: "string", description: "同意公开展示：必须为 on/true" }),
  })
  .openapi("PhotoSubmission");

photoRoutes.openapi(
  createRoute({
    method: "post",
    path: "/archive/items",
    tags: ["档案"],
    summary: "投稿一张照片（公众）：审核通过后公开；上传时去除 EXIF/GPS 等全部元数据",
    request: { body: { content: { "multipart/form-data": { schema: Submission } }, required: true } },
    responses: {
      201: jsonContent(
        z.object({ id: z.number().int(), status: z.literal("pending"), message: z.string() }),
        "已收到，等待审核",
      ),
      ...errorResponses(400, 413, 415, 503),
    },
  }),
  async (c) => {
    const form = await readForm(c);
    const parsed = parseSubmission(form);
    if ("errors" in parsed) {
      const details = Object.entries(parsed.errors).map(([path, message]) => ({ path, message }));
      throw validationFailed(`请求参数有误：${details[0].path} ${details[0].message}`, details);
    }
    const bytes = await fileBytes(form.photo);
    const item = await submitPhoto(c.var.db, parsed.data, bytes, { client: clientOf(c) });
    return c.json(
      { id: item.id, status: "pending" as const, message: "投稿已收到，审核通过后将在影像档案中公开展示" },
      201,
    );
  },
);

photoRoutes.openapi(
  createRoute({
    method: "get",
    path: "/archive/moderation",
    tags: ["档案"],
    summary: "审核队列（信息发布员）",
    request: { query: z.object({ status: z.enum(ITEM_STATUSES).default("pending") }) },
    responses: {
      200: jsonContent(
        z.array(
          Item.extend({
            description: z.string(),
            place: z.string(),
            creator: z.string(),
            takenOn: z.string().nullable(),
          }),
        ),
        "队列",
      ),
      ...errorResponses(400, 401, 403, 503),
    },
  }),
  async (c) => {
    const items = await listItemsByStatus(c.var.db, c.req.valid("query").status);
    return c.json(
      items.map((i) => ({
        ...itemView(i, origin(c.req.url), true),
        description: i.description,
        place: i.place,
        creator: i.creator,
        takenOn: i.takenOn,
      })),
      200,
    );
  },
);

photoRoutes.openapi(
  createRoute({
    method: "post",
    path: "/archive/items/{id}/approve",
    tags: ["档案"],
    summary: "审核通过并公开（信息发布员）",
    request: { params: IdParam },
    responses: { 200: jsonContent(Item, "已公开"), ...errorResponses(400, 401, 403, 404, 409, 503) },
  }),
  async (c) => {
    const item = await reviewItem(
      c.var.db,
      c.req.valid("param").id,
      { action: "approve" },
      { userId: c.var.staff.userId },
    );
    return c.json(itemView(item, origin(c.req.url)), 200);
  },
);

photoRoutes.openapi(
  createRoute({
    method: "post",
    path: "/archive/items/{id}/reject",
    tags: ["档案"],
    summary: "不予采用（信息发布员），须填写理由；已公开的也可撤下",
    request: {
      params: IdParam,
      body: jsonBody(
        z.object({
          reason: z.string().trim().min(1, "请填写不采用的理由").max(500, "理由不超过 500 个字"),
        }),
      ),
    },
    responses: { 200: jsonContent(Item, "已处理"), ...errorResponses(400, 401, 403, 404, 409, 503) },
  }),
  async (c) => {
    const { reason } = c.req.valid("json");
    const item = await reviewItem(
      c.var.db,
      c.req.valid("param").id,
      { action: "reject", reason },
      { userId: c.var.staff.userId },
    );
    return c.json(itemView(item, origin(c.req.url), true), 200);
  },
);

photoRoutes.openapi(
  createRoute({
    method: "get",
    path: "/archive/items/{id}/files/{file}",
    tags: ["档案"],
    summary: "审核时查看任意状态影像的文件（信息发布员）",
    request: { params: IdParam.extend({ file: z.string().max(20).openapi({ example: "480.webp" }) }) },
    responses: {
      200: { description: "图片", content: { "image/webp": { schema: z.any() }, "image/jpeg": { schema: z.any() } } },
      ...errorResponses(400, 401, 403, 404, 503),
    },
  }),
  async (c) => {
    const { id, file } = c.req.valid("param");
    const item = await getItem(c.var.db, id);
    if (!renditionFile("photos", item.fileKey, file, item.sizes)) {
      throw new AppError("NOT_FOUND", `没有这个文件：${file}`);
    }
    const found = await openRendition(c.var.db, "photos", item.fileKey, file, item.sizes);
    if (!found) throw new AppError("NOT_FOUND", "文件不存在");
    return c.body(found.body, 200, {
      "Content-Type": found.contentType,
      "Content-Length": String(found.byteSize),
      "Cache-Control": "private, no-store",
    });
  },
);
