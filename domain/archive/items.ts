import { and, desc, eq, inArray, sql } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "../../db/client";
import { archiveItems, districts } from "../../db/schema";
import { conflict, notFound, validationFailed } from "../../lib/errors";
import { syncSearch } from "../../search/sync";
import { appendAudit } from "../audit/audit-log";
import { chargeSubmission, type SubmissionClient } from "../throttle/submission-limits";
import { removeImage, type StoredImage, storeImage } from "./images";

// 我眼中的脱贫攻坚: public photo submissions, moderation by a publisher, Dublin Core metadata.

export const COLLECTION_TITLE = "我眼中的脱贫攻坚";
export const ITEM_STATUSES = ["pending", "approved", "rejected"] as const;
export type ItemStatus = (typeof ITEM_STATUSES)[number];
export const STATUS_LABELS: Record<ItemStatus, string> = { pending: "待审核", approved: "已公开", rejected: "未采用" };

const today = () => new Date().toISOString().slice(0, 10);

/** The submission form's fields (the file is checked separately by its bytes). */
export const submissionSchema = z.object({
  title: z.string().trim().min(1, "请填写照片标题").max(60, "标题不超过 60 个字"),
  description: z.string().trim().max(1000, "说明不超过 1000 个字").default(""),
  place: z.string().trim().min(1, "请填写拍摄地点，如“高青县黑里寨镇”").max(80, "地点不超过 80 个字"),
  district: z.string().trim().max(20).optional(),
  takenOn: z
    .string()
    .trim()
    .regex(/^\d{4}-\d{2}-\d{2}$/, "拍摄日期格式应为 年-月-日，如 2019-06-15")
    .refine((d) => !Number.isNaN(Date.parse(d)) && d >= "1949-10-01" && d <= today(), "拍摄日期不能晚于今天")
    .optional(),
  creator: z.string().trim().min(1, "请填写署名（作品展示时的拍摄者名称）").max(40, "署名不超过 40 个字"),
  consent: z.literal(true, { error: "请勾选同意公开展示，否则无法采用您的照片" }),
});
export type Submission = z.infer<typeof submissionSchema>;

export type FieldErrors = Partial<Record<keyof Submission | "photo", string>>;

/** Validate raw form values (strings / "on" checkbox); field errors in Chinese. */
export function parseSubmission(raw: Record<string, unknown>): { data: Submission } | { errors: FieldErrors } {
  const blankToUndefined = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);
  const consent = raw.consent === true || raw.consent === "on" || raw.consent === "true" || raw.consent === "1";
  const result = submissionSchema.safeParse({
    title: raw.title ?? "",
    description: raw.description ?? "",
    place: raw.place ?? "",
    district: blankToUndefined(raw.district),
    takenOn: blankToUndefined(raw.takenOn),
    creator: raw.creator ?? "",
    consent,
  });
  if (result.success) return { data: result.data };
  const errors: FieldErrors = {};
  for (const issue of result.error.issues) {
    const field = String(issue.path[0]) as keyof FieldErrors;
    errors[field] ??= issue.message;
  }
  return { errors };
}

export interface ArchiveItem {
  id: number;
  title: string;
  description: string;
  place: string;
  district: string | null;
  takenOn: string | null;
  creator: string;
  subjects: string[];
  rights: string;
  status: ItemStatus;
  rejectReason: string | null;
  submittedAt: string;
  reviewedAt: string | null;
  fileKey: string;
  width: number;
  height: number;
  sizes: number[];
  isDemo: boolean;
}

const columns = {
  item: archiveItems,
  district: districts.name,
};

function toItem(r: { item: typeof archiveItems.$inferSelect; district: string | null }): ArchiveItem {
  const i = r.item;
  return {
    id: i.id,
    title: i.title,
    description: i.description,
    place: i.place,
    district: r.district,
    takenOn: i.takenOn,
    creator: i.creator,
    subjects: i.subjects,
    rights: i.rights,
    status: i.status as ItemStatus,
    rejectReason: i.rejectReason,
    submittedAt: i.createdAt.toISOString(),
    reviewedAt: i.reviewedAt?.toISOString() ?? null,
    fileKey: i.fileKey,
    width: i.width,
    height: i.height,
    sizes: i.sizes,
    isDemo: i.isDemo,
  };
}

function select(db: Db) {
  return db.select(columns).from(archiveItems).leftJoin(districts, eq(districts.id, archiveItems.districtId));
}

export function rightsStatement(creator: string) {
  return `© ${creator}。作者已同意淄博市扶贫开发领导小组办公室在“${COLLECTION_TITLE}”影像档案中署名公开展示；转载请注明作者并联系作者授权。`;
}

/**
 * A public submission: the image is checked and stored (metadata stripped) first, then the item is
 * recorded as pending. Nothing is public until a publisher approves it.
 */
export async function submitPhoto(
  db: Db,
  input: Submission,
  image: Uint8Array,
  opts: { isDemo?: boolean; approve?: boolean; stored?: StoredImage; client?: SubmissionClient | null } = {},
): Promise<ArchiveItem> {
  let districtId: number | null = null;
  if (input.district) {
    const [d] = await db.select({ id: districts.id }).from(districts).where(eq(districts.name, input.district));
    if (!d) throw validationFailed(`未知的区县：${input.district}`, { field: "district" });
    districtId = d.id;
  }
  // Counted before the image is decoded: the limit is on the work a client can make the server do.
  if (!opts.stored) await chargeSubmission(db, "upload", opts.client);
  // The demo seeder processes its images in parallel beforehand and passes them in.
  const stored: StoredImage = opts.stored ?? (await storeImage("photos", image));
  try {
    return await db.transaction(async (tx) => {
      const subjects = ["脱贫攻坚", COLLECTION_TITLE, ...(input.district ? [input.district] : [])];
      const [row] = await tx
        .insert(archiveItems)
        .values({
          title: input.title,
          description: input.description ?? "",
          place: input.place,
          districtId,
          takenOn: input.takenOn ?? null,
          creator: input.creator,
          subjects,
          rights: rightsStatement(input.creator),
          consentAt: new Date(),
          status: opts.approve ? "approved" : "pending",
          reviewedAt: opts.approve ? new Date() : null,
          fileKey: stored.key,
          width: stored.width,
          height: stored.height,
          sizes: stored.sizes,
          isDemo: opts.isDemo ?? false,
        })
        .returning({ id: archiveItems.id });
      if (opts.approve) await syncSearch(tx, "photo", [row.id]);
      await appendAudit(tx, {
        actorId: null,
        action: opts.approve ? "archive_item.import" : "archive_item.submit",
        subjectType: "archive_item",
        subjectId: String(row.id),
      });
      const [r] = await select(tx).where(eq(archiveItems.id, row.id));
      return toItem(r);
    });
  } catch (err) {
    await removeImage("photos", stored.key);
    throw err;
  }
}

/** Approved items, newest first. */
export async function listPublicItems(
  db: Db,
  opts: { page?: number; pageSize?: number } = {},
): Promise<{ items: ArchiveItem[]; total: number; page: number; pageSize: number }> {
  const pageSize = Math.min(Math.max(opts.pageSize ?? 24, 1), 100);
  const page = Math.max(opts.page ?? 1, 1);
  const [result, [{ n }]] = await Promise.all([
    select(db)
      .where(eq(archiveItems.status, "approved"))
      .orderBy(desc(archiveItems.reviewedAt), desc(archiveItems.id))
      .limit(pageSize)
      .offset((page - 1) * pageSize),
    db.select({ n: sql<number>`count(*)::int` }).from(archiveItems).where(eq(archiveItems.status, "approved")),
  ]);
  return { items: result.map(toItem), total: n, page, pageSize };
}

/** One approved item (404 for pending or rejected ones: they are not public). */
export async function getPublicItem(db: Db, id: number): Promise<ArchiveItem> {
  const [r] = await select(db).where(and(eq(archiveItems.id, id), eq(archiveItems.status, "approved")));
  if (!r) throw notFound(`没有编号为 ${id} 的公开影像`);
  return toItem(r);
}

/** Any item (staff). */
export async function getItem(db: Db, id: number): Promise<ArchiveItem> {
  const [r] = await select(db).where(eq(archiveItems.id, id));
  if (!r) throw notFound(`没有编号为 ${id} 的影像`);
  return toItem(r);
}

export async function getPublicItemsByIds(db: Db, ids: number[]): Promise<ArchiveItem[]> {
  if (ids.length === 0) return [];
  const result = await select(db).where(and(inArray(archiveItems.id, ids), eq(archiveItems.status, "approved")));
  return result.map(toItem);
}

/** The moderation queue: items of a status, oldest first for pending. */
export async function listItemsByStatus(db: Db, status: ItemStatus, limit = 50): Promise<ArchiveItem[]> {
  const result = await select(db)
    .where(eq(archiveItems.status, status))
    .orderBy(status === "pending" ? archiveItems.id : desc(archiveItems.id))
    .limit(limit);
  return result.map(toItem);
}

export async function countPending(db: Db): Promise<number> {
  const [{ n }] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(archiveItems)
    .where(eq(archiveItems.status, "pending"));
  return n;
}

/** Approve or reject a pending item (publisher). A rejection needs a reason the submitter could be told. */
export async function reviewItem(
  db: Db,
  id: number,
  decision: { action: "approve" } | { action: "reject"; reason: string },
  reviewer: { userId: number | null },
): Promise<ArchiveItem> {
  return db.transaction(async (tx) => {
    const [current] = await tx.select().from(archiveItems).where(eq(archiveItems.id, id)).for("update");
    if (!current) throw notFound(`没有编号为 ${id} 的影像`);
    const target: ItemStatus = decision.action === "approve" ? "approved" : "rejected";
    if (current.status === target) throw conflict(`该影像已经是“${STATUS_LABELS[target]}”状态`);
    if (decision.action === "reject" && !decision.reason.trim()) {
      throw validationFailed("请填写不采用的理由", { field: "reason" });
    }
    await tx
      .update(archiveItems)
      .set({
        status: target,
        rejectReason: decision.action === "reject" ? decision.reason.trim() : null,
        reviewedAt: new Date(),
        reviewedBy: reviewer.userId,
        updatedAt: new Date(),
      })
      .where(eq(archiveItems.id, id));
    await appendAudit(tx, {
      actorId: reviewer.userId,
      action: `archive_item.${decision.action}`,
      subjectType: "archive_item",
      subjectId: String(id),
      details: decision.action === "reject" ? { reason: decision.reason.trim() } : { from: current.status },
    });
    // Approving adds it to the index; rejecting (or withdrawing) removes it.
    await syncSearch(tx, "photo", [id]);
    const [r] = await select(tx).where(eq(archiveItems.id, id));
    return toItem(r);
  });
}

/** Dublin Core (DCMI terms) description of an item. */
export function dublinCore(item: ArchiveItem, origin: string) {
  return {
    title: item.title,
    creator: item.creator,
    date: item.takenOn,
    description: item.description || null,
    subject: item.subjects,
    coverage: item.district && !item.place.includes(item.district) ? `${item.district}${item.place}` : item.place,
    type: "StillImage",
    format: "image/jpeg",
    identifier: `${origin}/archive/photos/${item.id}`,
    rights: item.rights,
    language: "zh-CN",
    publisher: "淄博市扶贫开发领导小组办公室",
    isPartOf: `${COLLECTION_TITLE}影像档案`,
  };
}

/** JSON-LD: schema.org Photograph with the Dublin Core terms alongside (dcterms:). */
export function itemJsonLd(item: ArchiveItem, origin: string) {
  const dc = dublinCore(item, origin);
  const base = `${origin}/archive/photos/${item.id}/`;
  return {
    "@context": {
      "@vocab": "https://schema.org/",
      dcterms: "http://purl.org/dc/terms/",
      dcmitype: "http://purl.org/dc/dcmitype/",
    },
    "@type": "Photograph",
    "@id": dc.identifier,
    url: dc.identifier,
    name: item.title,
    description: dc.description,
    creator: { "@type": "Person", name: item.creator },
    dateCreated: item.takenOn,
    keywords: item.subjects,
    contentLocation: { "@type": "Place", name: dc.coverage },
    copyrightNotice: item.rights,
    creditText: item.creator,
    inLanguage: "zh-CN",
    isPartOf: { "@type": "Collection", name: dc.isPartOf, url: `${origin}/archive/photos` },
    publisher: { "@type": "GovernmentOrganization", name: dc.publisher },
    image: item.sizes.map((w) => ({
      "@type": "ImageObject",
      contentUrl: `${base}${w}.jpg`,
      encodingFormat: "image/jpeg",
      width: w,
      height: Math.round((item.height * w) / item.width),
    })),
    "dcterms:title": dc.title,
    "dcterms:creator": dc.creator,
    "dcterms:date": dc.date,
    "dcterms:description": dc.description,
    "dcterms:subject": dc.subject,
    "dcterms:coverage": dc.coverage,
    "dcterms:type": { "@id": "dcmitype:StillImage" },
    "dcterms:format": dc.format,
    "dcterms:identifier": dc.identifier,
    "dcterms:rights": dc.rights,
    "dcterms:language": dc.language,
    "dcterms:publisher": dc.publisher,
  };
}
