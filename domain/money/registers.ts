import { asc, desc, eq } from "drizzle-orm";
import type { Db } from "../../db/client";
import { householdPayments, households } from "../../db/schema/money";
import { districts, towns, villages } from "../../db/schema/reference";
import { notFound } from "../../lib/errors";
import {
  HOUSEHOLD_STATUS_LABELS,
  PAYMENT_STATE_LABELS,
  type PaymentState,
  PROGRAMME_LABELS,
  type Programme,
} from "./labels";
import { scrubPersonalText } from "./privacy";

// What the publisher's console lists: a village's household register and the payments made out of one
// disbursement. Households appear only as the register keeps them for display (名字 and ID number
// masked, as on every page); the sealed identity is never read here.

/** Rows a console list shows at most (a village's register, a disbursement's payments). */
export const REGISTER_LIMIT = 500;

export interface RegisterHousehold {
  id: number;
  nameMasked: string;
  idMasked: string;
  members: number;
  status: "registered" | "exited";
  statusLabel: string;
  identifiedOn: string | null;
  exitedOn: string | null;
  version: number;
}

/** A village with its town and district, and its households (masked), oldest first. */
export async function villageRegister(db: Db, villageId: number) {
  const [place] = await db
    .select({ id: villages.id, village: villages.name, town: towns.name, district: districts.name })
    .from(villages)
    .innerJoin(towns, eq(towns.id, villages.townId))
    .innerJoin(districts, eq(districts.id, towns.districtId))
    .where(eq(villages.id, villageId));
  if (!place) throw notFound("没有这个村");
  const list = await db
    .select({
      id: households.id,
      nameMasked: households.nameMasked,
      idMasked: households.idMasked,
      members: households.members,
      status: households.status,
      identifiedOn: households.identifiedOn,
      exitedOn: households.exitedOn,
      version: households.version,
    })
    .from(households)
    .where(eq(households.villageId, villageId))
    .orderBy(asc(households.id))
    .limit(REGISTER_LIMIT);
  const items: RegisterHousehold[] = list.map((h) => ({ ...h, statusLabel: HOUSEHOLD_STATUS_LABELS[h.status] }));
  return { ...place, households: items };
}

export interface RegisterPayment {
  id: number;
  householdId: number;
  nameMasked: string;
  village: string;
  programme: Programme;
  programmeLabel: string;
  period: string;
  amount: string;
  paidOn: string | null;
  state: PaymentState;
  stateLabel: string;
  returnReason: string | null;
  method: string;
  status: "active" | "withdrawn";
  version: number;
}

/** The payments made out of one disbursement (withdrawn ones too, marked), newest first. */
export async function paymentsOfDisbursement(db: Db, disbursementId: number): Promise<RegisterPayment[]> {
  const list = await db
    .select({
      id: householdPayments.id,
      householdId: householdPayments.householdId,
      nameMasked: households.nameMasked,
      village: villages.name,
      programme: householdPayments.programme,
      period: householdPayments.period,
      amount: householdPayments.amount,
      paidOn: householdPayments.paidOn,
      state: householdPayments.state,
      returnReason: householdPayments.returnReason,
      method: householdPayments.method,
      status: householdPayments.status,
      version: householdPayments.version,
    })
    .from(householdPayments)
    .innerJoin(households, eq(households.id, householdPayments.householdId))
    .innerJoin(villages, eq(villages.id, householdPayments.villageId))
    .where(eq(householdPayments.disbursementId, disbursementId))
    .orderBy(desc(householdPayments.id))
    .limit(REGISTER_LIMIT);
  return list.map((p) => {
    const programme = p.programme as Programme;
    const state = p.state as PaymentState;
    return {
      ...p,
      programme,
      programmeLabel: PROGRAMME_LABELS[programme] ?? p.programme,
      state,
      stateLabel: PAYMENT_STATE_LABELS[state] ?? p.state,
      returnReason: p.returnReason ? scrubPersonalText(p.returnReason) : null,
    };
  });
}
