import type { Db } from "../../db/client";
import type { SearchDocument, SearchSource } from "../../search/contract";
import { getPublicItemsByIds, listPublicItems } from "./items";

/** Approved photos only: pending and rejected submissions are never in the index. */
export const photoSource: SearchSource = {
  type: "photo",
  async load(db: Db, ids?: string[]): Promise<SearchDocument[]> {
    let items: Awaited<ReturnType<typeof getPublicItemsByIds>>;
    if (ids) items = await getPublicItemsByIds(db, ids.map(Number).filter(Number.isInteger));
    else {
      items = [];
      for (let page = 1; ; page++) {
        const batch = await listPublicItems(db, { page, pageSize: 100 });
        items.push(...batch.items);
        if (batch.items.length < 100) break;
      }
    }
    return items.map((i) => ({
      type: "photo",
      id: String(i.id),
      title: i.title,
      body: [i.description, i.place, `拍摄：${i.creator}`].filter(Boolean).join("\n"),
      url: `/archive/photos/${i.id}`,
      date: i.takenOn,
      year: i.takenOn ? Number(i.takenOn.slice(0, 4)) : null,
      district: i.district,
      keywords: [i.place, i.creator, ...i.subjects],
    }));
  },
};
