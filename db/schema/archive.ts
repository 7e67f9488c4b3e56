import { boolean, date, index, integer, pgTable, serial, text, timestamp, unique } from "drizzle-orm/pg-core";
import { timestamps } from "./columns";
import { districts } from "./reference";

// The campaign archive: policies, yearbook, image collection, honour roll. Migration 0040.

/** Policy documents; the founding document is the first (format "structured"). */
export const policies = pgTable(
  "policies",
  {
    id: serial("id").primaryKey(),
    slug: text("slug").notNull().unique(),
    title: text("title").notNull(),
    issuer: text("issuer").notNull(),
    docNumber: text("doc_number"),
    issuedOn: date("issued_on").notNull(),
    /** markdown | structured */
    format: text("format").notNull().default("markdown"),
    body: text("body").notNull(),
    sort: integer("sort").notNull().default(0),
    isDemo: boolean("is_demo").notNull().default(false),
    createdBy: integer("created_by"),
    ...timestamps,
  },
  (t) => [index("policies_order_idx").on(t.sort, t.issuedOn.desc(), t.id)],
);

/** 年鉴: Markdown chapters per year (2018–2020 and the 2021 summary). */
export const yearbookChapters = pgTable(
  "yearbook_chapters",
  {
    id: serial("id").primaryKey(),
    year: integer("year").notNull(),
    position: integer("position").notNull(),
    title: text("title").notNull(),
    body: text("body").notNull(),
    isDemo: boolean("is_demo").notNull().default(false),
    ...timestamps,
  },
  (t) => [unique("yearbook_chapters_year_position_key").on(t.year, t.position)],
);

/** 我眼中的脱贫攻坚: submitted photos with Dublin Core fields; public once approved. */
export const archiveItems = pgTable(
  "archive_items",
  {
    id: serial("id").primaryKey(),
    title: text("title").notNull(),
    description: text("description").notNull().default(""),
    place: text("place").notNull(),
    districtId: integer("district_id").references(() => districts.id),
    takenOn: date("taken_on"),
    creator: text("creator").notNull(),
    subjects: text("subjects").array().notNull().default([]),
    rights: text("rights").notNull(),
    consentAt: timestamp("consent_at", { withTimezone: true }).notNull(),
    /** pending | approved | rejected */
    status: text("status").notNull().default("pending"),
    rejectReason: text("reject_reason"),
    reviewedAt: timestamp("reviewed_at", { withTimezone: true }),
    reviewedBy: integer("reviewed_by"),
    fileKey: text("file_key").notNull().unique(),
    width: integer("width").notNull(),
    height: integer("height").notNull(),
    sizes: integer("sizes").array().notNull(),
    isDemo: boolean("is_demo").notNull().default(false),
    ...timestamps,
  },
  (t) => [index("archive_items_status_idx").on(t.status, t.id.desc())],
);

/** 群英谱: 先进集体 (collective) and 先进个人 (individual) per year. */
export const honors = pgTable(
  "honors",
  {
    id: serial("id").primaryKey(),
    year: integer("year").notNull(),
    /** collective | individual */
    kind: text("kind").notNull(),
    name: text("name").notNull(),
    unit: text("unit").notNull(),
    districtId: integer("district_id")
      .notNull()
      .references(() => districts.id),
    citation: text("citation").notNull(),
    photoKey: text("photo_key"),
    photoWidth: integer("photo_width"),
    photoHeight: integer("photo_height"),
    photoSizes: integer("photo_sizes").array(),
    isDemo: boolean("is_demo").notNull().default(false),
    ...timestamps,
  },
  (t) => [index("honors_browse_idx").on(t.year.desc(), t.kind, t.districtId)],
);
