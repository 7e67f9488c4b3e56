import { asc, eq, sql } from "drizzle-orm";
import { type Db, rows } from "../../db/client";
import { PROJECT_STAGES, type ProjectStage, projectAssets, projectStages, projects } from "../../db/schema";

export { PROJECT_STAGES };

import { AppError, notFound, validationFailed } from "../../lib/errors";
import { syncSearch } from "../../search/sync";
import { audit } from "../funds/audit";
import { PROJECT_STAGE_LABELS } from "../funds/labels";
import { resolvePlace, UnknownPlaceError } from "../reference/places";

export interface ProjectInput {
  name: string;
  year: number;
  district: string;
  town?: string | null;
  village?: string | null;
  categoryCode: string;
  location?: string;
  content?: string;
  subsidyStandard?: string;
  fundingSource?: string;
  fundingAmount?: string | null;
  periodText?: string;
  implementingUnit?: string;
  responsiblePerson?: string;
  performanceTarget?: string;
  povertyMechanism?: string;
  supervisionPhone?: string;
  /** Date the project entered 项目储备 (default today). */
  reservedOn?: string;
}

export async function createProject(
  db: Db,
  input: ProjectInput,
  actorId: number | null,
  opts: { isDemo?: boolean } = {},
) {
  let place: Awaited<ReturnType<typeof resolvePlace>>;
  try {
    place = await resolvePlace(db, input);
  } catch (err) {
    if (err instanceof UnknownPlaceError)
      throw validationFailed(err.message, [{ path: err.field, message: err.message }]);
    throw err;
  }
  const [cat] = await rows(
    db,
    sql`SELECT code FROM categories WHERE code = ${input.categoryCode} OR name = ${input.categoryCode}`,
  );
  if (!cat) throw validationFailed("未知的类别", [{ path: "categoryCode", message: "未知的类别" }]);
  return db.transaction(async (tx) => {
    const { district: _d, town: _t, village: _v, reservedOn, categoryCode: _c, ...rest } = input;
    const [row] = await tx
      .insert(projects)
      .values({
        ...rest,
        categoryCode: cat.code as string,
        districtId: place.districtId,
        townId: place.townId,
        villageId: place.villageId,
        stage: "reserve",
        isDemo: opts.isDemo ?? false,
      })
      .returning({ id: projects.id });
    await tx.insert(projectStages).values({
      projectId: row.id,
      stage: "reserve",
      happenedOn: reservedOn ?? new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10),
      note: "纳入项目库",
      createdBy: actorId,
    });
    await syncSearch(tx, "project", [row.id]);
    await audit(tx, { actorId, action: "project.create", subjectType: "project", subjectId: String(row.id) });
    return row.id;
  });
}

/** Move a project to its next stage (one step at a time, dated, public). */
export async function advanceProject(
  db: Db,
  id: number,
  input: { stage: ProjectStage; happenedOn: string; note?: string },
  actorId: number | null,
) {
  return db.transaction(async (tx) => {
    const [cur] = await tx.select().from(projects).where(eq(projects.id, id)).for("update");
    if (!cur) throw notFound("没有这个项目");
    const from = PROJECT_STAGES.indexOf(cur.stage);
    const to = PROJECT_STAGES.indexOf(input.stage);
    if (to !== from + 1) {
      throw new AppError(
        "INVALID_TRANSITION",
        `项目当前处于“${PROJECT_STAGE_LABELS[cur.stage]}”，下一阶段只能是“${PROJECT_STAGE_LABELS[PROJECT_STAGES[from + 1]] ?? "（已是最后阶段）"}”`,
      );
    }
    const [last] = await tx
      .select({ happenedOn: projectStages.happenedOn })
      .from(projectStages)
      .where(eq(projectStages.projectId, id))
      .orderBy(sql`${projectStages.happenedOn} DESC`)
      .limit(1);
    if (last && input.happenedOn < last.happenedOn) {
      throw validationFailed("阶段日期不能早于上一阶段", [
        { path: "happenedOn", message: `不能早于 ${last.happenedOn}` },
      ]);
    }
    await tx.insert(projectStages).values({
      projectId: id,
      stage: input.stage,
      happenedOn: input.happenedOn,
      note: input.note ?? "",
      createdBy: actorId,
    });
    await tx.update(projects).set({ stage: input.stage, updatedAt: new Date() }).where(eq(projects.id, id));
    await syncSearch(tx, "project", [id]);
    await audit(tx, {
      actorId,
      action: "project.stage",
      subjectType: "project",
      subjectId: String(id),
      details: { stage: input.stage },
    });
  });
}

/** 资产登记 of a project that has passed acceptance (竣工验收). */
export async function registerAsset(
  db: Db,
  id: number,
  input: {
    assetName: string;
    assetValue?: string | null;
    owner: string;
    manager: string;
    maintenance: string;
    registeredOn: string;
  },
  actorId: number | null,
) {
  return db.transaction(async (tx) => {
    const [cur] = await tx.select().from(projects).where(eq(projects.id, id)).for("update");
    if (!cur) throw notFound("没有这个项目");
    if (PROJECT_STAGES.indexOf(cur.stage) < PROJECT_STAGES.indexOf("accepted")) {
      throw new AppError("INVALID_TRANSITION", "项目竣工验收后才能登记资产");
    }
    await tx
      .insert(projectAssets)
      .values({ projectId: id, ...input })
      .onConflictDoUpdate({ target: projectAssets.projectId, set: { ...input } });
    // The project's entry changes with its asset (hasAsset; the asset register lists it): updatedSince
    // on /api/projects and /api/assets reads the project's time.
    await tx.update(projects).set({ updatedAt: new Date() }).where(eq(projects.id, id));
    await audit(tx, { actorId, action: "project.asset", subjectType: "project", subjectId: String(id) });
  });
}

export async function getProject(db: Db, id: number) {
  const [p] = await rows<Record<string, unknown>>(
    db,
    sql`SELECT p.*, p.funding_amount::text AS funding_amount_text, d.name AS district, t.name AS town, v.name AS village, c.name AS category
      FROM projects p JOIN districts d ON d.id = p.district_id LEFT JOIN towns t ON t.id = p.town_id
      LEFT JOIN villages v ON v.id = p.village_id JOIN categories c ON c.code = p.category_code WHERE p.id = ${id}`,
  );
  if (!p) throw notFound("没有这个项目");
  const [stages, assets, allocations, noticeRows] = await Promise.all([
    db
      .select()
      .from(projectStages)
      .where(eq(projectStages.projectId, id))
      .orderBy(asc(projectStages.happenedOn), asc(projectStages.id)),
    db.select().from(projectAssets).where(eq(projectAssets.projectId, id)),
    rows<Record<string, unknown>>(
      db,
      sql`SELECT a.id, a.year, a.level, a.fund_name, a.doc_number, a.amount::text AS amount, a.version, a.status
        FROM fund_allocations a WHERE a.project_id = ${id} ORDER BY a.year, a.id`,
    ),
    rows<Record<string, unknown>>(
      db,
      sql`SELECT id FROM notices WHERE project_id = ${id} AND status <> 'draft' ORDER BY period_start DESC, id DESC`,
    ),
  ]);
  const [sum] = await rows<{ sum: string }>(
    db,
    sql`SELECT coalesce(sum(amount), 0)::numeric(16,2)::text AS sum FROM fund_allocations WHERE project_id = ${id} AND status = 'active'`,
  );
  const stage = p.stage as ProjectStage;
  return {
    id: Number(p.id),
    name: p.name as string,
    year: Number(p.year),
    district: p.district as string,
    town: (p.town as string) ?? null,
    village: (p.village as string) ?? null,
    category: p.category as string,
    categoryCode: p.category_code as string,
    stage,
    stageLabel: PROJECT_STAGE_LABELS[stage],
    fields: {
      location: p.location as string,
      content: p.content as string,
      subsidyStandard: p.subsidy_standard as string,
      fundingSource: p.funding_source as string,
      fundingAmount: (p.funding_amount_text as string) ?? null,
      periodText: p.period_text as string,
      implementingUnit: p.implementing_unit as string,
      responsiblePerson: p.responsible_person as string,
      performanceTarget: p.performance_target as string,
      povertyMechanism: p.poverty_mechanism as string,
      supervisionPhone: p.supervision_phone as string,
    },
    stages: stages.map((s) => ({
      stage: s.stage,
      label: PROJECT_STAGE_LABELS[s.stage],
      happenedOn: s.happenedOn,
      note: s.note,
    })),
    asset: assets[0]
      ? {
          assetName: assets[0].assetName,
          assetValue: assets[0].assetValue,
          owner: assets[0].owner,
          manager: assets[0].manager,
          maintenance: assets[0].maintenance,
          registeredOn: assets[0].registeredOn,
        }
      : null,
    allocations: allocations.map((a) => ({
      id: Number(a.id),
      year: Number(a.year),
      level: a.level as string,
      fundName: a.fund_name as string,
      docNumber: a.doc_number as string,
      amount: a.amount as string,
      corrected: Number(a.version) > 1,
      withdrawn: a.status === "withdrawn",
    })),
    allocationSum: sum.sum,
    noticeIds: noticeRows.map((n) => Number(n.id)),
  };
}
export type ProjectDetail = Awaited<ReturnType<typeof getProject>>;
