import { sql } from "drizzle-orm";
import {
  bigserial,
  customType,
  date,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
} from "drizzle-orm/pg-core";
import { users } from "./reference";

const bytea = customType<{ data: Buffer; driverData: Buffer }>({ dataType: () => "bytea" });

// Staff console: sessions, sign-in throttling (migration 0030_staff.sql).

/** Server-side sessions; `id` is the SHA-256 of the cookie's token (the token is never stored). */
export const staffSessions = pgTable(
  "staff_sessions",
  {
    id: text("id").primaryKey(),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    csrfToken: text("csrf_token").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    lastSeenAt: timestamp("last_seen_at", { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
  },
  (t) => [index("staff_sessions_user_idx").on(t.userId)],
);

/**
 * Failed sign-ins per (lower-cased username, client HMAC) — backoff and lockout of that client — and per
 * username (client '*': a slower backoff for clients the user never signed in from). domain/auth/session.ts.
 */
export const loginAttempts = pgTable(
  "login_attempts",
  {
    username: text("username").notNull(),
    client: text("client").notNull().default("*"),
    failures: integer("failures").notNull().default(0),
    lockedUntil: timestamp("locked_until", { withTimezone: true }),
    lastFailureAt: timestamp("last_failure_at", { withTimezone: true }),
    lastSuccessAt: timestamp("last_success_at", { withTimezone: true }),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.username, t.client] })],
);

/** Append-only, hash-chained audit log (writes only through domain/audit/audit-log.ts). */
export const auditLog = pgTable(
  "audit_log",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    at: timestamp("at", { withTimezone: true }).notNull(),
    actorId: integer("actor_id"),
    action: text("action").notNull(),
    subjectType: text("subject_type").notNull(),
    subjectId: text("subject_id").notNull(),
    details: jsonb("details").notNull().default({}),
    prevHash: text("prev_hash").notNull(),
    hash: text("hash").notNull(),
  },
  (t) => [index("audit_log_subject_idx").on(t.subjectType, t.subjectId, t.id)],
);

/** Durable notification outbox (domain/notifications/outbox.ts). */
export const notificationOutbox = pgTable(
  "notification_outbox",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    channel: text("channel").notNull(),
    recipient: text("recipient").notNull(),
    template: text("template").notNull(),
    data: jsonb("data").notNull().default({}),
    dedupeKey: text("dedupe_key").unique(),
    status: text("status").notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: timestamp("next_attempt_at", { withTimezone: true }).notNull().defaultNow(),
    lastError: text("last_error"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    sentAt: timestamp("sent_at", { withTimezone: true }),
  },
  (t) => [
    index("notification_outbox_due_idx").on(t.nextAttemptAt, t.id).where(sql`status = 'pending'::text`),
    index("notification_outbox_recipient_idx").on(t.channel, t.recipient, t.id),
  ],
);

/** What the deadline sweep has done: one reminder/escalation per (ticket, kind, deadline). Migration 0031. */
export const ticketSweepMarks = pgTable(
  "ticket_sweep_marks",
  {
    ticketId: integer("ticket_id").notNull(),
    kind: text("kind").notNull(),
    dueOn: date("due_on").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.ticketId, t.kind, t.dueOn] })],
);

/** 舆情 intake: the source link and screenshot of an online public-opinion item. Migration 0032. */
export const ticketMediaSources = pgTable("ticket_media_sources", {
  ticketId: integer("ticket_id").primaryKey(),
  sourceUrl: text("source_url").notNull(),
  screenshot: bytea("screenshot"),
  screenshotType: text("screenshot_type"),
  foundAt: timestamp("found_at", { withTimezone: true }).notNull().defaultNow(),
  recordedBy: integer("recorded_by"),
});
