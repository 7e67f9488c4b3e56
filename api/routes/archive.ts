import { createRoute, z } from "@hono/zod-openapi";
import { checkImage, openRendition, renditionFile } from "../../domain/archive/images";
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
import { createChapter, getYearbook, listYearbookYears, updateChapter } from "../../domain/archive/yearbook";
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
import { createPolicy, getPolicy, listPolicies } from "../../domain/policies/policies";
import { AppError, validationFailed } from "../../lib/errors";
import { createRouter, IdParam, jsonContent } from "../context";
import { errorResponses } from "../errors";
import { requireStaff } from "../middleware/auth";
import { clientOf } from "./tickets";

// The campaign archive: policy documents, yearbook, the 我眼中的脱贫攻坚 collection and
// the honour roll. Reading is public (approved items only); writing is for publishers.

const publisher = requireStaff("publisher", "admin");
export const archiveRoutes = createRouter();

for (const path of ["/policies", "/yearbook/*", "/honors", "/honors/*"]) {
  archiveRoutes.use(path, async (c, next) => (c.req.method === "GET" ? next() : publisher(c, next)));
}
archiveRoutes.use("/archive/moderation", publisher);
archiveRoutes.use("/archive/items/:id/approve", publisher);
archiveRoutes.use("/archive/items/:id/reject", publisher);
archiveRoutes.use("/archive/items/:id/files/*", publisher);

// ---------------------------------------------------------------------------------------------- policies
const Unit = z.object({ name: z.string(), lead: z.boolean(), scope: z.boolean() });
const PolicySummary = z
  .object({
    id: z.number().int(),
    slug: z.string(),
    title: z.string(),
    issuer: z.string(),
    docNumber: z.string().nullable(),
    issuedOn: z.string(),
    format: z.enum(["markdown", "structured"]),
    isDemo: z.boolean(),
  })
  .openapi("PolicySummary");
const PolicyDetail = PolicySummary.extend({
  url: z.string(),
  html: z.string().nullable().openapi({ description: "Markdown 正文渲染后的安全 HTML（结构化文件为 null）" }),
  preamble: z.array(z.string()).nullable(),
  closing: z.array(z.string()).nullable(),
  sections: z
    .array(
      z.object({
        heading: z.string(),
        measures: z.array(
          z.object({
            number: z.number().int(),
            anchor: z.string().openapi({ example: "m6" }),
            url: z.string().openapi({ example: "/policies/zibo-2018-action-plan#m6" }),
            title: z.string(),
            paragraphs: z.array(z.object({ text: z.string(), units: z.array(Unit), separately: z.boolean() })),
            leadUnits: z.array(z.string()),
          }),
        ),
      }),
    )
    .nullable(),
}).openapi("PolicyDetail");

const NewPolicy = z
  .object({
    title: z.string().trim().min(1, "请填写文件标题").max(200, "标题不超过 200 个字"),
    issuer: z.string().trim().min(1, "请填写发文机关").max(100, "发文机关不超过 100 个字"),
    docNumber: z.string().trim().max(60, "文号不超过 60 个字").nullish(),
    issuedOn: z.iso.date("成文日期格式应为 年-月-日，如 2019-03-15"),
    body: z.string().min(1, "请填写正文（Markdown）").max(200_000, "正文过长"),
    slug: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]{0,79}$/, "地址名只能用小写字母、数字和连字符，如 2019-archive-notice")
      .optional(),
  })
  .openapi("NewPolicy");

archiveRoutes.openapi(
  createRoute({
    method: "get",
    path: "/policies",
    tags: ["档案"],
    summary: "政策文件列表（实施意见为第一份）",
    responses: { 200: jsonContent(z.array(PolicySummary), "政策文件"), ...errorResponses(503) },
  }),
  async (c) => c.json(await listPolicies(c.var.db), 200),
);

archiveRoutes.openapi(
  createRoute({
    method: "get",
    path: "/policies/{slug}",
    tags: ["档案"],
    summary: "一份政策文件：结构化条目（含牵头单位）或安全渲染的 Markdown",
    request: { params: z.object({ slug: z.string().max(80) }) },
    responses: { 200: jsonContent(PolicyDetail, "政策文件"), ...errorResponses(404, 503) },
  }),
  async (c) => {
    const p = await getPolicy(c.var.db, c.req.valid("param").slug);
    const url = `/policies/${p.slug}`;
    return c.json(
      {
        id: p.id,
        slug: p.slug,
        title: p.title,
        issuer: p.issuer,
        docNumber: p.docNumber,
        issuedOn: p.issuedOn,
        format: p.format,
        isDemo: p.isDemo,
        url,
        html: p.html,
        preamble: p.structure?.preamble ?? null,
        closing: p.structure?.closing ?? null,
        sections:
          p.structure?.sections.map((s) => ({
            heading: s.heading,
            measures: s.measures.map((m) => ({
              number: m.number,
              anchor: m.anchor,
              url: `${url}#${m.anchor}`,
              title: m.title,
              paragraphs: m.paragraphs.map((para) => ({
                text: para.text,
                units: para.units,
                separately: para.separately,
              })),
              leadUnits: [
                ...new Set(m.paragraphs.flatMap((para) => para.units.filter((u) => u.lead).map((u) => u.name))),
              ],
            })),
          })) ?? null,
      },
      200,
    );
  },
);

archiveRoutes.openapi(
  createRoute({
    method: "post",
    path: "/policies",
    tags: ["档案"],
    summary: "新增政策文件（信息发布员）：正文为 Markdown，展示时过滤脚本等不安全内容",
    request: { body: { content: { "application/json": { schema: NewPolicy } }, required: true } },
    responses: { 201: jsonContent(PolicySummary, "已发布"), ...errorResponses(400, 401, 403, 409, 503) },
  }),
  async (c) => {
    const p = await createPolicy(c.var.db, c.req.valid("json"), { createdBy: c.var.staff.userId });
    return c.json(
      {
        id: p.id,
        slug: p.slug,
        title: p.title,
        issuer: p.issuer,
        docNumber: p.docNumber,
        issuedOn: p.issuedOn,
        format: p.format,
        isDemo: p.isDemo,
      },
      201,
    );
  },
);

// ---------------------------------------------------------------------------------------------- yearbook
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

archiveRoutes.openapi(
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

archiveRoutes.openapi(
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

archiveRoutes.openapi(
  createRoute({
    method: "post",
    path: "/yearbook/{year}/chapters",
    tags: ["档案"],
    summary: "新增年鉴章节（信息发布员）",
    request: {
      params: Year,
      body: {
        content: {
          "application/json": {
            schema: z.object({
              position: z.number().int().min(1, "章节序号从 1 开始"),
              title: z.string().trim().min(1, "请填写章节标题").max(100),
              body: z.string().min(1, "请填写正文（Markdown）").max(200_000),
            }),
          },
        },
        required: true,
      },
    },
    responses: { 201: jsonContent(Chapter, "已新增"), ...errorResponses(400, 401, 403, 409, 503) },
  }),
  async (c) => {
    const { year } = c.req.valid("param");
    if (year < 2018 || year > 2021) throw validationFailed("年鉴年份应为 2018—2021", { field: "year" });
    return c.json(await createChapter(c.var.db, { year, ...c.req.valid("json") }, c.var.staff.userId), 201);
  },
);

archiveRoutes.openapi(
  createRoute({
    method: "patch",
    path: "/yearbook/chapters/{id}",
    tags: ["档案"],
    summary: "修改年鉴章节（信息发布员）",
    request: {
      params: IdParam,
      body: {
        content: {
          "application/json": {
            schema: z.object({
              title: z.string().trim().min(1, "章节标题不能为空").max(100).optional(),
              body: z.string().min(1, "正文不能为空").max(200_000).optional(),
            }),
          },
        },
        required: true,
      },
    },
    responses: { 200: jsonContent(Chapter, "已修改"), ...errorResponses(400, 401, 403, 404, 503) },
  }),
  async (c) =>
    c.json(await updateChapter(c.var.db, c.req.valid("param").id, c.req.valid("json"), c.var.staff.userId), 200),
);

// ---------------------------------------------------------------------------------------------- photos
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

archiveRoutes.openapi(
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

archiveRoutes.openapi(
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

/** Read the multipart form; the body limit middleware already refused oversized bodies (413). */
async function readForm(c: { req: { parseBody: () => Promise<Record<string, unknown>> } }) {
  try {
    return await c.req.parseBody();
  } catch {
    throw new AppError("BAD_REQUEST", "表单无法读取：请以 multipart/form-data 提交");
  }
}

async function fileBytes(value: unknown): Promise<Uint8Array> {
  if (!(value instanceof File)) throw validationFailed("请选择要上传的照片文件", { field: "photo" });
  checkImage(new Uint8Array(await value.slice(0, 16).arrayBuffer()), value.size);
  return new Uint8Array(await value.arrayBuffer());
}

archiveRoutes.openapi(
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

archiveRoutes.openapi(
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

archiveRoutes.openapi(
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

archiveRoutes.openapi(
  createRoute({
    method: "post",
    path: "/archive/items/{id}/reject",
    tags: ["档案"],
    summary: "不予采用（信息发布员），须填写理由；已公开的也可撤下",
    request: {
      params: IdParam,
      body: {
        content: {
          "application/json": {
            schema: z.object({
              reason: z.string().trim().min(1, "请填写不采用的理由").max(500, "理由不超过 500 个字"),
            }),
          },
        },
        required: true,
      },
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

archiveRoutes.openapi(
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

// ---------------------------------------------------------------------------------------------- honours
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

archiveRoutes.openapi(
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

archiveRoutes.openapi(
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

archiveRoutes.openapi(
  createRoute({
    method: "post",
    path: "/honors",
    tags: ["档案"],
    summary: "新增群英谱条目（信息发布员）；区县须为已知区县",
    request: { body: { content: { "application/json": { schema: HonorInput } }, required: true } },
    responses: { 201: jsonContent(HonorView, "已新增"), ...errorResponses(400, 401, 403, 503) },
  }),
  async (c) => c.json(honorView(await createHonor(c.var.db, c.req.valid("json"), c.var.staff.userId)), 201),
);

archiveRoutes.openapi(
  createRoute({
    method: "patch",
    path: "/honors/{id}",
    tags: ["档案"],
    summary: "修改群英谱条目（信息发布员）",
    request: {
      params: IdParam,
      body: { content: { "application/json": { schema: HonorInput.partial() } }, required: true },
    },
    responses: { 200: jsonContent(HonorView, "已修改"), ...errorResponses(400, 401, 403, 404, 503) },
  }),
  async (c) =>
    c.json(
      honorView(await updateHonor(c.var.db, c.req.valid("param").id, c.req.valid("json"), c.var.staff.userId)),
      200,
    ),
);

archiveRoutes.openapi(
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

archiveRoutes.openapi(
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
