import { sql } from "drizzle-orm";
import { type Db, rows } from "../../db/client";
import { conflict, notFound, validationFailed } from "../../lib/errors";
import { removeImage, storeImage } from "../archive/images";
import { appendAudit } from "../audit/audit-log";

// Before/after photos of a 危房改造 case, through the archive's image pipeline: checked by their bytes,
// re-encoded without EXIF/GPS, resized into renditions. They are public only with their case (while it
// is in 公示); the publisher is warned not to show faces or house numbers.

export const PHOTO_PHASES = ["before", "after"] as const;
export type PhotoPhase = (typeof PHOTO_PHASES)[number];
export const PHOTO_PHASE_LABELS: Record<PhotoPhase, string> = { before: "改造前", after: "改造后" };
/** Photos kept per case and phase. */
export const MAX_PHOTOS_PER_PHASE = 4;

export interface CasePhoto {
  id: number;
  phase: PhotoPhase;
  phaseLabel: string;
  key: string;
  width: number;
  height: number;
  sizes: number[];
}

/** Store a photo of a case (renditions first, then the row and its audit record in one transaction). */
export async function addHousingCasePhoto(
  db: Db,
  caseId: number,
  phase: PhotoPhase,
  bytes: Uint8Array,
  actorId: number | null,
): Promise<number> {
  if (!PHOTO_PHASES.includes(phase))
    throw validationFailed("请选择改造前或改造后", [{ path: "phase", message: "before 或 after" }]);
  const [c] = await rows<{ status: string }>(db, sql`SELECT status FROM housing_cases WHERE id = ${caseId}`);
  if (!c) throw notFound("没有这个危房改造申请");
  if (c.status !== "active") throw conflict("这个申请已撤回");
  const image = await storeImage("housing", bytes, db);
  try {
    return await db.transaction(async (tx) => {
      const [{ n }] = await rows<{ n: number }>(
        tx,
        sql`SELECT count(*)::int AS n FROM housing_case_photos WHERE case_id = ${caseId} AND phase = ${phase}`,
      );
      if (Number(n) >= MAX_PHOTOS_PER_PHASE)
        throw conflict(`${PHOTO_PHASE_LABELS[phase]}的照片最多 ${MAX_PHOTOS_PER_PHASE} 张，请先删除一张`);
      const [{ id }] = await rows<{ id: number }>(
        tx,
        sql`INSERT INTO housing_case_photos (case_id, phase, image_key, width, height, sizes, created_by)
            VALUES (${caseId}, ${phase}, ${image.key}, ${image.width}, ${image.height},
              ${`{${image.sizes.join(",")}}`}::int[], ${actorId}) RETURNING id`,
      );
      await appendAudit(tx, {
        actorId,
        action: "housing_case.photo_add",
        subjectType: "housing_case",
        subjectId: String(caseId),
        details: { photoId: Number(id), phase },
      });
      return Number(id);
    });
  } catch (err) {
    await removeImage("housing", image.key, db);
    throw err;
  }
}

/** Delete a photo (audited); its renditions are removed after the row. */
export async function removeHousingCasePhoto(db: Db, caseId: number, photoId: number, actorId: number | null) {
  const key = await db.transaction(async (tx) => {
    const [p] = await rows<{ image_key: string; phase: string }>(
      tx,
      sql`DELETE FROM housing_case_photos WHERE id = ${photoId} AND case_id = ${caseId} RETURNING image_key, phase`,
    );
    if (!p) throw notFound("没有这张照片");
    await appendAudit(tx, {
      actorId,
      action: "housing_case.photo_remove",
      subjectType: "housing_case",
      subjectId: String(caseId),
      details: { photoId, phase: p.phase },
    });
    return p.image_key;
  });
  await removeImage("housing", key, db);
}

/** The photos of a case, before ones first. */
export async function photosOfCase(db: Db, caseId: number): Promise<CasePhoto[]> {
  const list = await rows<{
    id: number;
    phase: PhotoPhase;
    image_key: string;
    width: number;
    height: number;
    sizes: unknown;
  }>(
    db,
    sql`SELECT id, phase, image_key, width, height, sizes FROM housing_case_photos WHERE case_id = ${caseId}
        ORDER BY phase DESC, id`,
  );
  return list.map((p) => ({
    id: Number(p.id),
    phase: p.phase,
    phaseLabel: PHOTO_PHASE_LABELS[p.phase],
    key: p.image_key,
    width: Number(p.width),
    height: Number(p.height),
    sizes: (typeof p.sizes === "string" ? p.sizes.replace(/[{}]/g, "").split(",") : (p.sizes as number[])).map(Number),
  }));
}
