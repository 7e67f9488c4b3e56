import { sql } from "drizzle-orm";
import { type Db, rows } from "../../db/client";
import type { SearchDocument, SearchSource } from "../../search/contract";
import { idCondition } from "../../search/ids";

/** Published notices (drafts are not public; withdrawn and amended ones stay findable, marked in the title). */
export const noticeSource: SearchSource = {
  type: "notice",
  async load(db: Db, ids?: string[]): Promise<SearchDocument[]> {
    const only = idCondition(sql`n.id`, ids);
    if (!only) return [];
    const list = await rows<Record<string, string | number | null>>(
      db,
      sql`SELECT n.id, n.title, n.status, n.superseded_by_id, n.project_name, n.location, n.content, n.funding,
          n.implementer, n.poverty_mechanism, n.body, n.doc_number, n.period_start::text AS period_start,
          d.name AS district, t.name AS town, v.name AS village
        FROM notices n JOIN districts d ON d.id = n.district_id LEFT JOIN towns t ON t.id = n.town_id
        LEFT JOIN villages v ON v.id = n.village_id
        WHERE n.status <> 'draft' AND ${only} ORDER BY n.id`,
    );
    return list.map((n) => {
      const mark = n.status === "withdrawn" ? "（已撤回）" : n.superseded_by_id ? "（已更正）" : "";
      return {
        type: "notice",
        id: String(n.id),
        title: `${n.title}${mark}`,
        body: [n.project_name, n.location, n.content, n.funding, n.implementer, n.poverty_mechanism, n.body]
          .filter(Boolean)
          .join(" "),
        url: `/notices/${n.id}`,
        date: (n.period_start as string) ?? null,
        year: n.period_start ? Number(String(n.period_start).slice(0, 4)) : null,
        district: n.district as string,
        keywords: [n.town, n.village, n.doc_number].filter((x): x is string => !!x),
      };
    });
  },
};
