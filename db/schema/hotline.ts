import { sql } from "drizzle-orm";
import {
  bigserial,
  boolean,
  date,
  index,
  integer,
  pgTable,
  serial,
  text,
  timestamp,
  uniqueIndex,
} from "drizzle-orm/pg-core";
import { timestamps } from "./columns";
import { placeColumns } from "./place-columns";
import { categories, units, users } from "./reference";

// The 12317 hotline: tickets, their timeline, messages, ratings and the encrypted reporter identity.

/** A ticket (工单). Public number ZB-YYYY-NNNNNN; every deadline is stored here. */
export const tickets = pgTable(
  "tickets",
  {
    id: serial("id").primaryKey(),
    number: text("number").notNull().unique(),
    /** report 举报 | complaint 投诉 | opinion 意见建议 | inquiry 咨询 | objection 公示异议 */
    kind: text("kind").notNull(),
    categoryCode: text("category_code")
      .notNull()
      .references(() => categories.code),
    title: text("title").notNull(),
    description: text("description").notNull(),
    /** Staff-approved public summary (personal data redacted); null: public views use the category title. */
    publicSummary: text("public_summary"),
    ...placeColumns(),
    /** notices(id) for objections (FK added when the notices table exists). */
    noticeId: integer("notice_id"),
    /** The unit the ticket is about (resolved from subject.unit when it names a known unit). */
    subjectUnitId: integer("subject_unit_id").references(() => units.id),
    subjectUnitText: text("subject_unit_text"),
    subjectPerson: text("subject_person"),
    subjectPost: text("subject_post"),
    /** web | api | open311 | phone | letter | visit | media */
    channel: text("channel").notNull(),
    status: text("status").notNull().default("received"),
    /** I | II | III | IV */
    tier: text("tier").notNull(),
    tierReason: text("tier_reason").notNull(),
    /** city | district: who handles (tier I–II city, III–IV district) */
    handlingLevel: text("handling_level").notNull(),
    routedUnitId: integer("routed_unit_id")
      .notNull()
      .references(() => units.id),
    supervisingUnitId: integer("supervising_unit_id")
      .notNull()
      .references(() => units.id),
    supervisingLevel: text("supervising_level").notNull(),
    routingReason: text("routing_reason").notNull(),
    receivedAt: timestamp("received_at", { withTimezone: true }).notNull().defaultNow(),
    acceptDueOn: date("accept_due_on").notNull(),
    firstResponseDueAt: timestamp("first_response_due_at", { withTimezone: true }),
    handleDueOn: date("handle_due_on").notNull(),
    returnDueOn: date("return_due_on"),
    reviewDueOn: date("review_due_on"),
    extendedDays: integer("extended_days").notNull().default(0),
    extensionReason: text("extension_reason"),
    acceptedAt: timestamp("accepted_at", { withTimezone: true }),
    dispatchedAt: timestamp("dispatched_at", { withTimezone: true }),
    repliedAt: timestamp("replied_at", { withTimezone: true }),
    closedAt: timestamp("closed_at", { withTimezone: true }),
    /** The handling unit's public reply summary (答复). */
    replySummary: text("reply_summary"),
    /** satisfied | basically_satisfied | dissatisfied (latest) */
    rating: text("rating"),
    ratedAt: timestamp("rated_at", { withTimezone: true }),
    mergedIntoId: integer("merged_into_id"),
    /** 督办: set when the sweep or a supervisor escalates the ticket (migration 0031). */
    escalatedAt: timestamp("escalated_at", { withTimezone: true }),
    reporterAnonymous: boolean("reporter_anonymous").notNull(),
    /** HMAC-SHA-256 (hex) of the receipt code; the code itself is never stored. */
    receiptHash: text("receipt_hash").notNull(),
    /** HMAC of the client's Idempotency-Key (or form token) and of the canonical body. */
    idempotencyKeyHash: text("idempotency_key_hash"),
    bodyHash: text("body_hash").notNull(),
    operatorId: integer("operator_id").references(() => users.id),
    isDemo: boolean("is_demo").notNull().default(false),
    ...timestamps,
  },
  (t) => [
    uniqueIndex("tickets_idempotency_key_hash_key").on(t.idempotencyKeyHash),
    index("tickets_status_idx").on(t.status),
    index("tickets_routed_unit_idx").on(t.routedUnitId, t.status),
    index("tickets_district_idx").on(t.districtId),
    index("tickets_notice_idx").on(t.noticeId).where(sql`notice_id IS NOT NULL`),
    index("tickets_received_at_idx").on(t.receivedAt.desc(), t.id.desc()),
    index("tickets_operator_idx").on(t.operatorId, t.id).where(sql`operator_id IS NOT NULL`),
    index("tickets_title_trgm_idx").using("gin", t.title.op("gin_trgm_ops")),
    // The migration also INCLUDEs (status, routed_unit_id, subject_unit_id, district_id, category_code, kind,
    // channel, operator_id); drizzle cannot declare included columns.
    index("tickets_open_due_idx")
      .on(sql`due_on`, t.tier, t.id)
      .where(sql`status <> ALL (ARRAY['not_accepted'::text, 'closed'::text, 'merged'::text])`),
    // The migration also INCLUDEs (status, routed_unit_id, subject_unit_id, category_code, kind, channel); drizzle
    // cannot declare included columns.
    index("tickets_open_district_due_idx")
      .on(t.districtId, sql`due_on`, t.tier, t.id)
      .where(sql`status <> ALL (ARRAY['not_accepted'::text, 'closed'::text, 'merged'::text])`),
    // The migration also INCLUDEs (status, subject_unit_id, district_id, category_code, kind, channel,
    // dispatched_at); drizzle cannot declare included columns.
    index("tickets_open_unit_due_idx")
      .on(t.routedUnitId, sql`due_on`, t.tier, t.id)
      .where(sql`status <> ALL (ARRAY['not_accepted'::text, 'closed'::text, 'merged'::text])`),
    // The migration also INCLUDEs (district_id, category_code, received_at, routed_unit_id); drizzle cannot declare
    // included columns.
    index("tickets_stats_overdue_idx")
      .on(sql`(CASE WHEN status = 'received'::text THEN accept_due_on ELSE handle_due_on END)`)
      .where(
        sql`status <> ALL (ARRAY['not_accepted'::text, 'closed'::text, 'merged'::text, 'replied'::text, 'rated'::text])`,
      ),
    // The migration also INCLUDEs (routed_unit_id, subject_unit_id, district_id, category_code, kind, channel,
    // operator_id, dispatched_at); drizzle cannot declare included columns.
    index("tickets_status_due_idx").on(t.status, sql`due_on`, t.tier, t.id),
    index("tickets_category_status_idx").on(t.categoryCode, t.status),
    index("tickets_kind_status_idx").on(t.kind, t.status),
    index("tickets_tier_status_idx").on(t.tier, t.status),
    index("tickets_channel_status_idx").on(t.channel, t.status),
    // The migration also INCLUDEs (status, routed_unit_id, subject_unit_id, district_id, kind, channel, operator_id,
    // dispatched_at); drizzle cannot declare included columns.
    index("tickets_open_category_due_idx")
      .on(t.categoryCode, sql`due_on`, t.tier, t.id)
      .where(sql`status <> ALL (ARRAY['not_accepted'::text, 'closed'::text, 'merged'::text])`),
    // The migration also INCLUDEs (status, routed_unit_id, subject_unit_id, district_id, category_code, kind,
    // channel); drizzle cannot declare included columns.
    index("tickets_open_operator_due_idx")
      .on(t.operatorId, sql`due_on`, t.tier, t.id)
      .where(
        sql`operator_id IS NOT NULL AND (status <> ALL (ARRAY['not_accepted'::text, 'closed'::text, 'merged'::text]))`,
      ),
    index("tickets_open_count_idx")
      .on(t.status, t.routedUnitId, t.subjectUnitId, t.kind, t.tier, t.channel)
      .where(sql`status <> ALL (ARRAY['not_accepted'::text, 'closed'::text, 'merged'::text])`),
    index("tickets_village_idx").on(t.villageId).where(sql`village_id IS NOT NULL`),
  ],
);

/** Reporter identity of a real-name ticket, encrypted (AES-256-GCM, lib/crypto.ts). */
export const ticketReporters = pgTable("ticket_reporters", {
  ticketId: integer("ticket_id")
    .primaryKey()
    .references(() => tickets.id, { onDelete: "cascade" }),
  /** id of the key that encrypted identity_enc (rotation) */
  keyId: text("key_id").notNull(),
  /** base64(iv ‖ ciphertext ‖ tag) of JSON {name, phone, contact} */
  identityEnc: text("identity_enc").notNull(),
  /** The reporter agreed to be contacted by the handling unit. */
  contactAllowed: boolean("contact_allowed").notNull(),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});

/** Timeline. visibility public: shown on /track; internal: staff only. */
export const ticketEvents = pgTable(
  "ticket_events",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    ticketId: integer("ticket_id")
      .notNull()
      .references(() => tickets.id, { onDelete: "cascade" }),
    action: text("action").notNull(),
    fromStatus: text("from_status"),
    toStatus: text("to_status").notNull(),
    /** public | internal */
    visibility: text("visibility").notNull(),
    /** system | staff | reporter */
    actorKind: text("actor_kind").notNull(),
    actorUserId: integer("actor_user_id").references(() => users.id),
    unitId: integer("unit_id").references(() => units.id),
    note: text("note"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("ticket_events_ticket_idx").on(t.ticketId, t.id)],
);

/** Messages between the reporter and the handling unit (both sides see them). */
export const ticketMessages = pgTable(
  "ticket_messages",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    ticketId: integer("ticket_id")
      .notNull()
      .references(() => tickets.id, { onDelete: "cascade" }),
    /** reporter | handler */
    author: text("author").notNull(),
    authorUserId: integer("author_user_id").references(() => users.id),
    body: text("body").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("ticket_messages_ticket_idx").on(t.ticketId, t.id)],
);

/** Each rating the reporter gave (a reopened ticket can be rated again). */
export const ticketRatings = pgTable(
  "ticket_ratings",
  {
    id: serial("id").primaryKey(),
    ticketId: integer("ticket_id")
      .notNull()
      .references(() => tickets.id, { onDelete: "cascade" }),
    rating: text("rating").notNull(),
    comment: text("comment"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("ticket_ratings_ticket_idx").on(t.ticketId)],
);

/** Wrong-receipt counters (per ticket number and per client), for rate limiting lookups. */
export const receiptAttempts = pgTable("receipt_attempts", {
  scope: text("scope").primaryKey(),
  failures: integer("failures").notNull(),
  windowStartedAt: timestamp("window_started_at", { withTimezone: true }).notNull(),
});
