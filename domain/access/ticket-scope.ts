import { type SQL, sql } from "drizzle-orm";
import { type Db, rows } from "../../db/client";
import type { StaffPrincipal, StaffRole } from "../auth/principal";
import { mayRevealIdentity } from "../hotline/identity";

// THE access rules for tickets, in one place. Every console query about tickets puts
// ticketScope(...) in its WHERE clause (alias `t` = tickets), so what a person may not see is never
// read, counted or acted on — nothing is filtered afterwards.
//
//   - nobody sees a ticket whose subject is their own unit (回避);
//   - discipline cases (routed to a 纪委监委 unit) are seen only by discipline inspection
//     (a city inspector: all of them; a district inspector: those routed to their unit);
//   - supervisors: city level — every other ticket; district level — their district's;
//   - handlers: only what was dispatched to their unit;
//   - operators: the tickets they recorded;
//   - publishers and admins: none.

export interface ScopeUnits {
  /** ids of every discipline-inspection unit (units.kind = 'discipline') */
  disciplineUnitIds: number[];
}

let cached: Promise<ScopeUnits> | undefined;
/** Reference data the rules need (units never change at run time; cached per process). */
export function scopeUnits(db: Db): Promise<ScopeUnits> {
  cached ??= rows<{ id: number }>(db, sql`SELECT id FROM units WHERE kind = 'discipline' ORDER BY id`)
    .then((r) => ({ disciplineUnitIds: r.map((x) => x.id) }))
    .catch((err) => {
      cached = undefined;
      throw err;
    });
  return cached;
}

const idList = (ids: number[]) =>
  ids.length
    ? sql.join(
        ids.map((i) => sql`${i}`),
        sql`, `,
      )
    : sql`NULL`;

/** The SQL condition (alias t) for the tickets `staff` may see. */
export function ticketScopeSql(staff: StaffPrincipal, units: ScopeUnits): SQL {
  const notAboutMe = sql`(t.subject_unit_id IS NULL OR t.subject_unit_id <> ${staff.unitId})`;
  const discipline = sql`t.routed_unit_id IN (${idList(units.disciplineUnitIds)})`;
  const notDiscipline = sql`t.routed_unit_id NOT IN (${idList(units.disciplineUnitIds)})`;
  let rule: SQL;
  switch (staff.role) {
    case "inspector":
      rule =
        staff.unitKind !== "discipline"
          ? sql`false`
          : staff.unitLevel === "city"
            ? discipline
            : sql`t.routed_unit_id = ${staff.unitId}`;
      break;
    case "supervisor":
      rule =
        staff.unitLevel === "city"
          ? notDiscipline
          : staff.districtId == null
            ? sql`false`
            : sql`(t.district_id = ${staff.districtId} AND ${notDiscipline})`;
      break;
    case "handler":
      rule = sql`(t.routed_unit_id = ${staff.unitId} AND t.dispatched_at IS NOT NULL)`;
      break;
    case "operator":
      rule = sql`t.operator_id = ${staff.userId}`;
      break;
    default:
      rule = sql`false`;
  }
  return sql`(${rule} AND ${notAboutMe})`;
}

/** Convenience: the scope condition for `staff`, loading the reference it needs. */
export async function ticketScope(db: Db, staff: StaffPrincipal): Promise<SQL> {
  return ticketScopeSql(staff, await scopeUnits(db));
}

// What each role may do to a ticket it can see (the state machine decides whether the ticket's status
// allows it). `reveal` is further limited by revealAllowed().
export type CaseAction =
  | "accept"
  | "reject"
  | "merge"
  | "retier"
  | "dispatch"
  | "return"
  | "start"
  | "reply"
  | "extend"
  | "close"
  | "request_reopen"
  | "remind"
  | "escalate"
  | "note"
  | "message"
  | "reveal";

const SUPERVISE: CaseAction[] = [
  "accept",
  "reject",
  "merge",
  "retier",
  "dispatch",
  "extend",
  "close",
  "request_reopen",
  "remind",
  "escalate",
  "note",
  "message",
];
const HANDLE: CaseAction[] = ["start", "return", "reply", "note", "message", "reveal"];

export const ROLE_ACTIONS: Record<StaffRole, readonly CaseAction[]> = {
  supervisor: SUPERVISE,
  handler: HANDLE,
  // Discipline inspection runs its own cases end to end, and alone may see anonymous reporters' details.
  inspector: [...new Set<CaseAction>([...SUPERVISE, ...HANDLE])],
  operator: ["note"],
  publisher: [],
  admin: [],
};

export function roleMayDo(staff: StaffPrincipal, action: CaseAction): boolean {
  return ROLE_ACTIONS[staff.role].includes(action);
}

/**
 * May `staff` reveal the reporter's identity? Discipline inspection (for tickets in its scope), or the
 * handling unit's handler when the reporter is real-name and agreed to be contacted.
 */
export function revealAllowed(
  staff: StaffPrincipal,
  ticket: { routedUnitId: number; reporterAnonymous: boolean; contactAllowed: boolean | null; dispatched: boolean },
): boolean {
  // The hotline's one rule (domain/hotline/identity.ts); a handling unit only once the ticket is its own.
  const byRule = mayRevealIdentity(staff, {
    routedUnitId: ticket.routedUnitId,
    anonymous: ticket.reporterAnonymous,
    contactAllowed: ticket.contactAllowed === true,
  });
  return byRule && (staff.role === "inspector" || ticket.dispatched);
}
