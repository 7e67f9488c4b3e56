import { sql } from "drizzle-orm";
import {
  boolean,
  date,
  index,
  integer,
  jsonb,
  numeric,
  pgTable,
  primaryKey,
  serial,
  text,
  timestamp,
} from "drizzle-orm/pg-core";
import { timestamps } from "./columns";
import { tickets } from "./hotline";
import { categories, districts, units, users } from "./reference";

// The problem ledger (台账 · 整改销号, migration 0060) and the hotline statistics rollup (0061).

/** A ledger entry: one verified problem, its responsible unit, measures, deadline and sign-off. */
export const ledgerEntries = pgTable(
  "ledger_entries",
  {
    id: serial("id").primaryKey(),
    /** TZ-YYYY-NNNNN */
    number: text("number").notNull().unique(),
    /** ticket | audit | inspection */
    source: text("source").notNull(),
    ticketId: integer("ticket_id").references(() => tickets.id),
    responsibleUnitId: integer("responsible_unit_id")
      .notNull()
      .references(() => units.id),
    /** city | district | town (the responsible unit's level) */
    level: text("level").notNull(),
    districtId: integer("district_id").references(() => districts.id),
    categoryCode: text("category_code").references(() => categories.code),
    title: text("title").notNull(),
    description: text("description").notNull(),
    measures: text("measures").notNull(),
    deadline: date("deadline").notNull(),
    /** open | rectifying | signed_off | reopened */
    status: text("status").notNull().default("open"),
    createdBy: integer("created_by").references(() => users.id),
    signedOffBy: integer("signed_off_by").references(() => users.id),
    signedOffAt: timestamp("signed_off_at", { withTimezone: true }),
    signOffNote: text("sign_off_note"),
    reopenedCount: integer("reopened_count").notNull().default(0),
    isDemo: boolean("is_demo").notNull().default(false),
    ...timestamps,
  },
  (t) => [
    index("ledger_entries_unit_idx").on(t.responsibleUnitId, t.status),
    index("ledger_entries_deadline_idx").on(t.deadline),
    index("ledger_entries_ticket_idx").on(t.ticketId).where(sql`ticket_id IS NOT NULL`),
  ],
);

/** Rectification evidence (text + optional attachment references). */
export const ledgerEvidence = pgTable(
  "ledger_evidence",
  {
    id: serial("id").primaryKey(),
    entryId: integer("entry_id")
      .notNull()
      .references(() => ledgerEntries.id, { onDelete: "cascade" }),
    body: text("body").notNull(),
    attachments: jsonb("attachments").$type<string[]>().notNull().default([]),
    addedBy: integer("added_by").references(() => users.id),
    unitId: integer("unit_id").references(() => units.id),
    /** reopened_count at the time; only the current round counts for sign-off */
    round: integer("round").notNull().default(0),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("ledger_evidence_entry_idx").on(t.entryId, t.id)],
);

/** The entry's history. */
export const ledgerEvents = pgTable(
  "ledger_events",
  {
    id: serial("id").primaryKey(),
    entryId: integer("entry_id")
      .notNull()
      .references(() => ledgerEntries.id, { onDelete: "cascade" }),
    action: text("action").notNull(),
    fromStatus: text("from_status"),
    toStatus: text("to_status").notNull(),
    actorId: integer("actor_id").references(() => users.id),
    ticketId: integer("ticket_id").references(() => tickets.id),
    note: text("note"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("ledger_events_entry_idx").on(t.entryId, t.id)],
);

/** The columns of the monthly ticket statistics, shared by the rollup and its pending deltas. */
const hotlineStatsColumns = () => ({
  month: date("month").notNull(),
  districtId: integer("district_id").notNull(),
  categoryCode: text("category_code").notNull(),
  unitId: integer("unit_id").notNull(),
  received: integer("received").notNull().default(0),
  accepted: integer("accepted").notNull().default(0),
  acceptedOnTime: integer("accepted_on_time").notNull().default(0),
  notAccepted: integer("not_accepted").notNull().default(0),
  replied: integer("replied").notNull().default(0),
  repliedOnTime: integer("replied_on_time").notNull().default(0),
  repliedLate: integer("replied_late").notNull().default(0),
  closed: integer("closed").notNull().default(0),
  rated: integer("rated").notNull().default(0),
  satisfied: integer("satisfied").notNull().default(0),
  closeDaysSum: numeric("close_days_sum", { precision: 16, scale: 4 }).notNull().default("0"),
});

/** Monthly rollup of tickets, kept by triggers on tickets (migration 0061). */
export const hotlineStatsMonthly = pgTable("hotline_stats_monthly", hotlineStatsColumns(), (t) => [
  primaryKey({ columns: [t.month, t.districtId, t.categoryCode, t.unitId] }),
]);

/** Pending +/- contributions appended by ticket changes, folded into the rollup periodically (0063). */
export const hotlineStatsDelta = pgTable("hotline_stats_delta", hotlineStatsColumns());
