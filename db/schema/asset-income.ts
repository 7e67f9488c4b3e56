import { index, integer, numeric, pgTable, serial, text, unique } from "drizzle-orm/pg-core";
import { timestamps } from "./columns";
import { projectAssets } from "./funds";
import { users } from "./reference";

const money = (name: string) => numeric(name, { precision: 14, scale: 2 });

/** A project asset's income in one year and its distribution as sums (migration 0240). */
export const assetIncome = pgTable(
  "asset_income",
  {
    id: serial("id").primaryKey(),
    assetId: integer("asset_id")
      .notNull()
      .references(() => projectAssets.id, { onDelete: "cascade" }),
    year: integer("year").notNull(),
    income: money("income").notNull(),
    toHouseholds: money("to_households").notNull().default("0"),
    toCollective: money("to_collective").notNull().default("0"),
    toMaintenance: money("to_maintenance").notNull().default("0"),
    toOther: money("to_other").notNull().default("0"),
    note: text("note").notNull().default(""),
    version: integer("version").notNull().default(1),
    createdBy: integer("created_by").references(() => users.id),
    updatedBy: integer("updated_by").references(() => users.id),
    ...timestamps,
  },
  (t) => [
    unique("asset_income_year_key").on(t.assetId, t.year),
    index("asset_income_updated_idx").on(t.updatedAt.desc(), t.id.desc()),
  ],
);
