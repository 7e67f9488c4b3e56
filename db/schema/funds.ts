import { sql } from "drizzle-orm";
import {
  bigint,
  boolean,
  date,
  index,
  integer,
  numeric,
  pgTable,
  primaryKey,
  serial,
  text,
  timestamp,
  unique,
} from "drizzle-orm/pg-core";
import { timestamps } from "./columns";
import { placeColumns } from "./place-columns";
import { categories, users } from "./reference";

// Fund transparency: allocations with public version history, projects with dated stages and assets.

export const PROJECT_STAGES = [
  "reserve",
  "approved",
  "implementing",
  "accepted",
  "maintenance",
  "distribution",
] as const;
export type ProjectStage = (typeof PROJECT_STAGES)[number];

export const FUND_LEVELS = ["central", "provincial", "city", "county"] as const;
export type FundLevel = (typeof FUND_LEVELS)[number];

/** 扶贫项目 */
export const projects = pgTable(
  "projects",
  {
    id: serial("id").primaryKey(),
    name: text("name").notNull(),
    year: integer("year").notNull(),
    ...placeColumns(),
    categoryCode: text("category_code")
      .notNull()
      .references(() => categories.code),
    location: text("location").notNull().default(""),
    content: text("content").notNull().default(""),
    subsidyStandard: text("subsidy_standard").notNull().default(""),
    fundingSource: text("funding_source").notNull().default(""),
    fundingAmount: numeric("funding_amount", { precision: 14, scale: 2 }),
    periodText: text("period_text").notNull().default(""),
    implementingUnit: text("implementing_unit").notNull().default(""),
    responsiblePerson: text("responsible_person").notNull().default(""),
    performanceTarget: text("performance_target").notNull().default(""),
    povertyMechanism: text("poverty_mechanism").notNull().default(""),
    supervisionPhone: text("supervision_phone").notNull().default(""),
    stage: text("stage").$type<ProjectStage>().notNull().default("reserve"),
    isDemo: boolean("is_demo").notNull().default(false),
    ...timestamps,
  },
  (t) => [
    index("projects_district_idx").on(t.districtId, t.year),
    index("projects_village_idx").on(t.villageId).where(sql`village_id IS NOT NULL`),
  ],
);

/** Each dated stage change of a project (public). */
export const projectStages = pgTable(
  "project_stages",
  {
    id: serial("id").primaryKey(),
    projectId: integer("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    stage: text("stage").$type<ProjectStage>().notNull(),
    happenedOn: date("happened_on").notNull(),
    note: text("note").notNull().default(""),
    createdBy: integer("created_by").references(() => users.id),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("project_stages_project_idx").on(t.projectId, t.happenedOn)],
);

/** 资产登记 of a completed project. */
export const projectAssets = pgTable("project_assets", {
  id: serial("id").primaryKey(),
  projectId: integer("project_id")
    .notNull()
    .unique()
    .references(() => projects.id, { onDelete: "cascade" }),
  assetName: text("asset_name").notNull(),
  assetValue: numeric("asset_value", { precision: 14, scale: 2 }),
  owner: text("owner").notNull(),
  manager: text("manager").notNull(),
  maintenance: text("maintenance").notNull(),
  registeredOn: date("registered_on").notNull(),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});

export const fundImportBatches = pgTable("fund_import_batches", {
  id: serial("id").primaryKey(),
  fileName: text("file_name").notNull(),
  encoding: text("encoding").notNull(),
  rowCount: integer("row_count").notNull(),
  total: numeric("total", { precision: 16, scale: 2 }).notNull(),
  createdBy: integer("created_by").references(() => users.id),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});

/** The current figure of each allocation (资金分配结果). */
export const fundAllocations = pgTable(
  "fund_allocations",
  {
    id: serial("id").primaryKey(),
    year: integer("year").notNull(),
    level: text("level").$type<FundLevel>().notNull(),
    fundName: text("fund_name").notNull(),
    docNumber: text("doc_number").notNull(),
    ...placeColumns(),
    projectId: integer("project_id").references(() => projects.id),
    categoryCode: text("category_code")
      .notNull()
      .references(() => categories.code),
    amount: numeric("amount", { precision: 14, scale: 2 }).notNull(),
    purpose: text("purpose").notNull().default(""),
    publishedOn: date("published_on").notNull(),
    status: text("status").$type<"active" | "withdrawn">().notNull().default("active"),
    version: integer("version").notNull().default(1),
    batchId: integer("batch_id").references(() => fundImportBatches.id),
    isDemo: boolean("is_demo").notNull().default(false),
    ...timestamps,
  },
  (t) => [
    index("fund_alloc_order_idx").on(t.publishedOn.desc(), t.id.desc()).where(sql`status = 'active'::text`),
    index("fund_alloc_project_idx").on(t.projectId),
    index("fund_alloc_doc_idx").on(t.docNumber),
    index("fund_alloc_text_idx").using(
      "gin",
      sql`((((fund_name || ' '::text) || doc_number) || ' '::text) || purpose) gin_trgm_ops`,
    ),
    index("fund_alloc_year_order_idx")
      .on(t.year, t.publishedOn.desc(), t.id.desc())
      .where(sql`status = 'active'::text`),
    index("fund_alloc_district_year_order_idx")
      .on(t.districtId, t.year, t.publishedOn.desc(), t.id.desc())
      .where(sql`status = 'active'::text`),
    index("fund_alloc_district_order_idx")
      .on(t.districtId, t.publishedOn.desc(), t.id.desc())
      .where(sql`status = 'active'::text`),
    index("fund_alloc_town_order_idx")
      .on(t.townId, t.publishedOn.desc(), t.id.desc())
      .where(sql`status = 'active'::text`),
    index("fund_alloc_village_order_idx")
      .on(t.villageId, t.publishedOn.desc(), t.id.desc())
      .where(sql`status = 'active'::text`),
    // The migration also INCLUDEs (year, published_on, amount); drizzle cannot declare included columns.
    index("fund_alloc_village_sums_idx").on(t.villageId, t.id).where(sql`status = 'active'::text`),
    index("fund_alloc_updated_idx").on(t.updatedAt, t.id),
  ],
);

/** Every version of an allocation, the first one included: corrections and withdrawals stay public. */
export const fundAllocationVersions = pgTable(
  "fund_allocation_versions",
  {
    id: serial("id").primaryKey(),
    allocationId: integer("allocation_id")
      .notNull()
      .references(() => fundAllocations.id, { onDelete: "cascade" }),
    version: integer("version").notNull(),
    kind: text("kind").$type<"original" | "correction" | "withdrawal">().notNull(),
    year: integer("year").notNull(),
    level: text("level").$type<FundLevel>().notNull(),
    fundName: text("fund_name").notNull(),
    docNumber: text("doc_number").notNull(),
    ...placeColumns(),
    projectId: integer("project_id").references(() => projects.id),
    categoryCode: text("category_code")
      .notNull()
      .references(() => categories.code),
    amount: numeric("amount", { precision: 14, scale: 2 }).notNull(),
    purpose: text("purpose").notNull().default(""),
    publishedOn: date("published_on").notNull(),
    reason: text("reason"),
    createdBy: integer("created_by").references(() => users.id),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [unique("fund_allocation_versions_key").on(t.allocationId, t.version)],
);

/**
 * Totals of active allocations by year, level, district, town (0 = district level) and category,
 * maintained by triggers (migration 0011): the explorer's totals and summaries read this.
 */
export const fundRollup = pgTable(
  "fund_rollup",
  {
    year: integer("year").notNull(),
    level: text("level").notNull(),
    districtId: integer("district_id").notNull(),
    townId: integer("town_id").notNull(),
    categoryCode: text("category_code").notNull(),
    n: bigint("n", { mode: "number" }).notNull(),
    total: numeric("total", { precision: 18, scale: 2 }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.year, t.level, t.districtId, t.townId, t.categoryCode] }),
    index("fund_rollup_district_idx").on(t.districtId, t.townId),
  ],
);
