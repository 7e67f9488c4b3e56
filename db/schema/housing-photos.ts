import { index, integer, pgTable, serial, text, timestamp } from "drizzle-orm/pg-core";
import { housingCases } from "./money";
import { users } from "./reference";

/** Before/after photos of a 危房改造 case (migration 0180); renditions live in the file store. */
export const housingCasePhotos = pgTable(
  "housing_case_photos",
  {
    id: serial("id").primaryKey(),
    caseId: integer("case_id")
      .notNull()
      .references(() => housingCases.id),
    phase: text("phase").$type<"before" | "after">().notNull(),
    imageKey: text("image_key").notNull(),
    width: integer("width").notNull(),
    height: integer("height").notNull(),
    sizes: integer("sizes").array().notNull(),
    createdBy: integer("created_by").references(() => users.id),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("housing_case_photos_case_idx").on(t.caseId)],
);
