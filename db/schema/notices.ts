import { sql } from "drizzle-orm";
import { type AnyPgColumn, boolean, date, index, integer, pgTable, serial, text, timestamp } from "drizzle-orm/pg-core";
import { timestamps } from "./columns";
import { projects } from "./funds";
import { districts, towns, users, villages } from "./reference";

/**
 * 公告公示. The state is computed (see domain/notices/state.ts): draft, in period, period ended,
 * withdrawn, or amended (a later notice with amendsId → this one has replaced it; this one stays visible).
 */
export const notices = pgTable(
  "notices",
  {
    id: serial("id").primaryKey(),
    title: text("title").notNull(),
    projectId: integer("project_id").references(() => projects.id),
    /** The allocation batch (文号) this notice publishes, if any. */
    docNumber: text("doc_number"),
    districtId: integer("district_id")
      .notNull()
      .references(() => districts.id),
    townId: integer("town_id").references(() => towns.id),
    villageId: integer("village_id").references(() => villages.id),
    projectName: text("project_name").notNull().default(""),
    location: text("location").notNull().default(""),
    content: text("content").notNull().default(""),
    subsidyStandard: text("subsidy_standard").notNull().default(""),
    funding: text("funding").notNull().default(""),
    periodText: text("period_text").notNull().default(""),
    implementer: text("implementer").notNull().default(""),
    performanceTarget: text("performance_target").notNull().default(""),
    povertyMechanism: text("poverty_mechanism").notNull().default(""),
    supervisionPhone: text("supervision_phone").notNull().default(""),
    body: text("body").notNull().default(""),
    periodDays: integer("period_days").notNull().default(10),
    periodStart: date("period_start"),
    periodEnd: date("period_end"),
    status: text("status").$type<"draft" | "published" | "withdrawn">().notNull().default("draft"),
    publishedAt: timestamp("published_at", { withTimezone: true }),
    withdrawnAt: timestamp("withdrawn_at", { withTimezone: true }),
    withdrawReason: text("withdraw_reason"),
    amendsId: integer("amends_id").references((): AnyPgColumn => notices.id),
    amendReason: text("amend_reason"),
    supersededById: integer("superseded_by_id").references((): AnyPgColumn => notices.id),
    createdBy: integer("created_by").references(() => users.id),
    isDemo: boolean("is_demo").notNull().default(false),
    ...timestamps,
  },
  (t) => [
    index("notices_district_idx").on(t.districtId, t.periodStart.desc()),
    index("notices_project_idx").on(t.projectId),
    index("notices_period_idx").on(t.periodStart.desc(), t.id.desc()),
    index("notices_village_idx").on(t.villageId).where(sql`village_id IS NOT NULL`),
  ],
);
