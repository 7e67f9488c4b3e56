import { integer, numeric, pgTable, primaryKey, text } from "drizzle-orm/pg-core";

/** The columns of the money progress sums, shared by the rollup and its pending deltas. */
const moneyProgressColumns = () => ({
  districtId: integer("district_id").notNull(),
  year: integer("year").notNull(),
  categoryCode: text("category_code").notNull(),
  /** '' for disbursements; a programme code for payments to households. */
  programme: text("programme").notNull(),
  disbursed: numeric("disbursed", { precision: 18, scale: 2 }).notNull().default("0"),
  toHouseholds: numeric("to_households", { precision: 18, scale: 2 }).notNull().default("0"),
  paid: numeric("paid", { precision: 18, scale: 2 }).notNull().default("0"),
});

/**
 * Sums of active disbursements and paid household payments per district, year, category and programme,
 * kept by triggers through money_progress_delta (migration 0190); the progress summary reads them.
 */
export const moneyProgressRollup = pgTable("money_progress_rollup", moneyProgressColumns(), (t) => [
  primaryKey({ columns: [t.districtId, t.year, t.categoryCode, t.programme] }),
]);

/** Pending +/- contributions appended by disbursement and payment writes, folded in periodically (0190). */
export const moneyProgressDelta = pgTable("money_progress_delta", moneyProgressColumns());
