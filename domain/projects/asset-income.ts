import { sql } from "drizzle-orm";
import { type Db, rows } from "../../db/client";
import { todayCn } from "../../lib/china-date";
import { AppError, conflict, notFound, validationFailed } from "../../lib/errors";
import { fromCents, toCents, yuan } from "../money/cents";
import { checkMoney, checkReason } from "../money/disbursements";
import { scrubPersonalText } from "../money/privacy";
import { moneyVersions, recordMoneyVersion } from "../money/versions";

// The yearly income (收益) of a completed project's asset and its distribution, as sums only: 分红到户,
// 村集体留存, 管护费用, 其他. One record per asset and year. Unlike an inspection (a new observation each
// time, never changed), a year's figures are one fact that gets corrected: so a correction rewrites the
// row and bumps its version, and — as for the rest of the money trail — the first figures and every
// correction stay public in money_versions with the reason. Each verb opens its own transaction and
// writes its audit row there (recordMoneyVersion). The distribution never adds up to more than the
// income (checked here with a clear message, and by the table's CHECK).

export const DISTRIBUTION_PURPOSES = ["toHouseholds", "toCollective", "toMaintenance", "toOther"] as const;
export type DistributionPurpose = (typeof DISTRIBUTION_PURPOSES)[number];
export const DISTRIBUTION_LABELS: Record<DistributionPurpose, string> = {
  toHouseholds: "分红到户",
  toCollective: "村集体留存",
  toMaintenance: "管护费用",
  toOther: "其他",
};

export type AssetIncomeFigures = { income: string } & Record<DistributionPurpose, string>;

export interface AssetIncomeInput extends Partial<Record<DistributionPurpose, string | null>> {
  year: number;
  income: string;
  note?: string | null;
}

export interface AssetIncome extends AssetIncomeFigures {
  year: number;
  distributed: string;
  undistributed: string;
  note: string;
  version: number;
  updatedAt: string;
}

const COLUMNS = {
  toHouseholds: "to_households",
  toCollective: "to_collective",
  toMaintenance: "to_maintenance",
  toOther: "to_other",
} as const;

function field(path: string, message: string) {
  return validationFailed(message, [{ path, message }]);
}

function checkYear(year: number): number {
  const latest = Number(todayCn().slice(0, 4));
  if (!Number.isInteger(year) || year < 2014 || year > latest) throw field("year", `年度应为 2014–${latest}`);
  return year;
}

/** Canonical figures, or a 400 naming the field; the distribution may not exceed the income. */
function checkFigures(input: Omit<AssetIncomeInput, "year">): AssetIncomeFigures & { note: string } {
  const income = checkMoney(String(input.income ?? ""), "income", true);
  const out = { income } as AssetIncomeFigures;
  let total = 0n;
  for (const k of DISTRIBUTION_PURPOSES) {
    const raw = input[k];
    out[k] = raw == null || String(raw).trim() === "" ? "0.00" : checkMoney(String(raw), k, true);
    total += toCents(out[k]);
  }
  if (total > toCents(income))
    throw field("distribution", `分配合计 ${yuan(total)}超过当年收益 ${yuan(income)}，请核对各项分配`);
  // Published as typed, minus any phone, bank card or ID number.
  const note = scrubPersonalText((input.note ?? "").trim());
  if (note.length > 500) throw field("note", "说明不超过 500 个字");
  return { ...out, note };
}

/** The project's asset id (locked), or 404 without the project / 409 before the asset is registered. */
async function assetOf(tx: Db, projectId: number): Promise<number> {
  const [a] = await rows<{ id: number }>(
    tx,
    sql`SELECT id FROM project_assets WHERE project_id = ${projectId} FOR UPDATE`,
  );
  if (a) return Number(a.id);
  const [p] = await rows<{ id: number }>(tx, sql`SELECT id FROM projects WHERE id = ${projectId}`);
  if (!p) throw notFound("没有这个项目");
  throw new AppError("INVALID_TRANSITION", "这个项目还没有登记资产，先登记资产再填报资产收益");
}

const snapshot = (year: number, v: AssetIncomeFigures & { note: string }) => ({
  year,
  income: v.income,
  ...Object.fromEntries(DISTRIBUTION_PURPOSES.map((k) => [k, v[k]])),
  note: v.note,
});

/** Record an asset's income for a year not yet recorded (audited); a recorded year is corrected instead (409). */
export async function recordAssetIncome(db: Db, projectId: number, input: AssetIncomeInput, actorId: number | null) {
  const year = checkYear(Number(input.year));
  const v = checkFigures(input);
  return db.transaction(async (tx) => {
    const assetId = await assetOf(tx, projectId);
    const [row] = await rows<{ id: number }>(
      tx,
      sql`INSERT INTO asset_income (asset_id, year, income, to_households, to_collective, to_maintenance, to_other, note, created_by, updated_by)
          VALUES (${assetId}, ${year}, ${v.income}, ${v.toHouseholds}, ${v.toCollective}, ${v.toMaintenance}, ${v.toOther}, ${v.note}, ${actorId}, ${actorId})
          ON CONFLICT (asset_id, year) DO NOTHING RETURNING id`,
    );
    if (!row) throw conflict(`${year} 年的资产收益已经填报，如有错误请更正`);
    const id = Number(row.id);
    await recordMoneyVersion(
      tx,
      "asset_income",
      id,
      { version: 1, kind: "original", snapshot: snapshot(year, v), actorId },
      { projectId },
    );
    return id;
  });
}

/** Correct a recorded year: new figures, a public reason, the next version (audited). */
export async function correctAssetIncome(
  db: Db,
  projectId: number,
  year: number,
  input: Omit<AssetIncomeInput, "year"> & { reason: string },
  actorId: number | null,
) {
  const why = checkReason(input.reason);
  const v = checkFigures(input);
  return db.transaction(async (tx) => {
    const assetId = await assetOf(tx, projectId);
    const [row] = await rows<{ id: number; version: number }>(
      tx,
      sql`UPDATE asset_income SET income = ${v.income}, to_households = ${v.toHouseholds}, to_collective = ${v.toCollective},
            to_maintenance = ${v.toMaintenance}, to_other = ${v.toOther}, note = ${v.note}, version = version + 1,
            updated_by = ${actorId}, updated_at = now()
          WHERE asset_id = ${assetId} AND year = ${year} RETURNING id, version`,
    );
    if (!row) throw notFound(`${year} 年还没有填报资产收益`);
    await recordMoneyVersion(
      tx,
      "asset_income",
      Number(row.id),
      { version: Number(row.version), kind: "correction", snapshot: snapshot(year, v), reason: why, actorId },
      { projectId },
    );
    return Number(row.id);
  });
}

type Raw = {
  project_id: number;
  id: number;
  year: number;
  income: string;
  to_households: string;
  to_collective: string;
  to_maintenance: string;
  to_other: string;
  note: string;
  version: number;
  updated_at: string;
};

function toIncome(r: Raw): AssetIncome {
  const figures = { income: r.income } as AssetIncomeFigures;
  let total = 0n;
  for (const k of DISTRIBUTION_PURPOSES) {
    figures[k] = r[COLUMNS[k]];
    total += toCents(figures[k]);
  }
  return {
    year: Number(r.year),
    ...figures,
    distributed: fromCents(total),
    undistributed: fromCents(toCents(r.income) - total),
    note: r.note,
    version: Number(r.version),
    updatedAt: r.updated_at,
  };
}

async function incomeRows(db: Db, projectIds: number[]): Promise<Raw[]> {
  if (projectIds.length === 0) return [];
  return rows<Raw>(
    db,
    sql`SELECT x.project_id, i.id, i.year, i.income::text AS income, i.to_households::text AS to_households,
          i.to_collective::text AS to_collective, i.to_maintenance::text AS to_maintenance, i.to_other::text AS to_other,
          i.note, i.version, to_char(i.updated_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI') AS updated_at
        FROM asset_income i JOIN project_assets x ON x.id = i.asset_id
        WHERE x.project_id IN (${sql.join(
          projectIds.map((id) => sql`${id}`),
          sql`, `,
        )}) ORDER BY i.year DESC`,
  );
}

/** A project asset's income per year, newest year first. */
export async function assetIncomeOf(db: Db, projectId: number): Promise<AssetIncome[]> {
  return (await incomeRows(db, [projectId])).map(toIncome);
}

/** The income per year of several projects' assets (one query, for the asset register). */
export async function assetIncomeOfProjects(db: Db, projectIds: number[]): Promise<Map<number, AssetIncome[]>> {
  const out = new Map<number, AssetIncome[]>();
  for (const r of await incomeRows(db, projectIds)) {
    const list = out.get(Number(r.project_id)) ?? [];
    list.push(toIncome(r));
    out.set(Number(r.project_id), list);
  }
  return out;
}

/** Every public version of one year's figures, newest first (404 when the year is not recorded). */
export async function assetIncomeVersions(db: Db, projectId: number, year: number) {
  const [r] = await rows<{ id: number }>(
    db,
    sql`SELECT i.id FROM asset_income i JOIN project_assets x ON x.id = i.asset_id
        WHERE x.project_id = ${projectId} AND i.year = ${year}`,
  );
  if (!r) throw notFound(`${year} 年还没有填报资产收益`);
  return moneyVersions(db, "asset_income", Number(r.id));
}
