import { and, asc, eq, inArray, sql } from "drizzle-orm";
import { type Db, rows } from "../../db/client";
import { yearbookChapters } from "../../db/schema";
import { conflict, notFound } from "../../lib/errors";
import { syncSearch } from "../../search/sync";
import { appendAudit } from "../audit/audit-log";
import { markdownToText, renderMarkdown } from "../policies/markdown";

/** The yearbook's volumes: the three campaign years and the 2021 summary the founding document foresees (§24). */
export const YEARBOOK_YEARS = [2018, 2019, 2020, 2021] as const;

export const YEARBOOK_TITLES: Record<number, string> = {
  2018: "淄博脱贫攻坚年鉴（2018）",
  2019: "淄博脱贫攻坚年鉴（2019）",
  2020: "淄博脱贫攻坚年鉴（2020）",
  2021: "淄博脱贫攻坚总结（2021）",
};

export interface YearbookChapter {
  id: number;
  year: number;
  position: number;
  /** Anchor on the year page: c1, c2 … */
  anchor: string;
  title: string;
  body: string;
  html: string;
  isDemo: boolean;
}

export interface Yearbook {
  year: number;
  title: string;
  chapters: YearbookChapter[];
  prev: number | null;
  next: number | null;
  isDemo: boolean;
}

type Row = typeof yearbookChapters.$inferSelect;
function chapter(r: Row): YearbookChapter {
  return {
    id: r.id,
    year: r.year,
    position: r.position,
    anchor: `c${r.position}`,
    title: r.title,
    body: r.body,
    html: renderMarkdown(r.body),
    isDemo: r.isDemo,
  };
}

/** Years that have at least one chapter, with counts. */
export async function listYearbookYears(db: Db): Promise<{ year: number; title: string; chapters: number }[]> {
  const counts = await rows<{ year: number; n: number }>(
    db,
    sql`SELECT year, count(*)::int AS n FROM yearbook_chapters GROUP BY year ORDER BY year`,
  );
  return counts.map((c) => ({ year: c.year, title: YEARBOOK_TITLES[c.year] ?? `${c.year}`, chapters: c.n }));
}

export async function getYearbook(db: Db, year: number): Promise<Yearbook> {
  if (!YEARBOOK_YEARS.includes(year as (typeof YEARBOOK_YEARS)[number])) throw notFound(`没有 ${year} 年的年鉴`);
  const [result, years] = await Promise.all([
    db.select().from(yearbookChapters).where(eq(yearbookChapters.year, year)).orderBy(asc(yearbookChapters.position)),
    listYearbookYears(db),
  ]);
  if (result.length === 0) throw notFound(`${year} 年的年鉴尚未编纂`);
  const present = years.map((y) => y.year);
  const idx = present.indexOf(year);
  const chapters = result.map(chapter);
  return {
    year,
    title: YEARBOOK_TITLES[year],
    chapters,
    prev: idx > 0 ? present[idx - 1] : null,
    next: idx >= 0 && idx < present.length - 1 ? present[idx + 1] : null,
    isDemo: chapters.some((c) => c.isDemo),
  };
}

export async function getChaptersByIds(db: Db, ids: number[]): Promise<YearbookChapter[]> {
  if (ids.length === 0) return [];
  const result = await db.select().from(yearbookChapters).where(inArray(yearbookChapters.id, ids));
  return result.map(chapter);
}

export async function listAllChapters(db: Db): Promise<YearbookChapter[]> {
  const result = await db
    .select()
    .from(yearbookChapters)
    .orderBy(asc(yearbookChapters.year), asc(yearbookChapters.position));
  return result.map(chapter);
}

export function chapterPlainText(c: YearbookChapter) {
  return markdownToText(c.body);
}

export interface ChapterInput {
  year: number;
  position: number;
  title: string;
  body: string;
  isDemo?: boolean;
}

/** Add a chapter (publisher). Position must be free in that year. */
export async function createChapter(db: Db, input: ChapterInput, actorId: number | null): Promise<YearbookChapter> {
  return db.transaction(async (tx) => {
    const [clash] = await tx
      .select({ id: yearbookChapters.id })
      .from(yearbookChapters)
      .where(and(eq(yearbookChapters.year, input.year), eq(yearbookChapters.position, input.position)));
    if (clash) throw conflict(`${input.year} 年鉴已有第 ${input.position} 章`, { field: "position" });
    const [r] = await tx
      .insert(yearbookChapters)
      .values({ ...input, isDemo: input.isDemo ?? false })
      .returning();
    await syncSearch(tx, "yearbook", [r.id]);
    await appendAudit(tx, {
      actorId,
      action: "yearbook_chapter.create",
      subjectType: "yearbook_chapter",
      subjectId: String(r.id),
      details: { year: input.year, position: input.position, title: input.title },
    });
    return chapter(r);
  });
}

/** Replace a chapter's title/body (publisher). */
export async function updateChapter(
  db: Db,
  id: number,
  input: { title?: string; body?: string },
  actorId: number | null,
): Promise<YearbookChapter> {
  return db.transaction(async (tx) => {
    const [r] = await tx
      .update(yearbookChapters)
      .set({ ...input, updatedAt: new Date() })
      .where(eq(yearbookChapters.id, id))
      .returning();
    if (!r) throw notFound(`没有编号为 ${id} 的年鉴章节`);
    await syncSearch(tx, "yearbook", [r.id]);
    await appendAudit(tx, {
      actorId,
      action: "yearbook_chapter.update",
      subjectType: "yearbook_chapter",
      subjectId: String(id),
      details: { fields: Object.keys(input).filter((k) => input[k as keyof typeof input] !== undefined) },
    });
    return chapter(r);
  });
}
