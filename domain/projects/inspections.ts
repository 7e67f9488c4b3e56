import { sql } from "drizzle-orm";
import { type Db, rows } from "../../db/client";
import { AppError, notFound, validationFailed } from "../../lib/errors";
import { appendAudit } from "../audit/audit-log";
import { scrubPersonalText } from "../money/privacy";

// 管护 inspections of a completed project's asset: the date, the inspecting unit or post, the asset's
// condition and what was found. Public on the project page; each one audited in its transaction. A
// project needs its asset registered first.

export const CONDITIONS = ["good", "repair", "idle"] as const;
export type Condition = (typeof CONDITIONS)[number];
export const CONDITION_LABELS: Record<Condition, string> = { good: "运行良好", repair: "需要维修", idle: "闲置" };

export interface InspectionInput {
  inspectedOn: string;
  inspector: string;
  condition: Condition;
  findings?: string;
}

export interface Inspection {
  id: number;
  inspectedOn: string;
  inspector: string;
  condition: Condition;
  conditionLabel: string;
  findings: string;
}

function field(path: string, message: string) {
  return validationFailed(message, [{ path, message }]);
}

/** Record one inspection (audited). */
export async function recordInspection(db: Db, projectId: number, input: InspectionInput, actorId: number | null) {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(input.inspectedOn) || Number.isNaN(Date.parse(`${input.inspectedOn}T00:00:00Z`)))
    throw field("inspectedOn", "日期格式应为 YYYY-MM-DD");
  const inspector = (input.inspector ?? "").trim();
  if (!inspector) throw field("inspector", "请填写巡查单位或人员岗位");
  if (inspector.length > 100) throw field("inspector", "巡查单位不超过 100 个字");
  if (!CONDITIONS.includes(input.condition)) throw field("condition", "请选择资产状况");
  // Published as typed, minus any phone, bank card or ID number.
  const findings = scrubPersonalText((input.findings ?? "").trim()).slice(0, 2000);
  return db.transaction(async (tx) => {
    const [a] = await rows<{ id: number }>(tx, sql`SELECT id FROM project_assets WHERE project_id = ${projectId}`);
    if (!a) {
      const [p] = await rows<{ id: number }>(tx, sql`SELECT id FROM projects WHERE id = ${projectId}`);
      if (!p) throw notFound("没有这个项目");
      throw new AppError("INVALID_TRANSITION", "这个项目还没有登记资产，先登记资产再记录管护巡查");
    }
    const [{ id }] = await rows<{ id: number }>(
      tx,
      sql`INSERT INTO asset_inspections (project_id, inspected_on, inspector, condition, findings, created_by)
          VALUES (${projectId}, ${input.inspectedOn}, ${inspector}, ${input.condition}, ${findings}, ${actorId}) RETURNING id`,
    );
    await appendAudit(tx, {
      actorId,
      action: "project.inspection",
      subjectType: "project",
      subjectId: String(projectId),
      details: { inspectionId: Number(id), condition: input.condition },
    });
    return Number(id);
  });
}

/** A project's inspections, newest first. */
export async function inspectionsOf(db: Db, projectId: number): Promise<Inspection[]> {
  const list = await rows<{
    id: number;
    inspected_on: string;
    inspector: string;
    condition: Condition;
    findings: string;
  }>(
    db,
    sql`SELECT id, inspected_on::text AS inspected_on, inspector, condition, findings FROM asset_inspections
        WHERE project_id = ${projectId} ORDER BY inspected_on DESC, id DESC`,
  );
  return list.map((r) => ({
    id: Number(r.id),
    inspectedOn: r.inspected_on,
    inspector: r.inspector,
    condition: r.condition,
    conditionLabel: CONDITION_LABELS[r.condition],
    findings: r.findings,
  }));
}
