import type { Db } from "../../db/client";
import type { SearchDocument, SearchSource } from "../../search/contract";
import { getHonorsByIds, listHonors } from "./honors";

/** 群英谱 entries. */
export const honorSource: SearchSource = {
  type: "honor",
  async load(db: Db, ids?: string[]): Promise<SearchDocument[]> {
    const entries = ids ? await getHonorsByIds(db, ids.map(Number).filter(Number.isInteger)) : await listHonors(db);
    return entries.map((h) => ({
      type: "honor",
      id: String(h.id),
      title: `${h.name}（${h.year}年度${h.kindLabel}）`,
      body: `${h.unit}\n${h.citation}`,
      url: `/honors/${h.id}`,
      date: null,
      year: h.year,
      district: h.district,
      keywords: [h.name, h.unit, h.kindLabel],
    }));
  },
};
