import { type SQL, sql } from "drizzle-orm";
import { type Db, rows } from "../../db/client";
import type { ProjectStage } from "../../db/schema";
import { validationFailed } from "../../lib/errors";
import { PROJECT_STAGE_LABELS } from "../funds/labels";

// The project library (项目库) and the asset register (资产登记) across projects: public lists with
// filters by stage, district, year and category, paginated.

export interface ProjectFilters {
  stage?: string | null;
  district?: string | null;
  year?: number | null;
  category?: string | null;
  /** Only projects created or changed (stage, details) after this time. */
  updatedSince?: Date | null;
}

export interface ProjectListItem {
  id: number;
  name: string;
  year: number;
  district: string;
  town: string | null;
  village: string | null;
  villageId: number | null;
  category: string;
  stage: ProjectStage;
  stageLabel: string;
  fundingAmount: string | null;
  allocated: string;
  hasAsset: boolean;
}

async function where(db: Db, f: ProjectFilters): Promise<SQL> {
  const c: SQL[] = [sql`true`];
  if (f.stage) {
    if (!(f.stage in PROJECT_STAGE_LABELS))
      throw validationFailed("项目阶段有误", [
        { path: "stage", message: Object.keys(PROJECT_STAGE_LABELS).join(" | ") },
      ]);
    c.push(sql`p.stage = ${f.stage}`);
  }
  if (f.district) {
    const [d] = await rows<{ id: number }>(db, sql`SELECT id FROM districts WHERE name = ${f.district}`);
    if (!d) throw validationFailed(`没有“${f.district}”这个区县`, [{ path: "district", message: "未知的区县" }]);
    c.push(sql`p.district_id = ${d.id}`);
  }
  if (f.year) {
    if (!Number.isInteger(f.year) || f.year < 2014 || f.year > 2035)
      throw validationFailed("年度应为 2014–2035", [{ path: "year", message: "2014–2035" }]);
    c.push(sql`p.year = ${f.year}`);
  }
  if (f.category) {
    const [cat] = await rows<{ code: string }>(
      db,
      sql`SELECT code FROM categories WHERE code = ${f.category} OR name = ${f.category}`,
    );
    if (!cat) throw validationFailed("类别有误", [{ path: "category", message: "未知的类别" }]);
    c.push(sql`p.category_code = ${cat.code}`);
  }
  if (f.updatedSince) c.push(sql`p.updated_at > ${f.updatedSince.toISOString()}::timestamptz`);
  return sql.join(c, sql` AND `);
}

export async function listProjects(
  db: Db,
  f: ProjectFilters,
  opts: { page: number; pageSize: number },
): Promise<{ items: ProjectListItem[]; total: number; page: number; pageSize: number }> {
  const w = await where(db, f);
  const [[{ total }], list] = await Promise.all([
    rows<{ total: number }>(db, sql`SELECT count(*)::int AS total FROM projects p WHERE ${w}`),
    rows<
      Pick<ProjectListItem, "id" | "name" | "year" | "district" | "town" | "village" | "category" | "stage"> & {
        village_id: number | null;
        funding_amount: string | null;
        allocated: string;
        has_asset: boolean;
      }
    >(
      db,
      sql`SELECT p.id, p.name, p.year, d.name AS district, t.name AS town, v.name AS village, p.village_id, c.name AS category,
            p.stage, p.funding_amount::text AS funding_amount,
            coalesce((SELECT sum(a.amount) FROM fund_allocations a WHERE a.project_id = p.id AND a.status = 'active'), 0)::text AS allocated,
            EXISTS (SELECT 1 FROM project_assets x WHERE x.project_id = p.id) AS has_asset
          FROM projects p JOIN districts d ON d.id = p.district_id LEFT JOIN towns t ON t.id = p.town_id
          LEFT JOIN villages v ON v.id = p.village_id JOIN categories c ON c.code = p.category_code
          WHERE ${w} ORDER BY p.year DESC, p.id DESC LIMIT ${opts.pageSize} OFFSET ${(opts.page - 1) * opts.pageSize}`,
    ),
  ]);
  return {
    items: list.map((p) => ({
      id: Number(p.id),
      name: p.name,
      year: Number(p.year),
      district: p.district,
      town: p.town,
      village: p.village,
      villageId: p.village_id == null ? null : Number(p.village_id),
      category: p.category,
      stage: p.stage,
      stageLabel: PROJECT_STAGE_LABELS[p.stage],
      fundingAmount: p.funding_amount,
      allocated: p.allocated,
      hasAsset: p.has_asset,
    })),
    total: Number(total),
    page: opts.page,
    pageSize: opts.pageSize,
  };
}

export interface AssetListItem {
  projectId: number;
  project: string;
  year: number;
  district: string;
  village: string | null;
  assetName: string;
  assetValue: string | null;
  owner: string;
  manager: string;
  maintenance: string;
  registeredOn: string;
}

/** The asset register: every registered asset of a completed project. */
export async function listAssets(db: Db, f: ProjectFilters, opts: { page: number; pageSize: number }) {
  const w = await where(db, f);
  const [[{ total }], list] = await Promise.all([
    rows<{ total: number }>(
      db,
      sql`SELECT count(*)::int AS total FROM project_assets x JOIN projects p ON p.id = x.project_id WHERE ${w}`,
    ),
    rows<{
      project_id: number;
      project: string;
      year: number;
      district: string;
      village: string | null;
      asset_name: string;
      asset_value: string | null;
      owner: string;
      manager: string;
      maintenance: string;
      registered_on: string;
    }>(
      db,
      sql`SELECT x.project_id, p.name AS project, p.year, d.name AS district, v.name AS village, x.asset_name,
            x.asset_value::text AS asset_value, x.owner, x.manager, x.maintenance, x.registered_on::text AS registered_on
          FROM project_assets x JOIN projects p ON p.id = x.project_id JOIN districts d ON d.id = p.district_id
          LEFT JOIN villages v ON v.id = p.village_id
          WHERE ${w} ORDER BY x.registered_on DESC, x.id DESC LIMIT ${opts.pageSize} OFFSET ${(opts.page - 1) * opts.pageSize}`,
    ),
  ]);
  return {
    items: list.map(
      (a): AssetListItem => ({
        projectId: Number(a.project_id),
        project: a.project,
        year: Number(a.year),
        district: a.district,
        village: a.village,
        assetName: a.asset_name,
        assetValue: a.asset_value,
        owner: a.owner,
        manager: a.manager,
        maintenance: a.maintenance,
        registeredOn: a.registered_on,
      }),
    ),
    total: Number(total),
    page: opts.page,
    pageSize: opts.pageSize,
  };
}
