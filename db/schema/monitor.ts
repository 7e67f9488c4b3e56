import { sql } from "drizzle-orm";
import {
  bigint,
  bigserial,
  boolean,
  index,
  integer,
  pgTable,
  serial,
  text,
  timestamp,
  unique,
} from "drizzle-orm/pg-core";
import { tickets } from "./hotline";
import { districts, units, users } from "./reference";

// Online-opinion monitoring (涉贫舆情监测, migration 0150): sources, the watch-list's
// campaign terms, caught items with their snapshot and near-duplicate group, and the duty roster.

export const monitorSources = pgTable(
  "monitor_sources",
  {
    id: serial("id").primaryKey(),
    name: text("name").notNull(),
    url: text("url").notNull().unique(),
    /** rss | atom | jsonfeed | html */
    kind: text("kind").notNull(),
    itemSelector: text("item_selector"),
    intervalMinutes: integer("interval_minutes").notNull().default(30),
    enabled: boolean("enabled").notNull().default(true),
    ownerUnitId: integer("owner_unit_id").references(() => units.id),
    /** console | file */
    origin: text("origin").notNull().default("console"),
    etag: text("etag"),
    lastModified: text("last_modified"),
    nextFetchAt: timestamp("next_fetch_at", { withTimezone: true }).notNull().defaultNow(),
    lastAttemptAt: timestamp("last_attempt_at", { withTimezone: true }),
    lastSuccessAt: timestamp("last_success_at", { withTimezone: true }),
    lastError: text("last_error"),
    lastErrorAt: timestamp("last_error_at", { withTimezone: true }),
    consecutiveFailures: integer("consecutive_failures").notNull().default(0),
    itemsSeen: bigint("items_seen", { mode: "number" }).notNull().default(0),
    itemsCaught: bigint("items_caught", { mode: "number" }).notNull().default(0),
    isDemo: boolean("is_demo").notNull().default(false),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("monitor_sources_due_idx").on(t.nextFetchAt).where(sql`enabled`)],
);

export const monitorTerms = pgTable("monitor_terms", {
  id: serial("id").primaryKey(),
  term: text("term").notNull().unique(),
  enabled: boolean("enabled").notNull().default(true),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});

export const monitorItems = pgTable(
  "monitor_items",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    sourceId: integer("source_id")
      .notNull()
      .references(() => monitorSources.id),
    entryKey: text("entry_key").notNull(),
    url: text("url").notNull(),
    title: text("title").notNull(),
    excerpt: text("excerpt").notNull(),
    publishedAt: timestamp("published_at", { withTimezone: true }),
    fetchedAt: timestamp("fetched_at", { withTimezone: true }).notNull().defaultNow(),
    snapshot: text("snapshot").notNull(),
    terms: text("terms").array().notNull().default([]),
    places: text("places").array().notNull().default([]),
    districtId: integer("district_id").references(() => districts.id),
    simhash: bigint("simhash", { mode: "bigint" }).notNull(),
    simkeys: integer("simkeys").array().notNull(),
    groupId: bigint("group_id", { mode: "number" }).notNull(),
    isHead: boolean("is_head").notNull().default(true),
    spread: integer("spread").notNull().default(0),
    lastSpreadAt: timestamp("last_spread_at", { withTimezone: true }),
    /** new | dismissed | known | ticketed */
    state: text("state").notNull().default("new"),
    triagedAt: timestamp("triaged_at", { withTimezone: true }),
    triagedBy: integer("triaged_by").references(() => users.id),
    dismissReason: text("dismiss_reason"),
    ticketId: integer("ticket_id").references(() => tickets.id),
    dutyNotifiedAt: timestamp("duty_notified_at", { withTimezone: true }),
    supervisorNotifiedAt: timestamp("supervisor_notified_at", { withTimezone: true }),
    isDemo: boolean("is_demo").notNull().default(false),
  },
  (t) => [
    unique("monitor_items_source_id_entry_key_key").on(t.sourceId, t.entryKey),
    index("monitor_items_queue_idx").on(t.state, t.fetchedAt.desc(), t.id.desc()).where(sql`is_head`),
    index("monitor_items_spread_idx").on(t.state, t.spread.desc(), t.id.desc()).where(sql`is_head`),
    index("monitor_items_source_idx").on(t.sourceId, t.fetchedAt.desc()).where(sql`is_head`),
    index("monitor_items_district_idx").on(t.districtId, t.fetchedAt.desc()).where(sql`is_head`),
    index("monitor_items_terms_idx").using("gin", t.terms),
    index("monitor_items_group_idx").on(t.groupId),
    index("monitor_items_simkeys_idx").using("gin", t.simkeys),
    index("monitor_items_month_idx").on(t.fetchedAt).where(sql`is_head`),
    index("monitor_items_overdue_idx")
      .on(t.fetchedAt)
      .where(sql`is_head AND state = 'new'::text AND supervisor_notified_at IS NULL`),
    index("monitor_items_state_source_idx")
      .on(t.state, t.sourceId, t.fetchedAt.desc(), t.id.desc())
      .where(sql`is_head`),
    index("monitor_items_state_district_idx")
      .on(t.state, t.districtId, t.fetchedAt.desc(), t.id.desc())
      .where(sql`is_head`),
    index("monitor_items_spread_all_idx").on(t.spread.desc(), t.id.desc()).where(sql`is_head`),
    index("monitor_items_district_spread_idx").on(t.districtId, t.spread.desc(), t.id.desc()).where(sql`is_head`),
  ],
);

export const monitorDuty = pgTable(
  "monitor_duty",
  {
    id: serial("id").primaryKey(),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id),
    startsAt: timestamp("starts_at", { withTimezone: true }).notNull(),
    endsAt: timestamp("ends_at", { withTimezone: true }).notNull(),
    createdBy: integer("created_by").references(() => users.id),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("monitor_duty_time_idx").on(t.startsAt, t.endsAt)],
);
