import { date, index, integer, pgTable, serial, text, timestamp } from "drizzle-orm/pg-core";
import { projects } from "./funds";
import { users } from "./reference";

/** 管护 inspections of a project's asset (migration 0181). */
export const assetInspections = pgTable(
  "asset_inspections",
  {
    id: serial("id").primaryKey(),
    projectId: integer("project_id")
      .notNull()
      .references(() => projects.id),
    inspectedOn: date("inspected_on").notNull(),
    inspector: text("inspector").notNull(),
    condition: text("condition").$type<"good" | "repair" | "idle">().notNull(),
    findings: text("findings").notNull().default(""),
    createdBy: integer("created_by").references(() => users.id),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("asset_inspections_project_idx").on(t.projectId, t.inspectedOn)],
);
