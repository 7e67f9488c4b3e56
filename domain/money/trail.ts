import { sql } from "drizzle-orm";
import { type Db, rows } from "../../db/client";
import { todayCn } from "../notices/state";
import { fromCents, percent, toCents } from "./cents";
import { type Disbursement, disbursementsOf } from "./disbursements";
import { suppressCount } from "./privacy";

// An allocation's trail: allocated → disbursed → spent / paid to households, and what is still
// waiting. The progress rates across allocations live in progress.ts.

export interface AllocationTrail {
  allocated: string;
  disbursed: string;
  remainder: string;
  /** Days since the allocation was published, while part of it is not disbursed. */
  remainderAgeDays: number | null;
  disbursementRate: string;
  spent: string;
  paidToHouseholds: string;
  /** Distinct households paid (null when fewer than 3: not shown). */
  householdsPaid: number | null;
  payments: number | null;
  /** Household payment counts per disbursement are null when fewer than 3. */
  disbursements: (Omit<Disbursement, "householdPayments"> & { householdPayments: number | null })[];
}

export async function allocationTrail(db: Db, allocationId: number, today = todayCn()): Promise<AllocationTrail> {
  const [a] = await rows<{ amount: string; published_on: string; status: string }>(
    db,
    sql`SELECT amount::text AS amount, published_on::text AS published_on, status FROM fund_allocations WHERE id = ${allocationId}`,
  );
  const list = await disbursementsOf(db, allocationId);
  const [hh] = await rows<{ households: number; payments: number }>(
    db,
    sql`SELECT count(DISTINCT p.household_id)::int AS households, count(*)::int AS payments
        FROM household_payments p JOIN disbursements d ON d.id = p.disbursement_id
        WHERE d.allocation_id = ${allocationId} AND d.status = 'active' AND p.status = 'active'`,
  );
  const active = list.filter((d) => d.status === "active");
  const sum = (f: (d: Disbursement) => string) => fromCents(active.reduce((s, d) => s + toCents(f(d)), 0n));
  const allocated = a?.status === "active" ? a.amount : "0.00";
  const disbursed = sum((d) => d.amount);
  const remainder = fromCents(toCents(allocated) - toCents(disbursed));
  const age =
    a && toCents(remainder) > 0n
      ? Math.floor((Date.parse(`${today}T00:00:00Z`) - Date.parse(`${a.published_on}T00:00:00Z`)) / 86_400_000)
      : null;
  const households = suppressCount(Number(hh?.households ?? 0));
  return {
    allocated,
    disbursed,
    remainder,
    remainderAgeDays: age,
    disbursementRate: percent(disbursed, allocated),
    spent: sum((d) => d.spent),
    paidToHouseholds: sum((d) => d.paidToHouseholds),
    householdsPaid: households,
    payments: households == null ? null : Number(hh?.payments ?? 0),
    disbursements: list.map((d) => ({
      ...d,
      // per-disbursement household counts follow the same small-cell rule
      householdPayments: suppressCount(d.householdPayments),
    })),
  };
}
