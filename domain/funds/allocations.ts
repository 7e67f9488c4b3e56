import { eq, type SQL, sql } from "drizzle-orm";
import { type Db, rows } from "../../db/client";
import { type FundLevel, fundAllocations as fa, fundAllocationVersions, projects } from "../../db/schema";
import { AppError, notFound, validationFailed } from "../../lib/errors";
import { syncSearch } from "../../search/sync";
import { appendPendingMany, FUND_VERSION_ENTRY, recordVersionEntry } from "../transparency/entries";
import { audit } from "./audit";
import { type FundFilters, fundWhere, rollupEligible, rollupWhere } from "./filters";
import { FUND_LEVEL_LABELS, MAX_YEAR, MIN_YEAR } from "./labels";
import { MONEY_PROBLEM_TEXT, parseMoney } from "./money";

export const FUND_SORTS = ["-published", "published", "-amount", "amount", "-year", "year"] as const;
export type FundSort = (typeof FUND_SORTS)[number];

const SORT_COLUMN: Record<string, { col: string; cast: string }> = {
  published: { col: "published_on", cast: "date" },
  amount: { col: "amount", cast: "numeric" },
  year: { col: "year", cast: "integer" },
};

/** What every version of an allocation states, as the public sees it. */
export interface AllocationFacts {
  year: number;
  level: FundLevel;
  levelLabel: string;
  fundName: string;
  docNumber: string;
  district: string;
  town: string | null;
  village: string | null;
  category: string;
  amount: string;
  purpose: string;
  publishedOn: string;
}

export interface AllocationItem extends AllocationFacts {
  id: number;
  projectId: number | null;
  project: string | null;
  categoryCode: string;
  status: "active" | "withdrawn";
  version: number;
  corrected: boolean;
}

const ITEM_COLUMNS = sql`fund_allocations.id, fund_allocations.year, fund_allocations.level, fund_allocations.fund_name,
  fund_allocations.doc_number, d.name AS district, t.name AS town, v.name AS village, fund_allocations.project_id,
  p.name AS project, fund_allocations.category_code, c.name AS category, fund_allocations.amount::text AS amount,
  fund_allocations.purpose, fund_allocations.published_on::text AS published_on, fund_allocations.status,
  fund_allocations.version`;
const ITEM_JOINS = sql`JOIN districts d ON d.id = fund_allocations.district_id
  LEFT JOIN towns t ON t.id = fund_allocations.town_id
  LEFT JOIN villages v ON v.id = fund_allocations.village_id
  LEFT JOIN projects p ON p.id = fund_allocations.project_id
  JOIN categories c ON c.code = fund_allocations.category_code`;

type RawItem = {
  id: number;
  year: number;
  level: FundLevel;
  fund_name: string;
  doc_number: string;
  district: string;
  town: string | null;
  village: string | null;
  project_id: number | null;
  project: string | null;
  category_code: string;
  category: string;
  amount: string;
  purpose: string;
  published_on: string;
  status: "active" | "withdrawn";
  version: number;
};

function toItem(r: RawItem): AllocationItem {
  return {
    id: Number(r.id),
    year: Number(r.year),
    level: r.level,
    levelLabel: FUND_LEVEL_LABELS[r.level],
    fundName: r.fund_name,
    docNumber: r.doc_number,
    district: r.district,
    town: r.town,
    village: r.village,
    projectId: r.project_id == null ? null : Number(r.project_id),
    project: r.project,
    categoryCode: r.category_code,
    category: r.category,
    amount: r.amount,
    purpose: r.purpose,
    publishedOn: r.published_on,
    status: r.status,
    version: Number(r.version),
    corrected: Number(r.version) > 1,
  };
}

function orderBy(sort: FundSort): SQL {
  const desc = sort.startsWith("-");
  const { col } = SORT_COLUMN[sort.replace(/^-/, "")];
  const dir = sql.raw(desc ? "DESC" : "ASC");
  return sql`ORDER BY ${sql.raw(`fund_allocations.${col}`)} ${dir}, fund_allocations.id ${dir}`;
}

/** One page of allocations, the number of matching rows and the sum of the active ones (in SQL). */
export async function listAllocations(
  db: Db,
  f: FundFilters,
  opts: { page: number; pageSize: number; sort: FundSort },
): Promise<{ items: AllocationItem[]; total: number; sum: string; page: number; pageSize: number }> {
  const where = fundWhere(f);
  const [totals, page] = await Promise.all([
    rows<{ total: number; sum: string }>(
      db,
      rollupEligible(f)
        ? sql`SELECT coalesce(sum(n), 0)::int AS total, coalesce(sum(total), 0)::numeric(16,2)::text AS sum FROM fund_rollup WHERE ${rollupWhere(f)}`
        : sql`SELECT count(*)::int AS total,
              coalesce(sum(amount) FILTER (WHERE status = 'active'), 0)::numeric(16,2)::text AS sum
            FROM fund_allocations WHERE ${where}`,
    ),
    rows<RawItem>(
      db,
      sql`SELECT ${ITEM_COLUMNS} FROM fund_allocations ${ITEM_JOINS} WHERE ${where} ${orderBy(opts.sort)}
        LIMIT ${opts.pageSize} OFFSET ${(opts.page - 1) * opts.pageSize}`,
    ),
  ]);
  return {
    items: page.map(toItem),
    total: Number(totals[0].total),
    sum: totals[0].sum,
    page: opts.page,
    pageSize: opts.pageSize,
  };
}

export const GROUP_BYS = ["district", "town", "village", "year", "level", "category"] as const;
export type GroupBy = (typeof GROUP_BYS)[number];

export interface SummaryRow {
  key: string;
  /** district/town/village id, year, level code or category code: what a drill-down link filters by. */
  value: string | null;
  count: number;
  sum: string;
}

/** Totals grouped by one dimension, aggregated first and named afterwards (so indexes do the work). */
export async function summarizeAllocations(db: Db, f: FundFilters, groupBy: GroupBy): Promise<SummaryRow[]> {
  const where = fundWhere(f);
  // From the rollup when the filters allow it (not for villages or keywords), else from the rows.
  const useRollup = groupBy !== "village" && rollupEligible(f);
  const agg = (col: string) =>
    useRollup
      ? sql`SELECT ${sql.raw(col)} AS g, sum(n)::int AS count, sum(total) AS sum FROM fund_rollup WHERE ${rollupWhere(f)} GROUP BY 1`
      : sql`SELECT ${sql.raw(col)} AS g, count(*)::int AS count, sum(amount) AS sum FROM fund_allocations WHERE ${where} GROUP BY 1`;
  let q: SQL;
  switch (groupBy) {
    case "district":
      q = sql`SELECT d.name AS key, d.name AS value, a.count, a.sum::numeric(16,2)::text AS sum
        FROM (${agg("district_id")}) a JOIN districts d ON d.id = a.g ORDER BY d.sort, d.id`;
      break;
    case "town":
      q = sql`SELECT coalesce(t.name, '（区县本级）') AS key, t.name AS value, a.count, a.sum::numeric(16,2)::text AS sum
        FROM (${agg(useRollup ? "nullif(town_id, 0)" : "town_id")}) a LEFT JOIN towns t ON t.id = a.g ORDER BY t.id NULLS FIRST`;
      break;
    case "village":
      q = sql`SELECT coalesce(v.name, '（镇办本级）') AS key, v.name AS value, a.count, a.sum::numeric(16,2)::text AS sum
        FROM (${agg("village_id")}) a LEFT JOIN villages v ON v.id = a.g ORDER BY v.id NULLS FIRST`;
      break;
    case "year":
      q = sql`SELECT a.g::text AS key, a.g::text AS value, a.count, a.sum::numeric(16,2)::text AS sum
        FROM (${agg("year")}) a ORDER BY a.g`;
      break;
    case "level":
      q = sql`SELECT a.g AS key, a.g AS value, a.count, a.sum::numeric(16,2)::text AS sum
        FROM (${agg("level")}) a ORDER BY array_position(ARRAY['central','provincial','city','county'], a.g)`;
      break;
    case "category":
      q = sql`SELECT c.name AS key, c.code AS value, a.count, a.sum::numeric(16,2)::text AS sum
        FROM (${agg("category_code")}) a JOIN categories c ON c.code = a.g ORDER BY c.sort`;
      break;
  }
  const result = await rows<SummaryRow>(db, q);
  return result.map((r) => ({
    key: groupBy === "level" ? FUND_LEVEL_LABELS[r.key as FundLevel] : r.key,
    value: r.value,
    count: Number(r.count),
    sum: r.sum,
  }));
}

/** Every matching allocation in the given order, in batches (keyset pagination: constant memory). */
export async function* exportAllocations(
  db: Db,
  f: FundFilters,
  sort: FundSort,
  batchSize = 2000,
): AsyncGenerator<AllocationItem[]> {
  const where = fundWhere(f);
  const desc = sort.startsWith("-");
  const { col, cast } = SORT_COLUMN[sort.replace(/^-/, "")];
  const colRef = sql.raw(`fund_allocations.${col}`);
  let last: { key: string; id: number } | null = null;
  for (;;) {
    const after: SQL = last
      ? desc
        ? sql`AND (${colRef}, fund_allocations.id) < (${last.key}::${sql.raw(cast)}, ${last.id})`
        : sql`AND (${colRef}, fund_allocations.id) > (${last.key}::${sql.raw(cast)}, ${last.id})`
      : sql``;
    const batch = await rows<RawItem & { sort_key: string }>(
      db,
      sql`SELECT ${ITEM_COLUMNS}, ${colRef}::text AS sort_key FROM fund_allocations ${ITEM_JOINS}
        WHERE ${where} ${after} ${orderBy(sort)} LIMIT ${batchSize}`,
    );
    if (batch.length === 0) return;
    const tail = batch[batch.length - 1];
    last = { key: tail.sort_key, id: Number(tail.id) };
    yield batch.map(toItem);
    if (batch.length < batchSize) return;
  }
}

export interface AllocationVersion extends AllocationFacts {
  version: number;
  kind: "original" | "correction" | "withdrawal";
  reason: string | null;
  createdAt: string;
}

/** One allocation with all its versions, newest first. Withdrawn ones are shown too (marked). */
export async function getAllocation(db: Db, id: number) {
  const [row] = await rows<RawItem>(
    db,
    sql`SELECT ${ITEM_COLUMNS} FROM fund_allocations ${ITEM_JOINS} WHERE fund_allocations.id = ${id}`,
  );
  if (!row) throw notFound("没有这条资金分配记录");
  const versions = await allocationVersions(db, [id]);
  return { ...toItem(row), versions: versions.map((v) => v.version) };
}

/**
 * Public versions of allocations (newest first per allocation), as GET /api/funds/{id} shows them; with
 * `latestOnly`, each allocation's newest version alone. `at` is the exact time the version was stored.
 */
export async function allocationVersions(
  db: Db,
  ids: number[],
  latestOnly = false,
): Promise<{ allocationId: number; at: Date; version: AllocationVersion }[]> {
  if (ids.length === 0) return [];
  const versions = await rows<Record<string, unknown>>(
    db,
    sql`SELECT fv.allocation_id, fv.created_at AS at, fv.version, fv.kind, fv.year, fv.level, fv.fund_name, fv.doc_number,
        d.name AS district, t.name AS town,
        vi.name AS village, c.name AS category, fv.amount::text AS amount, fv.purpose, fv.published_on::text AS published_on,
        fv.reason, to_char(fv.created_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI') AS created_at
      FROM fund_allocation_versions fv
      JOIN districts d ON d.id = fv.district_id
      LEFT JOIN towns t ON t.id = fv.town_id
      LEFT JOIN villages vi ON vi.id = fv.village_id
      JOIN categories c ON c.code = fv.category_code
      WHERE fv.allocation_id IN (SELECT value::int FROM jsonb_array_elements_text(${JSON.stringify(ids)}::jsonb))
        AND (NOT ${latestOnly} OR fv.version = (SELECT max(version) FROM fund_allocation_versions m WHERE m.allocation_id = fv.allocation_id))
      ORDER BY fv.allocation_id, fv.version DESC`,
  );
  return versions.map((v) => ({
    allocationId: Number(v.allocation_id),
    at: new Date(v.at as string | Date),
    version: {
      version: Number(v.version),
      kind: v.kind as AllocationVersion["kind"],
      year: Number(v.year),
      level: v.level as FundLevel,
      levelLabel: FUND_LEVEL_LABELS[v.level as FundLevel],
      fundName: v.fund_name as string,
      docNumber: v.doc_number as string,
      district: v.district as string,
      town: (v.town as string) ?? null,
      village: (v.village as string) ?? null,
      category: v.category as string,
      amount: v.amount as string,
      purpose: v.purpose as string,
      publishedOn: v.published_on as string,
      reason: (v.reason as string) ?? null,
      createdAt: v.created_at as string,
    },
  }));
}

/** Each allocation's newest version into the public transparency log (in the caller's transaction). */
async function logLatestVersions(tx: Db, ids: number[]) {
  const versions = await allocationVersions(tx, ids, true);
  await appendPendingMany(
    tx,
    versions.map((v) => ({
      entry: recordVersionEntry(FUND_VERSION_ENTRY, String(v.allocationId), v.version.version, v.at, v.version),
      ref: `${FUND_VERSION_ENTRY}:${v.allocationId}`,
    })),
  );
}
export type AllocationDetail = Awaited<ReturnType<typeof getAllocation>>;

/** A validated allocation, ready to insert (ids resolved, amount canonical). */
export interface AllocationValues {
  year: number;
  level: FundLevel;
  fundName: string;
  docNumber: string;
  districtId: number;
  townId: number | null;
  villageId: number | null;
  projectId: number | null;
  categoryCode: string;
  amount: string;
  purpose: string;
  publishedOn: string;
}

export function checkYear(year: number, field = "year") {
  if (!Number.isInteger(year) || year < MIN_YEAR || year > MAX_YEAR) {
    throw validationFailed(`年度应为 ${MIN_YEAR}–${MAX_YEAR} 之间的年份`, [
      { path: field, message: `年度应为 ${MIN_YEAR}–${MAX_YEAR} 之间的年份` },
    ]);
  }
}

export function checkAmount(amount: string, field = "amount"): string {
  const m = parseMoney(amount);
  if (!m.ok)
    throw validationFailed(MONEY_PROBLEM_TEXT[m.problem], [{ path: field, message: MONEY_PROBLEM_TEXT[m.problem] }]);
  return m.value;
}

/** Insert allocations with their first version (in the caller's transaction); returns the ids. */
export async function insertAllocations(
  tx: Db,
  values: AllocationValues[],
  opts: { actorId: number | null; batchId?: number | null; isDemo?: boolean },
): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 0; i < values.length; i += 500) {
    const chunk = values.slice(i, i + 500);
    const inserted = await tx
      .insert(fa)
      .values(chunk.map((v) => ({ ...v, batchId: opts.batchId ?? null, isDemo: opts.isDemo ?? false })))
      .returning({ id: fa.id });
    await tx.insert(fundAllocationVersions).values(
      chunk.map((v, j) => ({
        ...v,
        allocationId: inserted[j].id,
        version: 1,
        kind: "original" as const,
        createdBy: opts.actorId,
      })),
    );
    ids.push(...inserted.map((r) => r.id));
    await logLatestVersions(
      tx,
      inserted.map((r) => r.id),
    );
  }
  await syncSearch(tx, "allocation", ids);
  return ids;
}

export async function createAllocation(db: Db, values: AllocationValues, actorId: number | null) {
  return db.transaction(async (tx) => {
    await checkProject(tx, values.projectId);
    const [id] = await insertAllocations(tx, [values], { actorId });
    await audit(tx, {
      actorId,
      action: "fund.create",
      subjectType: "allocation",
      subjectId: String(id),
      details: { amount: values.amount },
    });
    return id;
  });
}

async function checkProject(tx: Db, projectId: number | null) {
  if (projectId == null) return;
  const [p] = await tx.select({ id: projects.id }).from(projects).where(eq(projects.id, projectId));
  if (!p) throw validationFailed("没有这个项目", [{ path: "projectId", message: "没有这个项目" }]);
}

async function lockCurrent(tx: Db, id: number) {
  const [cur] = await tx.select().from(fa).where(eq(fa.id, id)).for("update");
  if (!cur) throw notFound("没有这条资金分配记录");
  if (cur.status === "withdrawn") throw new AppError("CONFLICT", "这条记录已撤回，不能再更正");
  return cur;
}

/** A correction: a new version with a reason; the earlier versions stay public. */
export async function correctAllocation(
  db: Db,
  id: number,
  patch: Partial<AllocationValues>,
  reason: string,
  actorId: number | null,
) {
  return db.transaction(async (tx) => {
    const cur = await lockCurrent(tx, id);
    const next: AllocationValues = {
      year: patch.year ?? cur.year,
      level: patch.level ?? cur.level,
      fundName: patch.fundName ?? cur.fundName,
      docNumber: patch.docNumber ?? cur.docNumber,
      districtId: patch.districtId ?? cur.districtId,
      townId: patch.townId !== undefined ? patch.townId : cur.townId,
      villageId: patch.villageId !== undefined ? patch.villageId : cur.villageId,
      projectId: patch.projectId !== undefined ? patch.projectId : cur.projectId,
      categoryCode: patch.categoryCode ?? cur.categoryCode,
      amount: patch.amount ?? cur.amount,
      purpose: patch.purpose ?? cur.purpose,
      publishedOn: patch.publishedOn ?? cur.publishedOn,
    };
    await checkProject(tx, next.projectId);
    const version = cur.version + 1;
    await tx
      .update(fa)
      .set({ ...next, version, updatedAt: new Date() })
      .where(eq(fa.id, id));
    await recordVersion(
      tx,
      id,
      next,
      { version, kind: "correction", reason, actorId },
      {
        from: cur.amount,
        to: next.amount,
      },
    );
    return version;
  });
}

/** Withdrawal (撤回): a visible version with the reason; the allocation leaves the totals. */
export async function withdrawAllocation(db: Db, id: number, reason: string, actorId: number | null) {
  return db.transaction(async (tx) => {
    const cur = await lockCurrent(tx, id);
    const version = cur.version + 1;
    await tx.update(fa).set({ status: "withdrawn", version, updatedAt: new Date() }).where(eq(fa.id, id));
    const { id: _id, status: _s, version: _v, batchId: _b, isDemo: _d, createdAt: _c, updatedAt: _u, ...values } = cur;
    await recordVersion(tx, id, values, { version, kind: "withdrawal", reason, actorId });
    return version;
  });
}

/** A correction's or withdrawal's public version row, the search index and the audit record. */
async function recordVersion(
  tx: Db,
  id: number,
  values: Omit<
    typeof fundAllocationVersions.$inferInsert,
    "allocationId" | "version" | "kind" | "reason" | "createdBy"
  >,
  v: { version: number; kind: "correction" | "withdrawal"; reason: string; actorId: number | null },
  details: Record<string, unknown> = {},
) {
  await tx
    .insert(fundAllocationVersions)
    .values({ ...values, allocationId: id, version: v.version, kind: v.kind, reason: v.reason, createdBy: v.actorId });
  await logLatestVersions(tx, [id]);
  await syncSearch(tx, "allocation", [id]);
  await audit(tx, {
    actorId: v.actorId,
    action: v.kind === "correction" ? "fund.correct" : "fund.withdraw",
    subjectType: "allocation",
    subjectId: String(id),
    details: { version: v.version, reason: v.reason, ...details },
  });
}
