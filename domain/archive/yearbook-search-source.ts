import type { Db } from "../../db/client";
import type { SearchDocument, SearchSource } from "../../search/contract";
import { chapterPlainText, getChaptersByIds, listAllChapters, YEARBOOK_TITLES } from "./yearbook";

/** Yearbook chapters, one document each, linking to the chapter's anchor on its year page. */
export const yearbookSource: SearchSource = {
  type: "yearbook",
  async load(db: Db, ids?: string[]): Promise<SearchDocument[]> {
    const chapters = ids
      ? await getChaptersByIds(db, ids.map(Number).filter(Number.isInteger))
      : await listAllChapters(db);
    return chapters.map((c) => ({
      type: "yearbook",
      id: String(c.id),
      title: `${YEARBOOK_TITLES[c.year] ?? c.year}：${c.title}`,
      body: chapterPlainText(c),
      url: `/archive/yearbook/${c.year}#${c.anchor}`,
      date: null,
      year: c.year,
      district: null,
    }));
  },
};
