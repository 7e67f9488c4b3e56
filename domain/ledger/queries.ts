import { and, asc, desc, eq, or, type SQL, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import { type Db, rows } from "../../db/client";
import {
  categories,
  districts,
  ledgerEntries,
  ledgerEvents,
  ledgerEvidence,
  tickets,
  units,
  users,
} from "../../db/schema";
import { AppError } from "../../lib/errors";
import { ticketScope } from "../access/ticket-scope";
import type { StaffPrincipal } from "../auth/principal";
import {
  LEVEL_LABELS,
  type LedgerDetail,
  type LedgerEntry,
  type LedgerFilters,
  type LedgerSource,
  type LedgerStatus,
  type LedgerSummaryRow,
  mayAddEvidence,
  mayViewLedger,
  OVERSEERS,
  supervises,
  type UnitLevel,
  type UnitRef,
} from "./rules";

// Reading the ledger: one entry, the lists and summary a person may see, the units they may choose.

const creator = alias(users, "creator");
const signer = alias(users, "signer");
const today = sql`(now() AT TIME ZONE 'Asia/Shanghai')::date`;
const isOverdue = sql<boolean>`(${ledgerEntries.status} <> 'signed_off' AND ${ledgerEntries.deadline} < ${today})`;

const iso = (v: Date | string) => new Date(v).toISOString();

/** The ledger rows `staff` may see. */
function ledgerScope(staff: StaffPrincipal): SQL {
  if (staff.role === "admin") return sql`true`;
  if (OVERSEERS.has(staff.role)) {
    if (staff.unitLevel === "city") return sql`true`;
    if (staff.districtId == null) return sql`false`;
    return sql`(${ledgerEntries.districtId} = ${staff.districtId} OR ${ledgerEntries.responsibleUnitId} = ${staff.unitId})`;
  }
  if (staff.role === "handler") return sql`${ledgerEntries.responsibleUnitId} = ${staff.unitId}`;
  return sql`false`;
}

function filterSql(f: LedgerFilters): SQL {
  const parts: SQL[] = [];
  if (f.status) parts.push(sql`${ledgerEntries.status} = ${f.status}`);
  if (f.level) parts.push(sql`${ledgerEntries.level} = ${f.level}`);
  if (f.source) parts.push(sql`${ledgerEntries.source} = ${f.source}`);
  if (f.unit) parts.push(sql`${units.code} = ${f.unit}`);
  if (f.district) parts.push(sql`${districts.code} = ${f.district}`);
  if (f.q2) {
    const from = `${f.q2}-04-01`;
    const to = `${f.q2}-06-30`;
    parts.push(sql`((${ledgerEntries.deadline} BETWEEN ${from}::date AND ${to}::date)
      OR ((${ledgerEntries.signedOffAt} AT TIME ZONE 'Asia/Shanghai')::date BETWEEN ${from}::date AND ${to}::date))`);
  }
  if (f.overdue) parts.push(isOverdue);
  return parts.length ? sql.join(parts, sql` AND `) : sql`true`;
}

/** Entries with their unit, ticket, district, category and people, as LedgerEntry. */
function selectEntries(db: Db) {
  return db
    .select({
      e: ledgerEntries,
      ticketNumber: tickets.number,
      unit: { id: units.id, code: units.code, name: units.name, level: units.level, districtId: units.districtId },
      districtName: districts.name,
      categoryName: categories.name,
      createdBy: creator.displayName,
      signedOffBy: signer.displayName,
      overdue: isOverdue,
    })
    .from(ledgerEntries)
    .innerJoin(units, eq(units.id, ledgerEntries.responsibleUnitId))
    .leftJoin(tickets, eq(tickets.id, ledgerEntries.ticketId))
    .leftJoin(districts, eq(districts.id, ledgerEntries.districtId))
    .leftJoin(categories, eq(categories.code, ledgerEntries.categoryCode))
    .leftJoin(creator, eq(creator.id, ledgerEntries.createdBy))
    .leftJoin(signer, eq(signer.id, ledgerEntries.signedOffBy));
}

type EntryRow = Awaited<ReturnType<ReturnType<typeof selectEntries>["execute"]>>[number];

function toEntry(r: EntryRow): LedgerEntry {
  const e = r.e;
  return {
    id: e.id,
    number: e.number,
    source: e.source as LedgerSource,
    ticketId: e.ticketId,
    ticketNumber: r.ticketNumber,
    responsibleUnit: { ...r.unit, level: r.unit.level as UnitLevel },
    level: e.level,
    districtId: e.districtId,
    districtName: r.districtName,
    categoryCode: e.categoryCode,
    categoryName: r.categoryName,
    title: e.title,
    description: e.description,
    measures: e.measures,
    deadline: String(e.deadline).slice(0, 10),
    status: e.status as LedgerStatus,
    overdue: Boolean(r.overdue),
    createdBy: r.createdBy,
    signedOffBy: r.signedOffBy,
    signedOffAt: e.signedOffAt ? iso(e.signedOffAt) : null,
    signOffNote: e.signOffNote,
    reopenedCount: e.reopenedCount,
    createdAt: iso(e.createdAt),
    updatedAt: iso(e.updatedAt),
  };
}

/** One entry (404 when there is none); `lock` takes its row lock for a change. */
export async function loadEntry(db: Db, id: number, lock = false): Promise<LedgerEntry> {
  if (lock) await db.select({ id: ledgerEntries.id }).from(ledgerEntries).where(eq(ledgerEntries.id, id)).for("update");
  const [r] = await selectEntries(db).where(eq(ledgerEntries.id, id));
  if (!r) throw new AppError("NOT_FOUND", "没有这条台账记录");
  return toEntry(r);
}

/** A ticket `staff` can see, by number; with its status, unit, district and category. */
export async function visibleTicket(db: Db, staff: StaffPrincipal, number: string) {
  // The access condition is written against the alias t (access/ticket-scope.ts).
  const scope = await ticketScope(db, staff);
  const [t] = await rows<
    Pick<typeof tickets.$inferSelect, "id" | "number" | "status" | "title" | "districtId" | "categoryCode"> & {
      routedUnitId: number;
    }
  >(
    db,
    sql`SELECT t.id, t.number, t.status, t.title, t.routed_unit_id AS "routedUnitId", t.district_id AS "districtId",
          t.category_code AS "categoryCode"
        FROM tickets t WHERE t.number = ${number} AND ${scope}`,
  );
  return t as typeof t | undefined;
}

const unitColumns = {
  id: units.id,
  code: units.code,
  name: units.name,
  level: units.level,
  districtId: units.districtId,
};
const toUnit = (u: { id: number; code: string; name: string; level: string; districtId: number | null }): UnitRef => ({
  ...u,
  level: u.level as UnitLevel,
});

export async function unitByCode(db: Db, code: string): Promise<UnitRef | undefined> {
  const [u] = await db
    .select(unitColumns)
    .from(units)
    .where(or(eq(units.code, code), eq(units.name, code)))
    .limit(1);
  return u && toUnit(u);
}

export async function unitById(db: Db, id: number): Promise<UnitRef> {
  const [u] = await db.select(unitColumns).from(units).where(eq(units.id, id));
  return toUnit(u);
}

/** Signed-off entries a new ticket may show back (same unit or same district and category). */
export async function entriesForRecurrence(db: Db, staff: StaffPrincipal, ticketNumber: string) {
  const ticket = await visibleTicket(db, staff, ticketNumber);
  if (!ticket) throw new AppError("NOT_FOUND", "没有这个工单，或您无权查看");
  const found = await selectEntries(db)
    .where(
      and(
        eq(ledgerEntries.status, "signed_off"),
        ledgerScope(staff),
        or(
          eq(ledgerEntries.responsibleUnitId, ticket.routedUnitId),
          and(eq(ledgerEntries.districtId, ticket.districtId), eq(ledgerEntries.categoryCode, ticket.categoryCode)),
        ),
      ),
    )
    .orderBy(desc(ledgerEntries.signedOffAt))
    .limit(20);
  return found.map(toEntry);
}

export async function entryDetail(db: Db, staff: StaffPrincipal, id: number): Promise<LedgerDetail> {
  if (!mayViewLedger(staff)) throw new AppError("FORBIDDEN", "当前角色不能查看问题台账");
  const [visible] = await selectEntries(db).where(and(eq(ledgerEntries.id, id), ledgerScope(staff)));
  if (!visible) throw new AppError("NOT_FOUND", "没有这条台账记录，或您无权查看");
  const entry = toEntry(visible);
  const evidence = await db
    .select({ v: ledgerEvidence, addedBy: users.displayName, unitName: units.name })
    .from(ledgerEvidence)
    .leftJoin(users, eq(users.id, ledgerEvidence.addedBy))
    .leftJoin(units, eq(units.id, ledgerEvidence.unitId))
    .where(eq(ledgerEvidence.entryId, id))
    .orderBy(asc(ledgerEvidence.id));
  const events = await db
    .select({ v: ledgerEvents, actor: users.displayName, ticketNumber: tickets.number })
    .from(ledgerEvents)
    .leftJoin(users, eq(users.id, ledgerEvents.actorId))
    .leftJoin(tickets, eq(tickets.id, ledgerEvents.ticketId))
    .where(eq(ledgerEvents.entryId, id))
    .orderBy(asc(ledgerEvents.id));
  return {
    entry,
    evidence: evidence.map(({ v, addedBy, unitName }) => ({
      id: v.id,
      body: v.body,
      attachments: typeof v.attachments === "string" ? JSON.parse(v.attachments) : (v.attachments ?? []),
      addedBy,
      unitName,
      round: v.round,
      current: v.round === entry.reopenedCount,
      createdAt: iso(v.createdAt),
    })),
    events: events.map(({ v, actor, ticketNumber }) => ({
      id: v.id,
      action: v.action,
      fromStatus: v.fromStatus,
      toStatus: v.toStatus,
      actor,
      ticketNumber,
      note: v.note,
      createdAt: iso(v.createdAt),
    })),
    can: {
      addEvidence: mayAddEvidence(staff, entry.responsibleUnit, entry.status),
      signOff: supervises(staff, entry.responsibleUnit) && entry.status !== "signed_off",
      reopen: supervises(staff, entry.responsibleUnit) && entry.status === "signed_off",
    },
  };
}

/** Entries `staff` may see, matching `f` (at most `limit`, newest deadline last). */
export async function listEntries(db: Db, staff: StaffPrincipal, f: LedgerFilters, limit = 500) {
  if (!mayViewLedger(staff)) throw new AppError("FORBIDDEN", "当前角色不能查看问题台账");
  const found = await selectEntries(db)
    .where(and(ledgerScope(staff), filterSql(f)))
    .orderBy(asc(ledgerEntries.deadline), asc(ledgerEntries.id))
    .limit(limit);
  return found.map(toEntry);
}

/** Counts per level and per responsible unit (部门), under the same scope and filters. */
export async function ledgerSummary(db: Db, staff: StaffPrincipal, f: LedgerFilters) {
  if (!mayViewLedger(staff)) throw new AppError("FORBIDDEN", "当前角色不能查看问题台账");
  const count = (status?: LedgerStatus) =>
    status ? sql<number>`count(*) FILTER (WHERE ${ledgerEntries.status} = ${status})::int` : sql<number>`count(*)::int`;
  const counts = {
    total: count(),
    open: count("open"),
    rectifying: count("rectifying"),
    signedOff: count("signed_off"),
    reopened: count("reopened"),
    overdue: sql<number>`count(*) FILTER (WHERE ${isOverdue})::int`,
  };
  const where = and(ledgerScope(staff), filterSql(f));
  const byLevel = await db
    .select({ key: ledgerEntries.level, ...counts })
    .from(ledgerEntries)
    .innerJoin(units, eq(units.id, ledgerEntries.responsibleUnitId))
    .leftJoin(districts, eq(districts.id, ledgerEntries.districtId))
    .where(where)
    .groupBy(ledgerEntries.level)
    .orderBy(sql`min(CASE ${ledgerEntries.level} WHEN 'city' THEN 0 WHEN 'district' THEN 1 ELSE 2 END)`);
  const byUnit = await db
    .select({ key: units.code, label: units.name, ...counts })
    .from(ledgerEntries)
    .innerJoin(units, eq(units.id, ledgerEntries.responsibleUnitId))
    .leftJoin(districts, eq(districts.id, ledgerEntries.districtId))
    .where(where)
    .groupBy(units.code, units.name)
    .orderBy(desc(counts.total), asc(units.name));
  return {
    byLevel: byLevel.map((r): LedgerSummaryRow => ({ ...r, label: LEVEL_LABELS[r.key] ?? r.key })),
    byUnit: byUnit.map((r): LedgerSummaryRow => r),
  };
}

/** Units a staff member may choose as responsible unit (their remit), for forms. */
export async function remitUnits(db: Db, staff: StaffPrincipal): Promise<UnitRef[]> {
  if (!OVERSEERS.has(staff.role)) return [];
  const found = await db
    .select(unitColumns)
    .from(units)
    .where(
      and(
        staff.unitLevel === "city" ? sql`true` : eq(units.districtId, staff.districtId ?? -1),
        sql`${units.kind} <> 'hotline'`,
      ),
    )
    .orderBy(
      sql`CASE ${units.level} WHEN 'city' THEN 0 WHEN 'district' THEN 1 ELSE 2 END`,
      sql`${units.districtId} NULLS FIRST`,
      asc(units.id),
    );
  return found.map(toUnit);
}
