import { sql } from "drizzle-orm";
import { type Db, rows } from "../../db/client";
import type { SearchDocument, SearchSource } from "../../search/contract";
import { idCondition } from "../../search/ids";
import { FUND_LEVEL_LABELS } from "./labels";
import { formatMoney } from "./money";

/** Fund allocations (current version; withdrawn ones leave the index). */
export const allocationSource: SearchSource = {
  type: "allocation",
  async load(db: Db, ids?: string[]): Promise<SearchDocument[]> {
    const only = idCondition(sql`a.id`, ids);
    if (!only) return [];
    const list = await rows<Record<string, string | number | null>>(
      db,
      sql`SELECT a.id, a.year, a.level, a.fund_name, a.doc_number, a.amount::text AS amount, a.purpose,
          a.published_on::text AS published_on, d.name AS district, t.name AS town, v.name AS village, p.name AS project, c.name AS category
        FROM fund_allocations a JOIN districts d ON d.id = a.district_id LEFT JOIN towns t ON t.id = a.town_id
        LEFT JOIN villages v ON v.id = a.village_id LEFT JOIN projects p ON p.id = a.project_id
        JOIN categories c ON c.code = a.category_code
        WHERE a.status = 'active' AND ${only} ORDER BY a.id`,
    );
    return list.map((a) => {
      const place = [a.district, a.town, a.village].filter(Boolean).join(" ");
      return {
        type: "allocation",
        id: String(a.id),
        title: `${a.year}年 ${place} ${a.fund_name}`,
        body: `${FUND_LEVEL_LABELS[a.level as keyof typeof FUND_LEVEL_LABELS]} ${a.fund_name} ${a.doc_number} ${place} ${a.category} 金额 ${formatMoney(String(a.amount))} 元 ${a.project ?? ""} ${a.purpose}`.trim(),
        url: `/funds/${a.id}`,
        date: a.published_on as string,
        year: Number(a.year),
        district: a.district as string,
        keywords: [a.doc_number as string, ...[a.town, a.village, a.project].filter((x): x is string => !!x)],
      };
    });
  },
};
