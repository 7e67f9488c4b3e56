import { sql } from "drizzle-orm";
import { type Db, rows } from "../../db/client";
import type { ProjectStage } from "../../db/schema";
import type { SearchDocument, SearchSource } from "../../search/contract";
import { idCondition } from "../../search/ids";
import { PROJECT_STAGE_LABELS } from "../funds/labels";

/** Poverty-alleviation projects with their current stage. */
export const projectSource: SearchSource = {
  type: "project",
  async load(db: Db, ids?: string[]): Promise<SearchDocument[]> {
    const only = idCondition(sql`p.id`, ids);
    if (!only) return [];
    const list = await rows<Record<string, string | number | null>>(
      db,
      sql`SELECT p.id, p.name, p.year, p.stage, p.location, p.content, p.implementing_unit, p.poverty_mechanism,
          d.name AS district, t.name AS town, v.name AS village, c.name AS category,
          (SELECT max(happened_on)::text FROM project_stages s WHERE s.project_id = p.id) AS last_stage_on
        FROM projects p JOIN districts d ON d.id = p.district_id LEFT JOIN towns t ON t.id = p.town_id
        LEFT JOIN villages v ON v.id = p.village_id JOIN categories c ON c.code = p.category_code WHERE ${only} ORDER BY p.id`,
    );
    return list.map((p) => ({
      type: "project",
      id: String(p.id),
      title: p.name as string,
      body: `${PROJECT_STAGE_LABELS[p.stage as ProjectStage]} ${p.category} ${p.location} ${p.content} ${p.implementing_unit} ${p.poverty_mechanism}`.trim(),
      url: `/projects/${p.id}`,
      date: (p.last_stage_on as string) ?? null,
      year: Number(p.year),
      district: p.district as string,
      keywords: [p.town, p.village, p.implementing_unit].filter((x): x is string => !!x),
    }));
  },
};
