import { and, asc, desc, eq, inArray, type SQL, sql } from "drizzle-orm";
import { z } from "zod";
import { type Db, rows } from "../../db/client";
import { districts, honors } from "../../db/schema";
import { notFound, validationFailed } from "../../lib/errors";
import { syncSearch } from "../../search/sync";
import { removeImage, storeImage } from "../archive/images";
import { appendAudit } from "../audit/audit-log";

// 群英谱: the honour roll of 先进集体 and 先进个人, chosen every year (founding document §24, §26).

export const HONOR_KINDS = ["collective", "individual"] as const;
export type HonorKind = (typeof HONOR_KINDS)[number];
export const HONOR_KIND_LABELS: Record<HonorKind, string> = { collective: "先进集体", individual: "先进个人" };
export const HONOR_YEARS = [2018, 2019, 2020, 2021] as const;

export const honorInputSchema = z.object({
  year: z.coerce
    .number()
    .int()
    .refine((y) => (HONOR_YEARS as readonly number[]).includes(y), "年度应为 2018—2021 之一"),
  kind: z.enum(HONOR_KINDS, { error: "类型应为 collective（先进集体）或 individual（先进个人）" }),
  name: z.string().trim().min(1, "请填写名称或姓名").max(80, "名称不超过 80 个字"),
  unit: z.string().trim().min(1, "请填写所在单位").max(80, "单位不超过 80 个字"),
  district: z.string().trim().min(1, "请填写区县"),
  citation: z.string().trim().min(1, "请填写事迹简介").max(2000, "事迹不超过 2000 个字"),
  isDemo: z.boolean().optional(),
});
export type HonorInput = z.infer<typeof honorInputSchema>;

export interface Honor {
  id: number;
  year: number;
  kind: HonorKind;
  kindLabel: string;
  name: string;
  unit: string;
  district: string;
  citation: string;
  photo: { key: string; width: number; height: number; sizes: number[] } | null;
  isDemo: boolean;
}

type Row = { h: typeof honors.$inferSelect; district: string };
function toHonor({ h, district }: Row): Honor {
  return {
    id: h.id,
    year: h.year,
    kind: h.kind as HonorKind,
    kindLabel: HONOR_KIND_LABELS[h.kind as HonorKind],
    name: h.name,
    unit: h.unit,
    district,
    citation: h.citation,
    photo:
      h.photoKey && h.photoWidth && h.photoHeight && h.photoSizes
        ? { key: h.photoKey, width: h.photoWidth, height: h.photoHeight, sizes: h.photoSizes }
        : null,
    isDemo: h.isDemo,
  };
}

const select = (db: Db) =>
  db
    .select({ h: honors, district: districts.name })
    .from(honors)
    .innerJoin(districts, eq(districts.id, honors.districtId));

async function districtId(db: Db, name: string): Promise<number> {
  const [d] = await db.select({ id: districts.id }).from(districts).where(eq(districts.name, name));
  if (!d) {
    const all = await db.select({ name: districts.name }).from(districts).orderBy(asc(districts.sort));
    throw validationFailed(`未知的区县：“${name}”。可选：${all.map((x) => x.name).join("、")}`, {
      field: "district",
      allowed: all.map((x) => x.name),
    });
  }
  return d.id;
}

export interface HonorFilter {
  year?: number;
  district?: string;
  kind?: HonorKind;
}

/** Entries matching the filter: newest year first, collectives before individuals. */
export async function listHonors(db: Db, filter: HonorFilter = {}): Promise<Honor[]> {
  const where: SQL[] = [];
  if (filter.year) where.push(eq(honors.year, filter.year));
  if (filter.kind) where.push(eq(honors.kind, filter.kind));
  if (filter.district) where.push(eq(districts.name, filter.district));
  const result = await select(db)
    .where(where.length ? and(...where) : undefined)
    .orderBy(desc(honors.year), asc(honors.kind), asc(districts.sort), asc(honors.id));
  return result.map(toHonor);
}

/** Facet counts for browsing: years, districts and kinds that have entries. */
export async function honorFacets(db: Db) {
  const [years, ds, kinds] = await Promise.all([
    rows<{ year: number; n: number }>(
      db,
      sql`SELECT year, count(*)::int AS n FROM honors GROUP BY year ORDER BY year DESC`,
    ),
    rows<{ name: string; n: number }>(
      db,
      sql`SELECT d.name, count(h.id)::int AS n FROM districts d LEFT JOIN honors h ON h.district_id = d.id GROUP BY d.id, d.name, d.sort ORDER BY d.sort`,
    ),
    rows<{ kind: string; n: number }>(db, sql`SELECT kind, count(*)::int AS n FROM honors GROUP BY kind`),
  ]);
  return { years, districts: ds, kinds };
}

export async function getHonor(db: Db, id: number): Promise<Honor> {
  const [r] = await select(db).where(eq(honors.id, id));
  if (!r) throw notFound(`群英谱中没有编号为 ${id} 的条目`);
  return toHonor(r);
}

export async function getHonorsByIds(db: Db, ids: number[]): Promise<Honor[]> {
  if (ids.length === 0) return [];
  return (await select(db).where(inArray(honors.id, ids))).map(toHonor);
}

export async function createHonor(db: Db, input: HonorInput, actorId: number | null): Promise<Honor> {
  return db.transaction(async (tx) => {
    const dId = await districtId(tx, input.district);
    const [r] = await tx
      .insert(honors)
      .values({
        year: input.year,
        kind: input.kind,
        name: input.name,
        unit: input.unit,
        districtId: dId,
        citation: input.citation,
        isDemo: input.isDemo ?? false,
      })
      .returning({ id: honors.id });
    await honorWritten(tx, r.id, "honor.create", actorId, { year: input.year, kind: input.kind, name: input.name });
    return getHonor(tx, r.id);
  });
}

/** Every write to an entry, in its transaction: the search index follows, and the audit log records it. */
async function honorWritten(tx: Db, id: number, action: string, actorId: number | null, details: object) {
  await syncSearch(tx, "honor", [id]);
  await appendAudit(tx, { actorId, action, subjectType: "honor", subjectId: String(id), details });
}

export async function updateHonor(
  db: Db,
  id: number,
  input: Partial<HonorInput>,
  actorId: number | null,
): Promise<Honor> {
  return db.transaction(async (tx) => {
    const { district, isDemo: _ignored, ...rest } = input;
    const set: Partial<typeof honors.$inferInsert> = { ...rest, updatedAt: new Date() };
    if (district !== undefined) set.districtId = await districtId(tx, district);
    const [r] = await tx.update(honors).set(set).where(eq(honors.id, id)).returning({ id: honors.id });
    if (!r) throw notFound(`群英谱中没有编号为 ${id} 的条目`);
    await honorWritten(tx, id, "honor.update", actorId, { fields: Object.keys(input).filter((k) => k !== "isDemo") });
    return getHonor(tx, id);
  });
}

export async function deleteHonor(db: Db, id: number, actorId: number | null): Promise<void> {
  const key = await db.transaction(async (tx) => {
    const [r] = await tx
      .delete(honors)
      .where(eq(honors.id, id))
      .returning({ photoKey: honors.photoKey, name: honors.name, year: honors.year });
    if (!r) throw notFound(`群英谱中没有编号为 ${id} 的条目`);
    await honorWritten(tx, id, "honor.delete", actorId, { name: r.name, year: r.year });
    return r.photoKey;
  });
  if (key) await removeImage("honors", key);
}

/** Attach (or replace) an entry's photo: checked, stripped and resized like the image collection. */
export async function setHonorPhoto(db: Db, id: number, image: Uint8Array, actorId: number | null): Promise<Honor> {
  await getHonor(db, id);
  const stored = await storeImage("honors", image);
  let old: string | null = null;
  try {
    await db.transaction(async (tx) => {
      const [cur] = await tx.select({ photoKey: honors.photoKey }).from(honors).where(eq(honors.id, id));
      if (!cur) throw notFound(`群英谱中没有编号为 ${id} 的条目`);
      old = cur.photoKey;
      await tx
        .update(honors)
        .set({
          photoKey: stored.key,
          photoWidth: stored.width,
          photoHeight: stored.height,
          photoSizes: stored.sizes,
          updatedAt: new Date(),
        })
        .where(eq(honors.id, id));
      await honorWritten(tx, id, "honor.photo", actorId, { replaced: old !== null });
    });
  } catch (err) {
    await removeImage("honors", stored.key);
    throw err;
  }
  if (old) await removeImage("honors", old);
  return getHonor(db, id);
}
